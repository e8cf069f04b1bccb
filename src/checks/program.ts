/** Checks on the user program, judged from what the probe wrote and from procfs. */
import type { AwaitedReport } from '../engine/observers/program.js';
import { awaitReport, observeAsConfigured, observeNotStarted, observeSignals } from '../engine/observers/program.js';
import { NO_PARAMS, defineCheck, fail, verdict } from './check.js';

/** Why there is no report to judge, when there is none. */
function noReport({ waitedMs, report }: AwaitedReport): string | undefined {
  if (report.kind === 'absent') return `the program left no report within ${waitedMs} ms`;
  if (report.kind === 'garbled') return `the program's report is not JSON: ${report.text}`;
  return undefined;
}

export const programNotStarted = defineCheck({
  name: 'program-not-started',
  description: 'The user program has not run: no report from the probe, and the container process is not executing it (watched over the settle window).',
  params: NO_PARAMS,
  observe: (ctx, _params, c) => observeNotStarted(ctx, c),
  judge(_params, { watchedMs, reportWritten, executingPid }) {
    const evidence = reportWritten ? 'the program wrote its report' : executingPid !== null ? `the container process (pid ${executingPid}) is executing the program` : undefined;
    return [verdict(evidence === undefined,
      evidence === undefined ? `the user program did not run (watched for ${watchedMs} ms)` : `the user program ran: ${evidence}`,
      { expected: 'program not started', actual: evidence ?? 'program not started' })];
  },
});

export const programStarted = defineCheck({
  name: 'program-started',
  description: 'The user program ran: the probe wrote its report (waited for up to the deadline).',
  params: NO_PARAMS,
  observe: (ctx, _params, c) => awaitReport(ctx, c),
  judge(_params, seen) {
    const why = noReport(seen);
    if (why !== undefined || seen.report.kind !== 'report') return [fail(why ?? 'no report')];
    return [verdict(true, `the user program ran (pid ${seen.report.pid} in its namespace)`)];
  },
});

export const programAsConfigured = defineCheck({
  name: 'program-as-configured',
  description: "The program ran with the args and env of config.json as it was at create, whatever the file says now.",
  params: NO_PARAMS,
  observe: (ctx, _params, c) => observeAsConfigured(ctx, c),
  judge(_params, seen) {
    const why = noReport(seen);
    if (why !== undefined || seen.report.kind !== 'report') return [fail(why ?? 'no report')];
    const r = seen.report;
    const proc = seen.configured;
    const argsOk = JSON.stringify(r.args) === JSON.stringify(proc.args);
    const envOk = proc.env.every((e) => r.env.includes(e));
    return [verdict(argsOk && envOk,
      argsOk && envOk ? 'the program ran with the args and env given at create' : 'the program ran with args or env other than those given at create',
      { expected: { args: proc.args, env: proc.env }, actual: { args: r.args, env: r.env } })];
  },
});

export const signalReceived = defineCheck({
  name: 'signal-received',
  description: 'The program received exactly the given signal (KILL cannot be caught: then the program must be gone having recorded nothing).',
  params: { type: 'object', additionalProperties: false, required: ['signal'], properties: { signal: { type: 'string', pattern: '^[A-Z0-9]+$' } } } as const,
  observe: (ctx, params, c) => observeSignals(ctx, c, params.signal),
  judge(params, { number: wanted, received: got, stopped }) {
    const name = params.signal;
    if (wanted === null) return [fail(`unknown signal ${name}`)];
    if (name === 'KILL') {
      // Whatever a runtime sends instead (TERM, INT, ...) the probe records.
      const ok = stopped === true && got.length === 0;
      return [verdict(ok, ok ? 'the program ended without receiving a catchable signal (KILL)' : `after kill KILL the program ${got.length ? `received signal(s) ${got.join(', ')}` : 'did not stop'}`,
        { expected: { signals: [], status: 'stopped' }, actual: { signals: got, status: stopped === true ? 'stopped' : 'not stopped' } })];
    }
    const ok = got.length === 1 && got[0] === wanted;
    return [verdict(ok, ok ? `the program received ${name} (${wanted})` : `the program received [${got.join(', ')}], not ${name} (${wanted})`,
      { expected: [wanted], actual: got })];
  },
});
