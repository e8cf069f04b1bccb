/**
 * `run --profile default` and `--profile strict` against runc and crun on
 * the lifecycle, state and process cases: each run completes, its results
 * document records the profile (name and base config), and the failures are
 * exactly those of the minimal base (the known deviations in expectations/).
 * An unknown profile name is refused with exit 2.
 */
import t from 'tap';
import { join } from 'node:path';
import { cgroupMode } from '../src/host/cgroups.js';
import { failures, onPath, run, RUNTIMES, start } from './helpers/suite.js';

const skip = !onPath('runc') ? 'runc is not on PATH' : !onPath('crun') ? 'crun is not on PATH' : process.getuid?.() !== 0 ? 'the runs need root' : false;
const ONLY = ['--only', 'lifecycle,state,process'];

t.test('an unknown profile: exit 2, one message', async (t) => {
  const r = await start(['run', '--runtime', 'runc', '--profile', 'loose']).done;
  t.equal(r.code, 2);
  t.match(r.stderr, /--profile is one of minimal, default, strict, not "loose"/);
});

t.test('profiles against runc and crun', { skip }, async (t) => {
  const crun = (await cgroupMode()) === 'hybrid' ? join(RUNTIMES, 'crun-hybrid') : 'crun';
  for (const runtime of ['runc', crun]) {
    const minimal = failures((await run(runtime, ONLY)).doc);
    for (const profile of ['default', 'strict']) {
      const started = performance.now();
      const r = await run(runtime, [...ONLY, '--profile', profile]);
      t.comment(`${runtime} --profile ${profile}: ${Math.round(performance.now() - started)} ms`);
      t.ok(r.doc, `${runtime} ${profile}: a results document`, { stderr: r.stderr.slice(-2000) });
      t.equal(r.doc?.run?.profile?.name, profile, 'the document records the profile');
      const base = r.doc?.run?.profile?.baseConfig as { process?: { capabilities?: { bounding?: string[] } } } | undefined;
      t.ok(base?.process?.capabilities?.bounding?.includes('CAP_KILL'), 'and its base config');
      t.notOk(r.doc?.results.some((x) => x.case.split('/')[0] !== 'lifecycle' && x.case.split('/')[0] !== 'state' && x.case.split('/')[0] !== 'process'), 'only the three areas ran');
      t.same(failures(r.doc), minimal, `${runtime} ${profile}: the failures are those of the minimal base`);
    }
  }
});
