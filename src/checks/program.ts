/** Checks on the user program, judged from what the probe wrote and from procfs. */
import { executableId, fileId } from '../host/proc.js';
import type { ProbeReport } from '../engine/probe-report.js';
import { readReport, readSignals } from '../engine/probe-report.js';
import { pollUntil } from '../util/poll.js';
import { signalNumber } from '../util/signals.js';
import { NO_PARAMS, judge, legacyCheck } from './check.js';

/** The report, waiting for it up to the deadline. */
export async function awaitReport(path: string, timeoutMs: number, signal: AbortSignal): Promise<ProbeReport | string> {
  const got = await pollUntil(async () => {
    const r = await readReport(path);
    return r.kind === 'absent' ? undefined : r;
  }, { timeoutMs, signal });
  if (!got) return `the program left no report within ${timeoutMs} ms`;
  if (got.kind === 'garbled') return `the program's report is not JSON: ${got.text}`;
  return got.kind === 'report' ? got.report : 'no report';
}

export const programNotStarted = legacyCheck({
  name: 'program-not-started',
  description: 'The user program has not run: no report from the probe, and the container process is not executing it (watched over the settle window).',
  params: NO_PARAMS,
  async run(ctx, step, c) {
    const probeFile = await fileId(c.paths.probeInRootfs);
    const evidence = await pollUntil(async () => {
      if ((await readReport(c.paths.report)).kind !== 'absent') return 'the program wrote its report';
      if (c.process && probeFile && (await executableId(c.process.pid)) === probeFile) return `the container process (pid ${c.process.pid}) is executing the program`;
      return undefined;
    }, { timeoutMs: ctx.timing.settleMs, signal: ctx.signal });
    judge(ctx, step, evidence === undefined,
      evidence === undefined ? `the user program did not run (watched for ${ctx.timing.settleMs} ms)` : `the user program ran: ${evidence}`,
      { expected: 'program not started', actual: evidence ?? 'program not started' });
  },
});

export const programStarted = legacyCheck({
  name: 'program-started',
  description: 'The user program ran: the probe wrote its report (waited for up to the deadline).',
  params: NO_PARAMS,
  async run(ctx, step, c) {
    const r = await awaitReport(c.paths.report, ctx.timing.waitTimeoutMs, ctx.signal);
    judge(ctx, step, typeof r !== 'string', typeof r === 'string' ? r : `the user program ran (pid ${r.pid} in its namespace)`);
  },
});

export const programAsConfigured = legacyCheck({
  name: 'program-as-configured',
  description: "The program ran with the args and env of config.json as it was at create, whatever the file says now.",
  params: NO_PARAMS,
  async run(ctx, step, c) {
    const r = await awaitReport(c.paths.report, ctx.timing.waitTimeoutMs, ctx.signal);
    if (typeof r === 'string') return judge(ctx, step, false, r);
    const proc = c.config['process'] as { args: string[]; env: string[] };
    const argsOk = JSON.stringify(r.args) === JSON.stringify(proc.args);
    const envOk = proc.env.every((e) => r.env.includes(e));
    judge(ctx, step, argsOk && envOk,
      argsOk && envOk ? 'the program ran with the args and env given at create' : 'the program ran with args or env other than those given at create',
      { expected: { args: proc.args, env: proc.env }, actual: { args: r.args, env: r.env } });
  },
});

export const signalReceived = legacyCheck({
  name: 'signal-received',
  description: 'The program received exactly the given signal (KILL cannot be caught: then the program must be gone having recorded nothing).',
  params: { type: 'object', additionalProperties: false, required: ['signal'], properties: { signal: { type: 'string', pattern: '^[A-Z0-9]+$' } } },
  async run(ctx, step, c) {
    const name = String(step.params['signal']);
    const wanted = signalNumber(name);
    if (wanted === undefined) return judge(ctx, step, false, `unknown signal ${name}`);
    if (name === 'KILL') {
      // Whatever a runtime sends instead (TERM, INT, ...) the probe records.
      const status = await pollUntil(async () => {
        const { parsed } = await ctx.queryState(c);
        return parsed.kind !== 'not-json' && parsed.doc.status === 'stopped' ? 'stopped' : undefined;
      }, { timeoutMs: ctx.timing.waitTimeoutMs, signal: ctx.signal });
      const got = await readSignals(c.paths.signals);
      const ok = status === 'stopped' && got.length === 0;
      return judge(ctx, step, ok, ok ? 'the program ended without receiving a catchable signal (KILL)' : `after kill KILL the program ${got.length ? `received signal(s) ${got.join(', ')}` : 'did not stop'}`,
        { expected: { signals: [], status: 'stopped' }, actual: { signals: got, status: status ?? 'not stopped' } });
    }
    const got = await pollUntil(async () => {
      const s = await readSignals(c.paths.signals);
      return s.length > 0 ? s : undefined;
    }, { timeoutMs: ctx.timing.waitTimeoutMs, signal: ctx.signal }) ?? [];
    const ok = got.length === 1 && got[0] === wanted;
    judge(ctx, step, ok, ok ? `the program received ${name} (${wanted})` : `the program received [${got.join(', ')}], not ${name} (${wanted})`,
      { expected: [wanted], actual: got });
  },
});
