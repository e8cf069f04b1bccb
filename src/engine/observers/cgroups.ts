/**
 * Observations of the container's cgroups on the host's cgroupfs: where its
 * process was placed, what the runtime wrote into its files, who owns them,
 * and what the program read of them from inside.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { cgroupControllers, cgroupDirsAtPath, cgroupDirsEndingWith, cgroupDirsForPath, cgroupDirsOf, cgroupMode, exists } from '../../host/cgroups.js';
import { isAlive } from '../../host/proc.js';
import { pollUntil } from '../../util/poll.js';
import { readAction } from '../actions.js';
import type { CaseContext, Container } from '../context.js';
import { createOutcome, type CreateOutcome } from './common.js';

/** File -> value, for each cgroup version (a case's `v1`/`v2` parameters). */
export interface FileValuesByVersion {
  readonly v1: Readonly<Record<string, string>>;
  readonly v2: Readonly<Record<string, string>>;
}

/** The host is judged as v2 only when it is purely v2 (a hybrid host's controllers are v1). */
const isV2 = async (): Promise<boolean> => (await cgroupMode()) === 'v2';

function cgroupsPathOf(c: Container): string {
  return (c.config['linux'] as { cgroupsPath?: string } | undefined)?.cgroupsPath ?? '';
}

/** The container's cgroup directory that holds `file` (v1: the hierarchy of its controller). */
function dirFor(dirs: ReadonlyMap<string, string>, file: string, v2: boolean): string | undefined {
  if (v2) return dirs.get('unified');
  const controller = file.split('.')[0]!;
  for (const [key, dir] of dirs) if (key.split(',').includes(controller)) return dir;
  return undefined;
}

const readTrimmed = (path: string): Promise<string | null> => readFile(path, 'utf8').then((t) => t.trim(), () => null);

/**
 * The container's cgroup directories as the host sees them, keyed like
 * cgroupDirsOf: those at its absolute cgroupsPath, else those its process
 * (named by state) sits in; undefined when there are neither. The limits are
 * judged there, not through the container's own view: a runtime that runs
 * the container under a kernel of its own has no host process of the
 * container, but its cgroup on the host still carries the limits. Where the
 * runtime put the container elsewhere than cgroupsPath, cgroups.path.*
 * carries that failure and the limits are judged where it did put them.
 */
async function containerCgroupDirs(c: Container): Promise<ReadonlyMap<string, string> | undefined> {
  const path = cgroupsPathOf(c);
  if (path.startsWith('/')) {
    const atPath = await cgroupDirsAtPath(path);
    if (atPath.size > 0) return atPath;
  }
  if (c.process) return cgroupDirsOf(c.process.pid);
  return undefined;
}

/** One `a|b` entry of cgroup-value: where it was looked for and what was found. */
export interface CgroupFileSeen {
  /** The container's cgroup directory for the file's controller (null: the container has none). */
  readonly dir: string | null;
  /** The first of the alternative files the directory has, and what it holds (null: none of them). */
  readonly found?: { readonly file: string; readonly content: string } | null;
  /** v2, when no alternative is there: the controllers enabled for the directory (its cgroup.controllers). */
  readonly controllers?: readonly string[];
}

export interface CgroupValuesSeen {
  readonly create: CreateOutcome;
  readonly cgroupsPath: string;
  /** Whether the container has cgroup directories on the host (at cgroupsPath, or its process's). */
  readonly located: boolean;
  /** Each file entry of the host's version, by its `a|b` name. */
  readonly files: Readonly<Record<string, CgroupFileSeen>>;
}

export async function observeCgroupValues(ctx: CaseContext, c: Container, params: FileValuesByVersion & { readonly refusable?: boolean }): Promise<CgroupValuesSeen> {
  const create = createOutcome(ctx, c);
  const cgroupsPath = cgroupsPathOf(c);
  const v2 = await isV2();
  const want = params[v2 ? 'v2' : 'v1'];
  // A refused create made no cgroup; a version with no files has nothing to read.
  if ((params.refusable === true && !create.createdOk) || Object.keys(want).length === 0) return { create, cgroupsPath, located: false, files: {} };
  const dirs = await containerCgroupDirs(c);
  if (!dirs) return { create, cgroupsPath, located: false, files: {} };
  const files: Record<string, CgroupFileSeen> = {};
  for (const names of Object.keys(want)) {
    const dir = dirFor(dirs, names, v2);
    if (!dir) {
      files[names] = { dir: null };
      continue;
    }
    let found: CgroupFileSeen['found'] = null;
    for (const file of names.split('|')) {
      const content = await readTrimmed(join(dir, file));
      if (content !== null) {
        found = { file, content };
        break;
      }
    }
    files[names] = { dir, found, ...(found === null && v2 ? { controllers: await cgroupControllers('v2', dir) } : {}) };
  }
  return { create, cgroupsPath, located: true, files };
}

