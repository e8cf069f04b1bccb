/**
 * Removes what runs that died without cleaning up left behind. It acts only
 * on what the journal of a run directory it owns proves the harness made:
 * ids, cgroups and processes that pass the checks of journal.ts. It never
 * runs a program named in a file: the runtime, if any, is the one the user
 * gave on the command line, pointed at the run directory's own root.
 */
import { lstat, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { cgroupDirsForPath, cgroupDirsOf, cgroupMounts } from '../host/cgroups.js';
import { isAlive, type ProcessIdentity } from '../host/proc.js';
import { RuntimeDriver, type RuntimeCommand } from '../runtime/driver.js';
import { readJournal, type JournalEntry } from './journal.js';
import { privateDirProblem } from './private-dir.js';
import { staleSocketDir } from './socket-dir.js';
import { teardown } from './teardown.js';
import { removeOwnTree, staleRuns, type StaleRun } from './workspace.js';

export interface CleanReport {
  readonly runs: number;
  readonly containers: number;
  readonly problems: string[];
}

const TIMING = { callTimeoutMs: 10_000, waitTimeoutMs: 5_000 };

/** `runtime`: an executable the user named, with its global options; without it, containers are removed by force only. */
export async function cleanStaleRuns(workDir: string, runtime?: RuntimeCommand): Promise<CleanReport> {
  const scan = await staleRuns(workDir);
  const problems = [...scan.problems];
  const mountPoints = (await cgroupMounts()).map((m) => m.mountPoint);
  let containers = 0;
  for (const run of scan.stale) {
    const r = run.name.kind === 'suite' ? await cleanSuiteRun(run, run.name.tag, runtime, mountPoints) : { containers: 0, ignored: [], left: [] };
    containers += r.containers;
    problems.push(...r.ignored, ...r.left);
    // What the run left and could not be removed keeps its journal for a later clean;
    // what was ignored as not provably the run's would only be reported again.
    if (r.left.length === 0) {
      const sockets = run.name.kind === 'suite' ? await staleSocketDir(run.name.tag) : undefined;
      if (sockets) await rm(sockets, { recursive: true, force: true }).catch((e: Error) => problems.push(e.message));
      await removeOwnTree(run.dir).catch((e: Error) => problems.push(e.message));
    } else {
      problems.push(`kept ${run.dir} so that a later clean can try again`);
    }
  }
  return { runs: scan.stale.length, containers, problems };
}

interface RunCleaned {
  readonly containers: number;
  /** What was not acted on because it is not provably the run's. */
  readonly ignored: string[];
  /** What is the run's and could not be removed. */
  readonly left: string[];
}

async function cleanSuiteRun(run: StaleRun, tag: string, runtime: RuntimeCommand | undefined, mountPoints: string[]): Promise<RunCleaned> {
  const ignored: string[] = [];
  const left: string[] = [];
  const journal = await readJournal(join(run.dir, 'journal'), tag, mountPoints);
  for (const r of journal.rejected) ignored.push(`ignored in ${run.dir}/journal: ${r}`);
  if (journal.entries.length === 0) return { containers: 0, ignored, left };
  const root = join(run.dir, 'root');
  const rootProblem = await lstat(root).then((st) => privateDirProblem(st, process.geteuid?.() ?? 0), () => 'does not exist');
  let driver: RuntimeDriver | undefined;
  if (runtime && rootProblem === undefined) {
    driver = new RuntimeDriver({ runtime, root, scratchDir: await mkdtemp(join(run.dir, 'clean-')), timeoutMs: TIMING.callTimeoutMs });
  } else if (runtime) {
    ignored.push(`did not ask the runtime about ${run.dir}: its root ${root} ${rootProblem}`);
  }
  for (const entry of journal.entries) {
    const process = entry.process && (await provenProcess(entry, entry.process));
    if (entry.process && !process && (await isAlive(entry.process))) {
      ignored.push(`did not kill process ${entry.process.pid} of ${entry.id}: it is not in that container's cgroups`);
    }
    left.push(...(await teardown(driver, { ...entry, process }, TIMING)));
  }
  return { containers: journal.entries.length, ignored, left };
}

/**
 * The journalled process, if it is provably the container's: the same pid
 * and start time, and inside one of the container's cgroups. A pid a planted
 * journal names is then never killed, even if its start time was copied.
 */
async function provenProcess(entry: JournalEntry, p: ProcessIdentity): Promise<ProcessIdentity | undefined> {
  if (!(await isAlive(p))) return undefined;
  const own = [...(await cgroupDirsForPath(entry.cgroupsPath)), ...(entry.harnessCgroups ?? [])];
  const where = [...(await cgroupDirsOf(p.pid)).values()];
  const inside = where.some((d) => own.some((o) => d === o || d.startsWith(`${o}/`)));
  return inside && (await isAlive(p)) ? p : undefined;
}
