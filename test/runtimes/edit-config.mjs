// Shared by the broken runtimes written in JavaScript: each wraps a real runtime
// ($OCICOMPLY_REAL_RUNTIME, default runc) and breaks exactly one rule,
// mostly by rewriting config.json for the duration of `create`.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const REAL = process.env.OCICOMPLY_REAL_RUNTIME || 'runc';
export const argv = process.argv.slice(2);

function parse(args) {
  let root, cmd, bundle = process.cwd(), id;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!cmd) {
      if (a === '--root') root = args[++i];
      else if (!a.startsWith('-')) cmd = a;
      continue;
    }
    if (a === '--bundle' || a === '-b') bundle = resolve(args[++i]);
    else if (!a.startsWith('-') && id === undefined) id = a;
  }
  return { root, cmd, bundle, id };
}
export const call = parse(argv);

/** Runs the real runtime with these arguments, passing stdio through. */
export function real(args = argv, input) {
  const r = spawnSync(REAL, args, input === undefined ? { stdio: 'inherit' } : { input, stdio: ['pipe', 'inherit', 'inherit'] });
  return r.status ?? 128 + 9;
}

export function realOutput(args) {
  return spawnSync(REAL, args, { encoding: 'utf8' });
}

/** `create` with config.json rewritten by `edit`; the file is put back afterwards. */
export function createWith(edit) {
  const file = join(call.bundle, 'config.json');
  const original = readFileSync(file, 'utf8');
  const config = JSON.parse(original);
  edit(config);
  writeFileSync(file, JSON.stringify(config));
  try {
    return real();
  } finally {
    writeFileSync(file, original);
  }
}

/** Rewrites every hook entry of the given types (all types when omitted). */
export function eachHook(config, types, fn) {
  for (const [type, list] of Object.entries(config.hooks ?? {})) {
    if (types && !types.includes(type)) continue;
    config.hooks[type] = list.map((h) => fn(h, type) ?? h);
  }
}

/** Runs `main` for create, passes every other operation through. */
export function onCreate(edit) {
  process.exit(call.cmd === 'create' ? createWith(edit) : real());
}