/** What the program read of one cgroup file from inside (null: it had not read it when the wait ended). */
export type InsideRead = { readonly content: string } | { readonly errno: number } | null;

export interface CgroupVisibleSeen {
  readonly cgroupsPath: string;
  readonly located: boolean;
  /** The files the program was asked to read (`cgroup:` actions), by this host's version's name, and both sides of each. */
  readonly files: readonly { readonly file: string; readonly onHost: string | null; readonly inside?: InsideRead }[];
}

export async function observeCgroupVisible(ctx: CaseContext, c: Container): Promise<CgroupVisibleSeen> {
  const v2 = await isV2();
  const actions = c.spec.program.do ?? [];
  const cgroupsPath = cgroupsPathOf(c);
  const wanted = actions.flatMap((a, index) => {
    const [kind, v1file, v2file] = a.split(':');
    return kind === 'cgroup' ? [{ file: (v2 ? v2file : v1file)!, index }] : [];
  });
  if (wanted.length === 0) return { cgroupsPath, located: false, files: [] };
  const dirs = await containerCgroupDirs(c);
  if (!dirs) return { cgroupsPath, located: false, files: wanted.map(({ file }) => ({ file, onHost: null })) };
  const files: CgroupVisibleSeen['files'][number][] = [];
  for (const { file, index } of wanted) {
    const dir = dirFor(dirs, file, v2);
    const onHost = dir === undefined ? null : await readTrimmed(join(dir, file));
    // Without the file on the host there is nothing to compare (the limit is cgroup-value's to judge).
    if (onHost === null) {
      files.push({ file, onHost });
      continue;
    }
    const r = await pollUntil(async () => (await readAction(c.paths.actions, index)).result, { timeoutMs: ctx.timing.waitTimeoutMs, signal: ctx.signal });
    const inside: InsideRead = !r ? null : typeof r.content === 'string' ? { content: r.content.trim() } : { errno: r.errno };
    files.push({ file, onHost, inside });
  }
  return { cgroupsPath, located: true, files };
}

export interface CgroupPathSeen {
  readonly cgroupsPath: string;
  /** The cgroup directories at the absolute cgroupsPath, or ending with the relative one. */
  readonly dirs: readonly string[];
  /** Those of them that hold a process themselves. */
  readonly held: readonly string[];
  /** The process state named (null: none), and whether it is still alive. */
  readonly process: { readonly pid: number; readonly alive: boolean } | null;
  /** Where the live container process sits, in the hierarchies where that is not the harness's own cgroup (hierarchy -> path). */
  readonly placed: Readonly<Record<string, string>> | null;
}

export async function observeCgroupPath(c: Container): Promise<CgroupPathSeen> {
  const cgroupsPath = cgroupsPathOf(c);
  const dirs = cgroupsPath.startsWith('/') ? [...(await cgroupDirsAtPath(cgroupsPath)).values()] : await cgroupDirsEndingWith(cgroupsPath);
  const held: string[] = [];
  for (const dir of dirs) if (((await readTrimmed(join(dir, 'cgroup.procs'))) ?? '') !== '') held.push(dir);
  const alive = c.process !== undefined && (await isAlive(c.process));
  let placed: Record<string, string> | null = null;
  if (c.process && alive) {
    const [theirs, ours] = await Promise.all([cgroupPaths(c.process.pid), cgroupPaths('self')]);
    // Hierarchies the runtime left alone keep the harness's own cgroup.
    placed = Object.fromEntries([...theirs].filter(([key, path]) => ours.get(key) !== path));
  }
  return { cgroupsPath, dirs, held, process: c.process ? { pid: c.process.pid, alive } : null, placed };
}

/** Hierarchy (controller list) -> cgroup path, from /proc/<pid>/cgroup. */
async function cgroupPaths(pid: number | 'self'): Promise<Map<string, string>> {
  const text = await readFile(`/proc/${pid}/cgroup`, 'utf8').catch(() => '');
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^\d+:([^:]*):(.*)$/.exec(line);
    if (m) out.set(m[1]!, m[2]!);
  }
  return out;
}

