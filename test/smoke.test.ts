/**
 * The probe container every run and doctor starts with: a runtime that cannot
 * create it stops the run at once with one message and exit 2, leaving
 * nothing; doctor shows each step, the runtime's version and features, and
 * the cases a run would skip.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { BIN, onPath, run, RUNTIMES, start } from './helpers/suite.js';
import { probeProcesses } from './helpers/leftovers.js';

const skip = onPath('runc') ? false : 'runc is not on PATH';

t.test('run --runtime /bin/false stops after the probe container: exit 2, one message, no results, quickly', async (t) => {
  const started = Date.now();
  const r = await run('/bin/false');
  const took = Date.now() - started;
  t.equal(r.code, 2);
  t.equal(r.doc, undefined, 'no results document: no case ran');
  t.equal(r.stdout, '', 'no TAP: no case ran');
  t.match(r.stderr, /^ocicomply: \/bin\/false cannot run even one probe container: its `create` exited 1; no case can be judged, so none was run\.\n/);
  t.equal(r.stderr.match(/^ocicomply: /gm)?.length, 1, 'one message');
  t.notMatch(r.stderr, /at .*\.js:\d+/, 'no stack trace');
  t.ok(took < 15_000, `stops quickly (${took} ms)`);
});

t.test('a "runtime" that exits 0 and prints nothing stops at the probe container: exit 2, nothing judged', async (t) => {
  const r = await run(join(RUNTIMES, 'broken', 'does-nothing'));
  t.equal(r.code, 2);
  t.equal(r.doc, undefined, 'no results document: no case ran, so no MUST passed');
  t.match(r.stderr, /does-nothing cannot run even one probe container: its `state` exited 0 but printed nothing;/);
  t.equal(r.stderr.match(/^ocicomply: /gm)?.length, 1, 'one message');
});

t.test('doctor --runtime runc: version, features, each step of the probe container, the skips', { skip }, async (t) => {
  const r = await start(['doctor', '--runtime', 'runc']).done;
  t.equal(r.code, 0, r.stdout);
  t.match(r.stdout, /^ok {6}Node\.js v\d+\./m);
  t.match(r.stdout, /^ok {6}\/\S+\/runc: runc version /m, 'the version');
  t.match(r.stdout, /^ {8}(features: spec \S+ to \S+;|no features document)/m, 'the features');
  t.match(r.stdout, /^ok {6}\/\S+\/runc: a probe container: create \d+ ms, state \d+ ms, start \d+ ms, state \d+ ms, kill \d+ ms, delete \d+ ms$/m, 'every step');
  t.match(r.stdout, /^(ok|skipped) +\d+ of \d+ cases would be skipped at spec \d+\.\d+\.\d+/m, 'what a run would skip');
  t.same(await probeProcesses(), [], 'nothing left running');
});

t.test('doctor --jobs: the work directory must hold that many cases at once', async (t) => {
  const two = await start(['doctor', '--jobs', '2']).done;
  t.match(two.stdout, /^ok {6}work directory \S+: \d+ MiB free, a run with --jobs 2 needs 12 MiB$/m);
  // No disk holds 4 MiB for each of ten million cases: the same directory is then too small.
  const many = await start(['doctor', '--jobs', '10000000']).done;
  t.equal(many.code, 1, 'a run could not work');
  t.match(many.stdout, /^missing work directory \S+ has [\d.]+ MiB free; a run with --jobs 10000000 needs 40000004 MiB: /m);
});

t.test('doctor --runtime /bin/false: the probe container fails at create, exit 1', async (t) => {
  const r = await start(['doctor', '--runtime', '/bin/false']).done;
  t.equal(r.code, 1);
  t.match(r.stdout, /^fails {3}\/bin\/false: cannot run a probe container: its `create` exited 1$/m);
  t.match(r.stdout, /a run stops here with exit status 2/);
  t.notMatch(r.stdout, /cases would be skipped/, 'no skip list for a runtime that cannot run');
});

t.test('the launcher refuses a Node.js older than 20 with one line, exit 2', async (t) => {
  // The version is faked before the launcher runs: what the launcher reads is process.version.
  const fake = 'data:text/javascript,Object.defineProperty(process,"version",{value:"v18.20.4"})';
  const r = await new Promise<{ code: number | null; stderr: string }>((res) => {
    const child = spawn('/usr/bin/env', ['-u', 'NODE_OPTIONS', process.execPath, '--import', fake, BIN, 'list'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => res({ code, stderr }));
  });
  t.equal(r.code, 2);
  t.equal(r.stderr, 'ocicomply: Node.js v18.20.4 is too old: 20 or newer is needed (README, Set-up, step 2)\n');
});
