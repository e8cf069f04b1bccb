/**
 * --runtime-arg: global options the runtime needs before its command reach
 * every call (the probe container, the cases, teardown, doctor), in order and
 * before the harness's own --root, and the results document records them.
 */
import t from 'tap';
import { join } from 'node:path';
import { onPath, run, RUNTIMES, start } from './helpers/suite.js';

const skip = onPath('runc') ? false : 'runc is not on PATH';
const NEEDY = join(RUNTIMES, 'needs-first-arg');
const ARG = '--log-format=json';

t.test('a runtime that needs a first argument works with --runtime-arg, and the document records it', { skip }, async (t) => {
  const r = await run(NEEDY, [`--runtime-arg=${ARG}`, '--only', 'lifecycle/create-start,kill/created-kill']);
  t.equal(r.code, 0, r.stderr);
  t.same(r.doc?.runtime.args, [ARG], 'recorded next to the path and version');
  t.match(r.doc?.runtime.version, /^runc version /);
  t.ok(r.doc?.results.length && r.doc.results.every((x) => x.status === 'pass'), 'every result passes');
  // The runtime refuses any call whose first argument is not ARG, or whose second is not --root (or --version).
  t.equal(r.doc?.results.length, 10, 'both cases judged: the order held on every call');
  t.match(r.stdout, new RegExp(`^# runtime: \\S+needs-first-arg ${ARG} \\(runc version`, 'm'), 'TAP names it');
});

t.test('without --runtime-arg the same runtime cannot run the probe container: exit 2', { skip }, async (t) => {
  const r = await run(NEEDY, ['--only', 'lifecycle/create-start']);
  t.equal(r.code, 2);
  t.equal(r.doc, undefined, 'no case ran');
  t.match(r.stderr, /needs-first-arg cannot run even one probe container: its `create` exited 1/);
});

t.test('doctor --runtime-arg gives the option to the probe container', { skip }, async (t) => {
  const ok = await start(['doctor', '--runtime', NEEDY, `--runtime-arg=${ARG}`]).done;
  t.equal(ok.code, 0, ok.stdout);
  t.match(ok.stdout, new RegExp(`^ok {6}\\S+needs-first-arg ${ARG}: runc version `, 'm'));
  const without = await start(['doctor', '--runtime', NEEDY]).done;
  t.equal(without.code, 1, 'without it the probe container fails');
});

t.test('--runtime-arg refused with one message and exit 2', async (t) => {
  const cases: [string[], RegExp][] = [
    [['run', '--runtime', 'runc', '--runtime-arg=--root=/tmp'], /^ocicomply: --runtime-arg --root=\/tmp: ocicomply gives the runtime its own --root/],
    [['run', '--runtime', 'runc', '--runtime-arg', '--root', '--runtime-arg', '/tmp'], /^ocicomply: run: Option '--runtime-arg' argument is ambiguous\. .*--runtime-arg=-XYZ/],
    [['clean', '--runtime-arg=--debug'], /^ocicomply: clean: --runtime-arg needs --runtime/],
    [['doctor', '--runtime-arg=--debug'], /^ocicomply: doctor: --runtime-arg needs --runtime/],
    [['list', '--runtime-arg=--debug'], /^ocicomply: --runtime-arg does not apply to list/],
  ];
  for (const [args, message] of cases) {
    const r = await start(args).done;
    t.equal(r.code, 2, args.join(' '));
    t.match(r.stderr, message, args.join(' '));
    t.equal(r.stderr.trim().split('\n').length, 1, `one line: ${args.join(' ')}`);
  }
});