export interface CgroupParentSeen {
  /** The parent cgroup directories the harness made for the case. */
  readonly harnessCgroups: readonly string[];
  /** Each seeded file of the host's version: the parent directory that holds its controller, and what the file holds now (null: unreadable). */
  readonly files: Readonly<Record<string, { readonly dir: string | null; readonly content: string | null }>>;
}

export async function observeCgroupParent(c: Container, params: FileValuesByVersion): Promise<CgroupParentSeen> {
  const v2 = await isV2();
  const files: Record<string, { dir: string | null; content: string | null }> = {};
  for (const file of Object.keys(params[v2 ? 'v2' : 'v1'])) {
    const controller = file.split('.')[0]!;
    const dir = c.harnessCgroups.find((d) => v2 || d.split('/').some((part) => part.split(',').includes(controller))) ?? null;
    files[file] = { dir, content: dir === null ? null : await readTrimmed(join(dir, file)) };
  }
  return { harnessCgroups: [...c.harnessCgroups], files };
}

export interface NothingCreatedSeen {
  readonly createdOk: boolean;
  readonly cgroupsPath: string;
  /** The directories of cgroupsPath that exist, in any hierarchy. */
  readonly dirsLeft: readonly string[];
  /** Host processes whose cgroup is cgroupsPath or below it. */
  readonly processesIn: readonly number[];
}

export async function observeNothingCreated(c: Container): Promise<NothingCreatedSeen> {
  const cgroupsPath = cgroupsPathOf(c);
  const dirsLeft: string[] = [];
  const processesIn: number[] = [];
  // Only a failed create with an absolute cgroupsPath is looked into.
  if (!c.createdOk && cgroupsPath.startsWith('/')) {
    for (const dir of await cgroupDirsForPath(cgroupsPath)) if (await exists(dir)) dirsLeft.push(dir);
    for (const pid of (await readdir('/proc')).filter((n) => /^\d+$/.test(n))) {
      const paths = await cgroupPaths(Number(pid));
      if ([...paths.values()].some((p) => p === cgroupsPath || p.startsWith(`${cgroupsPath}/`))) processesIn.push(Number(pid));
    }
  }
  return { createdOk: c.createdOk, cgroupsPath, dirsLeft, processesIn };
}

/** Files a runtime may hand over with a delegated cgroup, when the kernel does not list them (config-linux.md). */
const DELEGATE_FALLBACK = ['cgroup.procs', 'cgroup.subtree_control', 'cgroup.threads'];

async function delegateFiles(): Promise<string[]> {
  const listed = await readFile('/sys/kernel/cgroup/delegate', 'utf8').then((t) => t.split('\n').map((l) => l.trim()).filter(Boolean), () => undefined);
  return listed ?? DELEGATE_FALLBACK;
}

/** Paths listed per owner: enough to name a few in a message. */
const PATHS_PER_OWNER = 8;

export interface CgroupOwnersSeen {
  /** Whether state named a container process. */
  readonly process: boolean;
  /** process.user.uid of config.json (0 when unset); with no user namespace, the host uid. */
  readonly configUid: number;
  /** How many cgroup directories of its own the container process was seen in. */
  readonly cgroupDirs: number;
  /** The owners of the paths looked at, in the order first met: how many paths each owns, and the first of them. */
  readonly owners: readonly { readonly uid: number; readonly count: number; readonly paths: readonly string[] }[];
}

/**
 * Who owns the container's cgroup directories and files: `delegated` looks at
 * each directory and the files /sys/kernel/cgroup/delegate lists, `others` at
 * every other file.
 */
export async function observeCgroupOwners(c: Container, files: 'delegated' | 'others'): Promise<CgroupOwnersSeen> {
  const configUid = (c.config['process'] as { user?: { uid?: number } } | undefined)?.user?.uid ?? 0;
  const owners = new Map<number, { uid: number; count: number; paths: string[] }>();
  if (c.process) {
    const delegated = new Set(await delegateFiles());
    for (const dir of c.cgroupDirs) {
      const entries = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name);
      const paths = files === 'delegated'
        ? [dir, ...entries.filter((n) => delegated.has(n)).map((n) => join(dir, n))]
        : entries.filter((n) => !delegated.has(n)).map((n) => join(dir, n));
      for (const p of paths) {
        const uid = (await stat(p)).uid;
        const o = owners.get(uid) ?? { uid, count: 0, paths: [] };
        owners.set(uid, o);
        o.count++;
        if (o.paths.length < PATHS_PER_OWNER) o.paths.push(p);
      }
    }
  }
  return { process: c.process !== undefined, configUid, cgroupDirs: c.cgroupDirs.length, owners: [...owners.values()] };
}
