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
  /** The /proc/self/exe link: the file the program runs from, as a path in the container (null: unreadable; absent: a probe before it was reported). */
  readonly exe?: string | null;
  readonly hostname: string | null;
  /** getdomainname (null: the call failed; absent: a probe before it was reported). */
  readonly domainname?: string | null;
  /** /proc/sys/kernel/random/boot_id: which kernel the program runs on (null: unreadable). */
  readonly bootId?: string | null;
  readonly args: readonly string[];
  readonly env: readonly string[];
  readonly namespaces: Readonly<Record<string, number | null>>;
  readonly cgroup: readonly string[] | null;
  /** The lines of /proc/self/uid_map and gid_map (null: unreadable; absent: a probe before they were reported). */
  readonly uidMap?: readonly string[] | null;
  readonly gidMap?: readonly string[] | null;
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
  /** The open descriptors at start, with their readlink targets (null: /proc/self/fd unreadable). */
  readonly fds?: readonly { readonly fd: number; readonly target: string | null }[] | null;
  /** Descriptors 0, 1 and 2 at start. */
  readonly stdio?: readonly StdioSeen[];
  /** What /dev/console is (null: absent). */
  readonly console?: FileIdentity | null;

  // Scheduling, I/O priority, CPU affinity, personality and security labels (json_sched_facts in probe.c).
  /** sched_getattr(2) (null: the call failed). */
  readonly scheduler?: SchedAttr | null;
  /** ioprio_get(IOPRIO_WHO_PROCESS, 0) as class number (0 none, 1 RT, 2 BE, 3 IDLE) and level (null: the call failed). */
  readonly ioPriority?: { readonly class: number; readonly priority: number } | null;
  /** The CPUs of sched_getaffinity(2) (null: the call failed). */
  readonly cpuAffinity?: readonly number[] | null;
  /** personality(0xffffffff): the execution domain in the low byte, flags above (null: the call failed). */
  readonly personality?: number | null;
  /** uname(2)'s machine (null: the call failed). */
  readonly machine?: string | null;
  /** /proc/self/attr/current and /proc/self/attr/apparmor/current (null: unreadable, no security module answers). */
  readonly lsm?: { readonly current: string | null; readonly apparmor: string | null };
}

/** struct sched_attr as the kernel reports it: policy by number (SCHED_OTHER 0, FIFO 1, RR 2, BATCH 3, ISO 4, IDLE 5, DEADLINE 6), flags as a bit mask. */
export interface SchedAttr {
  readonly policy: number;
  readonly flags: number;
  readonly nice: number;
  readonly priority: number;
  readonly runtime: number;
  readonly deadline: number;
  readonly period: number;
}

/** A file's type (c, b, d, l, p, s, f), identity (dev, ino) and device number. */
export interface FileIdentity {
  readonly type: string;
  readonly dev: number;
  readonly ino: number;
  readonly major: number;
  readonly minor: number;
}

export type StdioSeen =
  | { readonly fd: number; readonly open: false }
  | (FileIdentity & { readonly fd: number; readonly open: true; readonly tty: boolean; readonly winsize: { readonly rows: number; readonly cols: number } | null });

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
