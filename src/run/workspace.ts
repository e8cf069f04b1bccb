/**
 * A run's own directory: the runtime's --root, the case bundles, scratch
 * files, and a journal of every container id handed to the runtime. Runs
 * killed before they could clean up are found by their dead owner and cleaned
 * by the next run (or `ocicomply clean`).
 */
import { randomBytes } from 'node:crypto';
import { appendFile, mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dir as tmpDir } from 'tmp-promise';
import { identify, type ProcessIdentity } from '../host/proc.js';

export const DEFAULT_WORK_DIR = join(tmpdir(), 'ocicomply');

/** Every name ocicomply gives (container ids, cgroup directories) starts with this. */
export const NAME_PREFIX = 'ocicomply-';

export interface JournalEntry {
  readonly id: string;
  readonly cgroupsPath: string;
  /** Cgroup directories the harness itself made for the container. */
  readonly harnessCgroups?: readonly string[];
  readonly process?: ProcessIdentity;
}

export interface Owner {
  readonly pid: number;
  readonly startTime: string;
  readonly runtime: string;
  readonly root: string;
}

export class Workspace {
  private serial = 0;

  private constructor(
    readonly dir: string,
    /** Short, random: makes ids unique per run even across machines sharing a work dir. */
    readonly runTag: string,
  ) {}

  static async open(workDir: string, runtime: string): Promise<Workspace> {
    await mkdir(workDir, { recursive: true, mode: 0o700 });
    const runTag = randomBytes(3).toString('hex');
    const { path } = await tmpDir({ tmpdir: workDir, prefix: `run-${runTag}-` });
    const ws = new Workspace(path, runTag);
    await Promise.all([mkdir(ws.root), mkdir(ws.scratch), mkdir(ws.casesDir)]);
    await claimRunDir(path, runtime, ws.root);
    return ws;
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

  /** A fresh container id and the cgroups path that goes with it. */
  nextContainer(): { id: string; cgroupsPath: string } {
    const id = `${NAME_PREFIX}${this.runTag}-${++this.serial}`;
    return { id, cgroupsPath: `/${id}` };
  }

  async caseDir(caseId: string): Promise<string> {
    const { path } = await tmpDir({ tmpdir: this.casesDir, prefix: `${caseId.replaceAll('/', '.')}-` });
    return path;
  }

  async removeCaseDir(path: string): Promise<void> {
    await rm(path, { recursive: true, force: true, maxRetries: 3 });
  }

  /** Appended before the runtime hears of the id, and again when its process is seen. */
  async journal(entry: JournalEntry): Promise<void> {
    await appendFile(join(this.dir, 'journal'), `${JSON.stringify(entry)}\n`);
  }

  async remove(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true, maxRetries: 3 });
  }
}

export async function readJournal(runDir: string): Promise<JournalEntry[]> {
  let text = '';
  try {
    text = await readFile(join(runDir, 'journal'), 'utf8');
  } catch {
    return [];
  }
  const byId = new Map<string, JournalEntry>();
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      const e = JSON.parse(line) as JournalEntry;
      byId.set(e.id, { ...byId.get(e.id), ...e });
    } catch {
      // a line cut short by a kill: the entries before it still count
    }
  }
  return [...byId.values()];
}

export interface StaleRun {
  readonly dir: string;
  readonly owner: Owner | undefined;
}

/**
 * Marks a directory under the work dir (named run-*) as this process's: when
 * the process is gone, the next run or `ocicomply clean` removes it, after
 * tearing down the containers in its journal.
 */
export async function claimRunDir(dir: string, runtime: string, root: string): Promise<void> {
  const me = await identify(process.pid);
  const owner: Owner = { pid: process.pid, startTime: me?.startTime ?? '', runtime, root };
  await writeFile(join(dir, 'owner.json'), JSON.stringify(owner));
}

/** Run directories whose owner process is gone. */
export async function staleRuns(workDir: string): Promise<StaleRun[]> {
  let names: string[] = [];
  try {
    names = (await readdir(workDir)).filter((n) => n.startsWith('run-'));
  } catch {
    return [];
  }
  const out: StaleRun[] = [];
  for (const name of names) {
    const dir = join(workDir, name);
    let owner: Owner | undefined;
    try {
      owner = JSON.parse(await readFile(join(dir, 'owner.json'), 'utf8')) as Owner;
    } catch {
      owner = undefined;
    }
    if (owner) {
      const now = await identify(owner.pid);
      if (now && now.startTime === owner.startTime) continue; // still running
    } else if (await youngerThan(dir, 60_000)) {
      continue; // a run that is still writing its owner file
    }
    out.push({ dir, owner });
  }
  return out;
}

async function youngerThan(path: string, ms: number): Promise<boolean> {
  try {
    return Date.now() - (await stat(path)).mtimeMs < ms;
  } catch {
    return false;
  }
}
