/** Observations of what is left of a container after delete, and of `run`'s exit. */
import { fingerprintBundle, fingerprintDiff } from '../../bundle/fingerprint.js';
import { cgroupDirsForPath, exists } from '../../host/cgroups.js';
import { isAlive } from '../../host/proc.js';
import type { CaseContext, Container } from '../context.js';
import { readReport } from '../probe-report.js';

export interface ProcessGoneSeen {
  /** The container process as first seen through state (null: never), and whether it is still alive. */
  readonly process: { readonly pid: number; readonly alive: boolean } | null;
}

export async function observeProcessGone(c: Container): Promise<ProcessGoneSeen> {
  return { process: c.process ? { pid: c.process.pid, alive: await isAlive(c.process) } : null };
}

export interface CgroupsLeftSeen {
  /** Whether state ever named a container process. */
  readonly process: boolean;
  /** The host directories an absolute cgroupsPath maps to, in every hierarchy. */
  readonly atPath: readonly string[];
  /** The cgroup directories the container process was seen in (other than the harness's own). */
  readonly processDirs: readonly string[];
  /** Those of both that still exist. */
  readonly left: readonly string[];
}

export async function observeCgroupsLeft(c: Container): Promise<CgroupsLeftSeen> {
  // An absolute cgroupsPath names the container's cgroup whether or not a host process is the container's (a sandbox).
  const path = (c.config['linux'] as { cgroupsPath?: string } | undefined)?.cgroupsPath ?? '';
  const atPath = path.startsWith('/') ? await cgroupDirsForPath(path) : [];
  const left: string[] = [];
  for (const dir of new Set([...c.cgroupDirs, ...atPath])) if (await exists(dir)) left.push(dir);
  return { process: c.process !== undefined, atPath, processDirs: [...c.cgroupDirs], left };
}

export interface BundleSeen {
  /** Whether the bundle was fingerprinted at create. */
  readonly fingerprinted: boolean;
  /** What differs between that fingerprint and the bundle now. */
  readonly diff: readonly string[];
}

export async function observeBundleChanges(c: Container): Promise<BundleSeen> {
  if (!c.bundleFingerprint) return { fingerprinted: false, diff: [] };
  return { fingerprinted: true, diff: fingerprintDiff(c.bundleFingerprint, await fingerprintBundle(c.paths.bundle)) };
}

export interface RunExitSeen {
  /** The last `run` of the container (null: none was made) and its exit status (null: it did not exit by itself). */
  readonly run: { readonly exitCode: number | null } | null;
  /** Whether the program wrote its report, i.e. it ran. */
  readonly programRan: boolean;
}

export async function observeRunExit(ctx: CaseContext, c: Container): Promise<RunExitSeen> {
  const call = [...ctx.calls].reverse().find((x) => x.argv.includes('run') && x.argv.includes(c.id));
  if (!call) return { run: null, programRan: false };
  return { run: { exitCode: call.exitCode }, programRan: (await readReport(c.paths.report)).kind !== 'absent' };
}
