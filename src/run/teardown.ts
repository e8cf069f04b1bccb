/**
 * Brings one container the harness created to nothing: through the runtime
 * first (kill, wait for stopped, delete), then by force for whatever the
 * runtime left (its process, its cgroup directories). Only ever acts on ids,
 * processes and cgroup directories that this harness created.
 */
import { basename, dirname } from 'node:path';
import { cgroupDirsForPath, killCgroupProcesses, removeCgroupDirs } from '../host/cgroups.js';
import { isAlive, killIfSame, type ProcessIdentity } from '../host/proc.js';
import type { RuntimeDriver } from '../runtime/driver.js';
import { removeThroughRuntime } from '../engine/remove-container.js';
import { pollUntil } from '../util/poll.js';
import { NAME_PREFIX } from './names.js';

export interface Leftover {
  readonly id: string;
  readonly cgroupsPath: string;
  readonly process?: ProcessIdentity | undefined;
  /** Cgroup directories observed for the container's process. */
  readonly cgroupDirs?: readonly string[];
  /** Cgroup directories the harness made (a seeded parent): removed last. */
  readonly harnessCgroups?: readonly string[];
}

export interface TeardownOptions {
  readonly callTimeoutMs: number;
  readonly waitTimeoutMs: number;
}

/**
 * Returns what could not be removed (an empty list when everything is gone).
 * Without a driver (`clean` with no --runtime) only the force part runs; the
 * runtime's own state goes with the run directory.
 */
export async function teardown(driver: RuntimeDriver | undefined, c: Leftover, opts: TeardownOptions): Promise<string[]> {
  const problems: string[] = [];
  const stillKnown = driver !== undefined && !(await throughRuntime(driver, c, opts));
  if (c.process && (await isAlive(c.process))) {
    await killIfSame(c.process);
    const gone = await pollUntil(async () => ((await isAlive(c.process!)) ? undefined : true), { timeoutMs: opts.waitTimeoutMs });
    if (!gone) problems.push(`process ${c.process.pid} of ${c.id} survived SIGKILL`);
  }
  const ours = (dir: string): boolean => basename(dir).startsWith(NAME_PREFIX);
  const dirs = [...new Set([...(c.cgroupDirs ?? []), ...(await cgroupDirsForPath(c.cgroupsPath))])].filter(ours);
  // A runtime that makes a nested cgroupsPath creates its parents in every
  // hierarchy and removes only the leaf: parents named like ours go as well.
  const ancestors = new Set<string>();
  for (const d of [...dirs, ...(c.harnessCgroups ?? [])]) {
    for (let p = dirname(d); ours(p); p = dirname(p)) ancestors.add(p);
  }
  const toRemove = [...dirs, ...(c.harnessCgroups ?? []).filter(ours), ...ancestors];
  // What the runtime left in them (its helper, a lost container process) would keep them busy.
  const stuck = await killCgroupProcesses(toRemove, opts.waitTimeoutMs);
  if (stuck.length) problems.push(`processes ${stuck.join(', ')} in the cgroups of ${c.id} survived SIGKILL`);
  // A container whose process did not stop in time cannot be deleted; with
  // its processes killed above the runtime is asked once more.
  if (driver && stillKnown && !(await throughRuntime(driver, c, opts))) {
    problems.push(`container ${c.id} is still known to the runtime after kill and delete`);
  }
  const left = await removeCgroupDirs(toRemove);
  if (left.length) problems.push(`cgroup directories of ${c.id} could not be removed: ${left.join(', ')}`);
  return problems;
}

/** Kill, wait for stopped, delete; true when the runtime no longer knows the container. */
function throughRuntime(driver: RuntimeDriver, c: Leftover, opts: TeardownOptions): Promise<boolean> {
  return removeThroughRuntime(driver, c.id, opts);
}
