/** Checks that delete removed what create made, and only that. The looking is src/engine/observers/resources.ts's. */
import { observeBundleChanges, observeCgroupsLeft, observeProcessGone, observeRunExit } from '../engine/observers/resources.js';
import { defineCheck, fail, NO_PARAMS, unjudged, verdict } from './check.js';

/** Without a pid from state there is nothing to look for; state.pid carries that failure. */
const NEVER_OBSERVED = 'cannot be judged: no state named a live container process while it was created or running (see state.pid)';

export const processGone = defineCheck({
  name: 'process-gone',
  description: 'The container process seen earlier through state no longer exists.',
  params: NO_PARAMS,
  observe: (_ctx, _params, c) => observeProcessGone(c),
  judge(_params, { process }) {
    if (!process) return [unjudged(NEVER_OBSERVED)];
    return [verdict(!process.alive, process.alive ? `the container process (pid ${process.pid}) still exists` : `the container process (pid ${process.pid}) is gone`)];
  },
});

export const cgroupsRemoved = defineCheck({
  name: 'cgroups-removed',
  description: 'No cgroup directory of the container is left: none at its absolute cgroupsPath, and none of those its process was seen in (other than the harness\'s own).',
  params: NO_PARAMS,
  observe: (_ctx, _params, c) => observeCgroupsLeft(c),
  judge(_params, { process, atPath, processDirs, left }) {
    if (!process && atPath.length === 0) return [unjudged(NEVER_OBSERVED)];
    const looked = new Set([...processDirs, ...atPath]).size;
    return [verdict(left.length === 0,
      left.length === 0 ? `no cgroup directory of the container is left (${looked} looked at)` : `cgroup directories left after delete: ${left.join(', ')}`,
      { expected: [], actual: left })];
  },
});

export const bundleUnchanged = defineCheck({
  name: 'bundle-unchanged',
  description: 'The bundle directory holds exactly what it held when create was called.',
  params: NO_PARAMS,
  observe: (_ctx, _params, c) => observeBundleChanges(c),
  judge(_params, { fingerprinted, diff }) {
    if (!fingerprinted) return [fail('the bundle was never fingerprinted (create was not called)')];
    return [verdict(diff.length === 0, diff.length === 0 ? 'the bundle is as it was' : `the bundle changed: ${diff.slice(0, 10).join('; ')}`,
      { expected: 'unchanged', actual: diff })];
  },
});

export const runExitStatus = defineCheck({
  name: 'run-exit-status',
  description: "`run` exited with the program's own exit status (a convention, information only); skipped when the program never ran.",
  params: { type: 'object', additionalProperties: false, required: ['code'], properties: { code: { type: 'integer', minimum: 0, maximum: 255 } } } as const,
  observe: (ctx, _params, c) => observeRunExit(ctx, c),
  judge({ code }, { run, programRan }) {
    if (!run) return [fail('no run call was made')];
    if (!programRan) return [unjudged(`the program never ran under \`run\` (exit ${String(run.exitCode)}): the runtime does not offer run, or it failed`)];
    return [verdict(run.exitCode === code, `run exited ${String(run.exitCode)}; the program exited ${code}`, { expected: code, actual: run.exitCode })];
  },
});
