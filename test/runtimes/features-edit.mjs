// Prints the features document of the real runtime ($OCICOMPLY_REAL_RUNTIME,
// default runc) as the JavaScript statement given first rewrites it (the
// document is `d`). The broken-features wrappers call it for `features` only,
// so every other call costs no Node.js start.
import { spawnSync } from 'node:child_process';

const [edit, ...args] = process.argv.slice(2);
const r = spawnSync(process.env.OCICOMPLY_REAL_RUNTIME || 'runc', args, { encoding: 'utf8' });
if (r.status !== 0) {
  process.stderr.write(r.stderr);
  process.exit(r.status ?? 1);
}
const d = JSON.parse(r.stdout);
new Function('d', edit)(d);
process.stdout.write(JSON.stringify(d, null, 2) + '\n');
