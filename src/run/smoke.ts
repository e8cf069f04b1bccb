/**
 * One probe container through create, state, start, state, kill and delete,
 * before any case: a runtime that cannot even create it (not an OCI runtime,
 * a chroot whose root is not a mount point, no cgroups) would otherwise fail
 * every case for the same reason, and the failures would read as findings.
 * Uses the same bundle writer, base config and driver as the cases, and
 * leaves nothing behind.
 */
import { join } from 'node:path';
import { baseConfig } from '../bundle/config.js';
import { writeBundle } from '../bundle/write.js';
import type { Timing } from '../engine/context.js';
import { readReport } from '../engine/probe-report.js';
import { parseState } from '../engine/state-document.js';
import type { CallRecord } from '../results.js';
import type { RuntimeCommand, RuntimeDriver } from '../runtime/driver.js';
import { describeOutcome, succeeded } from '../runtime/driver.js';
import { pollUntil } from '../util/poll.js';
import { teardown } from './teardown.js';
import type { Workspace } from './workspace.js';

export type SmokeOp = 'create' | 'state' | 'start' | 'kill' | 'delete';

export interface SmokeStep {
  readonly op: SmokeOp;
  /** What was expected of the step, for the report: "the container exists". */
  readonly expect: string;
  readonly call: CallRecord;
  /** Why the step did not do what it should, or undefined when it did. */
  readonly problem: string | undefined;
}

export interface SmokeResult {
  readonly steps: readonly SmokeStep[];
  /**
   * The step that shows no case can work: `create`, or the `state` right after
   * it. Problems in the later steps are left to the cases, which judge each
   * under its requirement (a runtime whose `start` hangs is a finding).
   */
  readonly fatal: SmokeStep | undefined;
  readonly cleanupProblems: readonly string[];
}

export interface SmokeEnvironment {
  readonly driver: RuntimeDriver;
  readonly workspace: Workspace;
  readonly probeBinary: string;
  readonly configOciVersion: string;
  readonly specVersion: string;
  readonly timing: Timing;
}

export async function smokeTest(env: SmokeEnvironment): Promise<SmokeResult> {
  const dir = await env.workspace.caseDir('smoke');
  const { id, cgroupsPath } = env.workspace.nextContainer();
  const shared = join(dir, 'shared');
  const config = baseConfig({
    ociVersion: env.configOciVersion, sharedDir: shared, cgroupsPath, program: { wait: true }, token: id, hooks: {},
    hookPaths: { hostProbe: env.probeBinary, hostLog: join(shared, 'hooks.log') }, specVersion: env.specVersion, cgroupMount: 'none',
  });
  const steps: SmokeStep[] = [];
  const call = { timeoutMs: env.timing.callTimeoutMs };
  const step = (op: SmokeOp, expect: string, c: CallRecord, problem: string | undefined): SmokeStep => {
    const s = { op, expect, call: c, problem };
    steps.push(s);
    return s;
  };
  const cleanupProblems: string[] = [];
  try {
    const { bundle } = await writeBundle(dir, config, env.probeBinary);
    await env.workspace.journal({ id, cgroupsPath });
    const created = await env.driver.create(id, bundle, call);
    // The fatal steps' stderr is shown whole (its head) beside the message.
    const c = step('create', 'the container is created', created, succeeded(created) ? undefined : describeOutcome(created, { stderr: false }));
    if (c.problem) return { steps, fatal: c, cleanupProblems };
    const known = await env.driver.state(id, call);
    const s = step('state', 'the runtime knows the container', known,
      !succeeded(known) ? describeOutcome(known, { stderr: false }) : known.stdout.trim() === '' ? 'exited 0 but printed nothing' : undefined);
    if (s.problem) return { steps, fatal: s, cleanupProblems };

    const started = await env.driver.start(id, call);
    let startProblem = succeeded(started) ? undefined : describeOutcome(started);
    if (!startProblem) {
      const report = await pollUntil(async () => {
        const r = await readReport(join(shared, 'report.json'));
        return r.kind === 'absent' ? undefined : r;
      }, { timeoutMs: env.timing.waitTimeoutMs });
      if (!report) startProblem = `exited 0, but the probe wrote no report within ${env.timing.waitTimeoutMs} ms`;
    }
    step('start', 'the probe runs', started, startProblem);
    const running = await env.driver.state(id, call);
    step('state', 'the runtime reports the container', running, succeeded(running) ? undefined : describeOutcome(running));
    const killed = await env.driver.kill(id, 'KILL', call);
    step('kill', 'SIGKILL is delivered', killed, succeeded(killed) ? undefined : describeOutcome(killed));
    await pollUntil(async () => {
      const r = await env.driver.state(id, call);
      const p = parseState(r.stdout);
      return !succeeded(r) || (p.kind !== 'not-json' && p.doc.status === 'stopped') ? true : undefined;
    }, { timeoutMs: env.timing.waitTimeoutMs });
    const deleted = await env.driver.delete(id, call);
    step('delete', 'the container is deleted', deleted, succeeded(deleted) ? undefined : describeOutcome(deleted));
    return { steps, fatal: undefined, cleanupProblems };
  } finally {
    cleanupProblems.push(...(await teardown(env.driver, { id, cgroupsPath }, env.timing)));
    await env.workspace.removeCaseDir(dir);
  }
}

/** The message a run stops with when the smoke test shows that no case can work. */
export function smokeFailureMessage(command: RuntimeCommand, fatal: SmokeStep): string {
  const runtime = command.path;
  const doctorArgs = [`--runtime ${runtime}`, ...command.args.map((a) => `--runtime-arg=${a}`)].join(' ');
  const stderr = fatal.call.stderr.trim().split('\n').filter(Boolean).slice(0, 5);
  return [
    `${runtime} cannot run even one probe container: its \`${fatal.op}\` ${fatal.problem}; no case can be judged, so none was run.`,
    ...(stderr.length ? ['  the runtime\'s stderr:', ...stderr.map((l) => `    ${l.slice(0, 300)}`)] : []),
    `  \`ocicomply doctor ${doctorArgs}\` shows every step; in a chroot, its root must be a mount point (README, Set-up).`,
  ].join('\n');
}
