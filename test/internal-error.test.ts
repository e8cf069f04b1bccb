/**
 * A bug in the harness that stops a case's own teardown: the case fails with
 * "internal error", the run goes on, and the end-of-run sweep of the journal
 * removes the container the case left running. The fault is injected from
 * outside (test/fixtures/teardown-kill-throws.mjs, loaded with --import), so
 * ocicomply carries no code for it.
 */
import t from 'tap';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { probeProcesses } from './helpers/leftovers.js';
import { onPath, ROOT, run } from './helpers/suite.js';

const skip = onPath('runc') ? false : 'runc is not on PATH';
const INJECT = pathToFileURL(join(ROOT, 'test', 'fixtures', 'teardown-kill-throws.mjs')).href;

t.test('a case whose teardown throws: its container is removed by the end-of-run sweep, the run exits 1', { skip }, async (t) => {
  t.same(await probeProcesses(), [], 'no probe process before the run');
  // run() also fails when the run leaves anything in its work directory or a cgroup named like ours.
  const r = await run('runc', ['--only', 'lifecycle/create-start,lifecycle/exit-zero', '--jobs', '1'], undefined, { NODE_OPTIONS: `--import=${INJECT}` });
  t.equal(r.code, 1, 'a failed MUST: the case the bug stopped');
  const byCase = (id: string) => r.doc?.results.filter((x) => x.case === id) ?? [];
  t.ok(byCase('lifecycle/create-start').length > 0 && byCase('lifecycle/create-start').every((x) => x.status === 'fail' && /^internal error: Error: deliberate fault: kill /.test(x.message ?? '')),
    'every requirement of the case fails with the internal error');
  t.ok(byCase('lifecycle/exit-zero').every((x) => x.status === 'pass'), 'the other case is judged as usual');
  t.same(r.doc?.leftovers, [], 'the sweep removed everything: nothing reported left');
  t.same(await probeProcesses(), [], 'the container the case left running is gone');
});
