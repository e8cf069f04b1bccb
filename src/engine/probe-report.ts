/** What the probe writes about itself (bundles/probe.c, `run --report`). */
import { readFile } from 'node:fs/promises';

export interface ProbeReport {
  /** CLOCK_MONOTONIC at the program's start, in microseconds, by the container's clock. */
  readonly startedUs: number;
  /**
   * Complete lines of the hook log when the program started (null: the log
   * could not be read; absent: not asked). The hooks on those lines ran
   * before the program, every later one after it.
   */
  readonly hookLogLinesAtStart?: number | null;
  readonly pid: number;
  readonly ppid: number;
  readonly uid: number;
  readonly gid: number;
  readonly euid: number;
  readonly egid: number;
  readonly groups: readonly number[];
  readonly cwd: string | null;
  readonly hostname: string | null;
  readonly args: readonly string[];
  readonly env: readonly string[];
  readonly namespaces: Readonly<Record<string, number | null>>;
  readonly cgroup: readonly string[] | null;
  /** From /proc/self/status (null: the kernel writes no Umask line). */
  readonly umask?: number | null;
  /** The Seccomp line of /proc/self/status: 0 none, 1 strict, 2 filter (null: the kernel writes no such line). */
  readonly seccompMode?: number | null;
  /** The five sets from /proc/self/status, as capability numbers (null: unreadable). */
  readonly capabilities?: Readonly<Record<CapabilitySet, readonly number[] | null>>;
  /** getrlimit of every resource by its RLIMIT_ name (a limit of null: unlimited; an entry of null: getrlimit failed). */
  readonly rlimits?: Readonly<Record<string, { readonly soft: number | null; readonly hard: number | null } | null>>;
  /** prctl(PR_GET_NO_NEW_PRIVS) (null: the call failed). */
  readonly noNewPrivs?: boolean | null;
  /** /proc/self/oom_score_adj (null: unreadable). */
  readonly oomScoreAdj?: number | null;
}

export const CAPABILITY_SETS = ['bounding', 'effective', 'permitted', 'inheritable', 'ambient'] as const;
export type CapabilitySet = (typeof CAPABILITY_SETS)[number];

export type ReportRead =
  | { readonly kind: 'absent' }
  | { readonly kind: 'report'; readonly report: ProbeReport }
  | { readonly kind: 'garbled'; readonly text: string };

/** The probe renames its report into place, so a present file is complete. */
export async function readReport(path: string): Promise<ReportRead> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return { kind: 'absent' };
  }
  try {
    return { kind: 'report', report: JSON.parse(text) as ProbeReport };
  } catch {
    return { kind: 'garbled', text: text.slice(0, 500) };
  }
}

/** Signal numbers the probe recorded, in order of arrival. */
export async function readSignals(path: string): Promise<number[]> {
  try {
    return (await readFile(path, 'utf8')).split('\n').filter((l) => l !== '').map(Number);
  } catch {
    return [];
  }
}
