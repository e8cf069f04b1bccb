/**
 * A run's own directory: the runtime's --root, the case bundles, scratch
 * files, and a journal of every container id handed to the runtime. It lies
 * in the private work directory (see private-dir.ts) and is made 0700. Runs
 * killed before they could clean up are found by their dead owner and cleaned
 * by the next run (or `ocicomply clean`).
 */
import { randomBytes } from 'node:crypto';
import { appendFile, lstat, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { identify } from '../host/proc.js';
import { mountsUnder } from '../host/mountinfo.js';
import { readOwner, type JournalEntry, type Owner } from './journal.js';
import { containerId, parseRunDirName, runDirPrefix, type RunDirName } from './names.js';
import { ensurePrivateDir, privateDirProblem } from './private-dir.js';
import { errnoText, requireFreeSpace } from '../util/harness-fault.js';
import { makeSocketDir } from './socket-dir.js';
import { SetupError } from '../util/errors.js';

export class Workspace {
  private serial = 0;

  private constructor(
    readonly dir: string,
    /** Short, random: makes ids unique per run even across runs sharing a runtime. */
    readonly runTag: string,
    /** Where the run's Unix sockets go: a short path of its own (see socket-dir.ts). */
    readonly socketDir: string,
  ) {}

  /**
   * Makes the run directory. The work directory must be writable and have
   * room for a run with `jobs` cases at once (SetupError otherwise).
   */
  static async open(workDir: string, jobs = 1): Promise<Workspace> {
    const base = await ensurePrivateDir(workDir);
    const runTag = randomBytes(3).toString('hex');
    let dir: string;
    try {
      dir = await mkdtemp(join(base, runDirPrefix(runTag)));
    } catch (e) {
      throw new SetupError(`cannot make a run directory in work directory ${base} (${errnoText(e)}); give --work-dir a writable directory with free space`);
    }
    try {
      await Promise.all([mkdir(join(dir, 'root'), { mode: 0o700 }), mkdir(join(dir, 'scratch'), { mode: 0o700 }), mkdir(join(dir, 'cases'), { mode: 0o700 })]);
      await claimRunDir(dir);
      await requireFreeSpace(dir, jobs);
    } catch (e) {
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
      if (e instanceof SetupError) throw e;
      throw new SetupError(`cannot write in work directory ${base} (${errnoText(e)}); give --work-dir a writable directory with free space`);
    }
    let socketDir: string;
    try {
      socketDir = await makeSocketDir(runTag);
    } catch (e) {
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
      throw e;
    }
    return new Workspace(dir, runTag, socketDir);
  }

  get root(): string {
    return join(this.dir, 'root');
  }
  get scratch(): string {
    return join(this.dir, 'scratch');
  }
  get casesDir(): string {
    return join(this.dir, 'cases');
  }
  get journalFile(): string {
    return join(this.dir, 'journal');
  }

  /** A fresh container id and the cgroups path that goes with it. */
  nextContainer(): { id: string; cgroupsPath: string } {
    const id = containerId(this.runTag, ++this.serial);
    return { id, cgroupsPath: `/${id}` };
  }

  async caseDir(caseId: string): Promise<string> {
    return mkdtemp(join(this.casesDir, `${caseId.replaceAll('/', '.')}-`));
  }

  async removeCaseDir(path: string): Promise<void> {
    await removeOwnTree(path);
  }

  /** Appended before the runtime hears of the id, and again when its process is seen. */
  async journal(entry: JournalEntry): Promise<void> {
    await appendFile(this.journalFile, `${JSON.stringify(entry)}\n`, { mode: 0o600 });
  }

  /** Removes the run directory and the socket directory. */
  async remove(): Promise<void> {
    await rm(this.socketDir, { recursive: true, force: true });
    await removeOwnTree(this.dir);
  }
}

/**
 * Removes a tree the harness made, but never through a mount point: a bind
 * mount a runtime left inside would otherwise lead the removal into whatever
 * is mounted there. Throws, naming the mounts, when there is one.
 */
export async function removeOwnTree(dir: string): Promise<void> {
  const mounts = await mountsUnder(dir);
  if (mounts.length > 0) throw new Error(`${dir} was not removed: ${mounts.length} mount(s) are still under it (${mounts.slice(0, 3).join(', ')})`);
  await rm(dir, { recursive: true, force: true, maxRetries: 3 });
}

/**
 * Marks a run directory as this process's: when the process is gone, the
 * next run or `ocicomply clean` removes it, after tearing down the
 * containers in its journal. Only a pid and its start time: nothing in it is
 * ever run or used as a path.
 */
export async function claimRunDir(dir: string): Promise<void> {
  const me = await identify(process.pid);
  const owner: Owner = { pid: process.pid, startTime: me?.startTime ?? '0' };
  await writeFile(join(dir, 'owner.json'), JSON.stringify(owner), { mode: 0o600, flag: 'wx' });
}

export interface StaleRun {
  readonly dir: string;
  readonly name: RunDirName;
}

export interface StaleScan {
  readonly stale: StaleRun[];
  /** Entries that look like run directories but are not provably the harness's: left alone. */
  readonly problems: string[];
}

/** A run that is still writing its owner file is this young at most. */
const CLAIM_GRACE_MS = 60_000;

/**
 * The run directories in `workDir` whose owner process is gone. The work
 * directory is checked as private first (SetupError otherwise).
 */
export async function staleRuns(workDir: string): Promise<StaleScan> {
  const base = await ensurePrivateDir(workDir);
  const uid = process.geteuid?.() ?? 0;
  const stale: StaleRun[] = [];
  const problems: string[] = [];
  for (const entry of await readdir(base)) {
    if (!entry.startsWith('run-')) continue;
    const dir = join(base, entry);
    const name = parseRunDirName(entry);
    if (!name) {
      problems.push(`left ${dir} alone: not named like a run directory of ocicomply`);
      continue;
    }
    const st = await lstat(dir).catch(() => undefined);
    if (!st) continue;
    const problem = privateDirProblem(st, uid);
    if (problem) {
      problems.push(`left ${dir} alone: it ${problem}`);
      continue;
    }
    const owner = await readOwner(join(dir, 'owner.json'));
    if (owner !== undefined && 'problem' in owner) {
      problems.push(`left ${dir} alone: ${owner.problem}`);
      continue;
    }
    if (owner) {
      const now = await identify(owner.owner.pid);
      if (now && now.startTime === owner.owner.startTime) continue; // still running
    } else if (Date.now() - st.mtimeMs < CLAIM_GRACE_MS) {
      continue;
    }
    stale.push({ dir, name });
  }
  return { stale, problems };
}
