/**
 * Where a hook ran relative to the user program, decided from events seen in
 * one place only. A sandboxed runtime gives the container a clock of its own,
 * so the program's start time (read inside) is never compared with a hook's
 * (read where the hook ran).
 */
import type { HookRecord } from './hook-log.js';
import type { ReportRead } from './probe-report.js';

export type Placement = 'before' | 'after';

/** What the program's side says about the hook log, taken once per check. */
export interface ProgramStart {
  /** The program never reported: it has not started, so every hook ran before it. */
  readonly started: boolean;
  /** Complete lines of the hook log when the program started; undefined when not known. */
  readonly hookLogLines: number | undefined;
  /** dev:ino of the program file as seen from the host (the probe in the rootfs). */
  readonly programFile: string | undefined;
}

export function programStart(report: ReportRead, programFile: string | undefined): ProgramStart {
  if (report.kind !== 'report') return { started: false, hookLogLines: undefined, programFile };
  const lines = report.report.hookLogLinesAtStart;
  return { started: true, hookLogLines: typeof lines === 'number' ? lines : undefined, programFile };
}

/**
 * Did the hook on line `index` (0-based) of the hook log run before or after
 * the program started? The program counted the log's lines as it started:
 * a hook on one of those lines had written it before, any later line came
 * after (both events land in the same file, in order). When that count is
 * missing, a hook that saw the container process already executing the
 * program ran after; nothing else places it (undefined).
 */
export function placeHook(index: number, r: Pick<HookRecord, 'targetExe'>, start: ProgramStart): Placement | undefined {
  if (!start.started) return 'before';
  if (start.hookLogLines !== undefined) return index < start.hookLogLines ? 'before' : 'after';
  // A process other than the program proves nothing: a sandboxed runtime's pid
  // may name a process on the host that never executes the program.
  if (r.targetExe !== null && start.programFile !== undefined && r.targetExe === start.programFile) return 'after';
  return undefined;
}

/** Why placeHook decided as it did, for a failure message. */
export function placementEvidence(index: number, start: ProgramStart): string {
  if (!start.started) return 'the program never started';
  if (start.hookLogLines !== undefined) {
    return `its line is line ${index + 1} of the hook log, which had ${start.hookLogLines} line(s) when the program started`;
  }
  return 'the container process was executing the program when the hook looked';
}
