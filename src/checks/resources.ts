/** Checks that delete removed what create made, and only that. */
import { fingerprintDiff, fingerprintBundle } from '../bundle/fingerprint.js';
import { cgroupDirsForPath, exists } from '../host/cgroups.js';
import { isAlive } from '../host/proc.js';
import { readReport } from '../engine/probe-report.js';
import { NO_PARAMS, judge, legacyCheck } from './check.js';

/** Without a pid from state there is nothing to look for; state.pid carries that failure. */
const NEVER_OBSERVED = 'cannot be judged: no state named a live container process while it was created or running (see state.pid)';

export const processGone = legacyCheck({
  name: 'process-gone',
  description: 'The container process seen earlier through state no longer exists.',
  params: NO_PARAMS,
  async run(ctx, step, c) {
    if (!c.process) return ctx.skipRequirements(step.requirements, NEVER_OBSERVED);
    const alive = await isAlive(c.process);
    judge(ctx, step, !alive, alive ? `the container process (pid ${c.process.pid}) still exists` : `the container process (pid ${c.process.pid}) is gone`);
  },
});

export const cgroupsRemoved = legacyCheck({
  name: 'cgroups-removed',
  description: 'No cgroup directory of the container is left: none at its absolute cgroupsPath, and none of those its process was seen in (other than the harness\'s own).',
  params: NO_PARAMS,
  async run(ctx, step, c) {
    // An absolute cgroupsPath names the container's cgroup whether or not a host process is the container's (a sandbox).
    const path = (c.config['linux'] as { cgroupsPath?: string } | undefined)?.cgroupsPath ?? '';
    const atPath = path.startsWith('/') ? await cgroupDirsForPath(path) : [];
    if (!c.process && atPath.length === 0) return ctx.skipRequirements(step.requirements, NEVER_OBSERVED);
    const dirs = [...new Set([...c.cgroupDirs, ...atPath])];
    const left: string[] = [];
    for (const dir of dirs) if (await exists(dir)) left.push(dir);
    judge(ctx, step, left.length === 0,
      left.length === 0 ? `no cgroup directory of the container is left (${dirs.length} looked at)` : `cgroup directories left after delete: ${left.join(', ')}`,
      { expected: [], actual: left });
  },
});

export const bundleUnchanged = legacyCheck({
  name: 'bundle-unchanged',
  description: 'The bundle directory holds exactly what it held when create was called.',
  params: NO_PARAMS,
  async run(ctx, step, c) {
    if (!c.bundleFingerprint) return judge(ctx, step, false, 'the bundle was never fingerprinted (create was not called)');
    const diff = fingerprintDiff(c.bundleFingerprint, await fingerprintBundle(c.paths.bundle));
    judge(ctx, step, diff.length === 0, diff.length === 0 ? 'the bundle is as it was' : `the bundle changed: ${diff.slice(0, 10).join('; ')}`,
      { expected: 'unchanged', actual: diff });
  },
});

export const runExitStatus = legacyCheck({
  name: 'run-exit-status',
  description: "`run` exited with the program's own exit status (a convention, information only); skipped when the program never ran.",
  params: { type: 'object', additionalProperties: false, required: ['code'], properties: { code: { type: 'integer', minimum: 0, maximum: 255 } } },
  async run(ctx, step, c) {
    const code = step.params['code'] as number;
    const call = [...ctx.calls].reverse().find((x) => x.argv.includes('run') && x.argv.includes(c.id));
    if (!call) return judge(ctx, step, false, 'no run call was made');
    if ((await readReport(c.paths.report)).kind === 'absent') {
      ctx.skipRequirements(step.requirements, `the program never ran under \`run\` (exit ${String(call.exitCode)}): the runtime does not offer run, or it failed`);
      return;
    }
    judge(ctx, step, call.exitCode === code, `run exited ${String(call.exitCode)}; the program exited ${code}`, { expected: code, actual: call.exitCode });
  },
});
