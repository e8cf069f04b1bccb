/**
 * Several --runtime in one run: each judged in turn on the same cases (a
 * NAME:TERM term narrows one of them), one results document per runtime in
 * --json-dir, named after it, and the worst exit status; what belongs to one
 * runtime's run is refused with one message.
 */
import t from 'tap';
import { join } from 'node:path';
import { failures, onPath, outcomeOf, runMany, RUNTIMES, start } from './helpers/suite.js';

const skip = onPath('runc') ? false : 'runc is not on PATH';
const LIES = join(RUNTIMES, 'broken', 'state-status-lies');

t.test('runc and a broken runtime: a document each, the worst status', { skip }, async (t) => {
  const many = await runMany(['runc', LIES], ['--only', 'lifecycle/create-start,state-status-lies:state/created']);
  t.equal(many.code, 1, 'exit 1: a MUST failed for one of them');
  t.same([...many.docs.keys()].sort(), ['runc', 'state-status-lies'], 'one document per runtime, named after it');
  const runc = outcomeOf(many, 'runc').doc;
  const lies = outcomeOf(many, LIES).doc;
  t.match(runc?.runtime.path, /\/runc$/, "runc's document is runc's");
  t.equal(lies?.runtime.path, LIES, "the broken runtime's document is its own");
  t.same(failures(runc), [], 'runc passes');
  t.same(failures(lies), ['lifecycle/create-start state.status.created'], 'the broken runtime fails exactly its rule');
  t.same([...new Set(runc?.results.map((r) => r.case))], ['lifecycle/create-start'], 'runc ran the unscoped term only');
  t.same([...new Set(lies?.results.map((r) => r.case))].sort(), ['lifecycle/create-start', 'state/created'], 'the scoped term added a case to its runtime alone');
  t.match(many.stderr, /runtime 1 of 2: runc\n[^]*runtime 2 of 2: state-status-lies\n/, 'stderr says which runtime runs');
  t.equal((many.stdout.match(/^TAP version 13$/gm) ?? []).length, 2, 'one TAP report per runtime, one after the other');
});

t.test('a runtime that cannot run stops only its own run: exit 2, the others judged', { skip }, async (t) => {
  const many = await runMany(['/bin/false', 'runc'], ['--only', 'lifecycle/create-start']);
  t.equal(many.code, 2, 'exit 2, the worst');
  t.match(many.stderr, /^ocicomply: false: \/bin\/false cannot run even one probe container/m, 'named in its message');
  t.same([...many.docs.keys()], ['runc'], 'runc still judged');
  t.same(failures(outcomeOf(many, 'runc').doc), [], 'and passes');
});

t.test('refused with one message and exit 2', async (t) => {
  const cases: [string[], RegExp][] = [
    [['run', '--runtime', 'runc', '--runtime', '/usr/local/bin/runc'], /^ocicomply: --runtime runc and --runtime \/usr\/local\/bin\/runc have the same name, runc/],
    [['run', '--runtime', 'runc', '--runtime', 'crun', '--json', 'x.json'], /^ocicomply: --json takes one runtime's results, and 2 --runtime are given: use --json-dir DIR/],
    [['run', '--runtime', 'runc', '--runtime', 'crun', '--junit', 'x.xml'], /^ocicomply: --junit takes one runtime's results/],
    [['run', '--runtime', 'runc', '--runtime', 'crun', '--runtime-arg=--debug'], /^ocicomply: run: --runtime-arg applies to one runtime, and 2 --runtime are given/],
    [['run', '--runtime', 'runc', '--only', 'crun:lifecycle'], /^ocicomply: --only crun:lifecycle: no runtime is named crun \(the runtimes of this run: runc\)/],
    [['run', '--runtime', 'runc', '--json', 'x.json', '--json-dir', '.'], /^ocicomply: --json and --json-dir cannot both be given/],
    [['run', '--runtime', 'runc', '--json-dir', '/nonexistent-dir'], /^ocicomply: --json-dir \/nonexistent-dir: no such directory/],
    [['doctor', '--runtime', 'runc', '--runtime', 'crun'], /^ocicomply: doctor takes one --runtime, not 2/],
    [['clean', '--runtime', 'runc', '--runtime', 'crun'], /^ocicomply: clean takes one --runtime, not 2/],
  ];
  for (const [args, message] of cases) {
    const r = await start(args).done;
    t.equal(r.code, 2, args.join(' '));
    t.match(r.stderr, message, args.join(' '));
    t.equal(r.stderr.trim().split('\n').length, 1, `one line: ${args.join(' ')}`);
  }
});
