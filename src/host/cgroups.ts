/**
 * Where a process's cgroups are on the host: /proc/<pid>/cgroup names a path
 * per hierarchy, /proc/self/mountinfo tells where each hierarchy is mounted.
 * Works the same for v1, hybrid and v2 hosts.
 */
import { readFile, readdir, rmdir, stat, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import type { CgroupMode } from '../results.js';
import { mountInfo } from './mountinfo.js';
import { pollUntil } from '../util/poll.js';

const CGROUP2_SUPER_MAGIC = 0x63677270;

interface CgroupMount {
  /** Controllers (and name=...) of a v1 hierarchy; empty for the v2 one. */
  readonly controllers: readonly string[];
  readonly version: 1 | 2;
  readonly mountPoint: string;
  /** The cgroup path that is mounted at mountPoint (usually "/"). */
  readonly root: string;
}

export async function cgroupMode(base = '/sys/fs/cgroup'): Promise<CgroupMode> {
  if ((await statfs(base)).type === CGROUP2_SUPER_MAGIC) return 'v2';
  try {
    if ((await statfs(join(base, 'unified'))).type === CGROUP2_SUPER_MAGIC) return 'hybrid';
  } catch {
    // no unified mount: plain v1
  }
  return 'v1';
}

export async function cgroupMounts(): Promise<CgroupMount[]> {
  const mounts: CgroupMount[] = [];
  for (const m of await mountInfo()) {
    if (m.fstype === 'cgroup2') {
      mounts.push({ controllers: [], version: 2, mountPoint: m.mountPoint, root: m.root });
    } else if (m.fstype === 'cgroup') {
      const controllers = m.superOptions.split(',').filter((o) => o !== 'rw' && o !== 'ro' && (!o.includes('=') || o.startsWith('name=')));
      mounts.push({ controllers, version: 1, mountPoint: m.mountPoint, root: m.root });
    }
  }
  return mounts;
}

/** The controllers the host offers containers, by the names of its cgroup version. */
export async function cgroupControllers(mode: CgroupMode, base = '/sys/fs/cgroup'): Promise<string[]> {
  if (mode === 'v2') return (await readFile(join(base, 'cgroup.controllers'), 'utf8').catch(() => '')).trim().split(/\s+/).filter(Boolean);
  const names = (await cgroupMounts()).filter((m) => m.version === 1).flatMap((m) => m.controllers).filter((c) => !c.startsWith('name='));
  return [...new Set(names)].sort();
}

/** Host directories of every cgroup the process is in, keyed by hierarchy line. */
export async function cgroupDirsOf(pid: number | 'self'): Promise<Map<string, string>> {
  const dirs = new Map<string, string>();
  let text: string;
  try {
    text = await readFile(`/proc/${pid}/cgroup`, 'utf8');
  } catch {
    return dirs;
  }
  const mounts = await cgroupMounts();
  for (const line of text.split('\n')) {
    const m = /^(\d+):([^:]*):(.*)$/.exec(line);
    if (!m) continue;
    const [, , list = '', path = ''] = m;
    const mount = list === ''
      ? mounts.find((x) => x.version === 2)
      : mounts.find((x) => x.version === 1 && list.split(',').every((c) => x.controllers.includes(c)));
    if (!mount) continue;
    const rel = mount.root === '/' ? path : path === mount.root || path.startsWith(`${mount.root}/`) ? path.slice(mount.root.length) : undefined;
    if (rel === undefined) continue;
    dirs.set(list || 'unified', join(mount.mountPoint, rel));
  }
  return dirs;
}

/**
 * The host directories of an absolute cgroupsPath that exist, keyed like
 * cgroupDirsOf (a v1 hierarchy by its controller list, the v2 one as
 * `unified`). Where the host sees the container's cgroup even when no host
 * process is the container's (a runtime that runs it in a sandbox).
 */
export async function cgroupDirsAtPath(cgroupsPath: string): Promise<Map<string, string>> {
  const dirs = new Map<string, string>();
  for (const mount of await cgroupMounts()) {
    const rel = mount.root === '/' ? cgroupsPath : cgroupsPath === mount.root || cgroupsPath.startsWith(`${mount.root}/`) ? cgroupsPath.slice(mount.root.length) : undefined;
    if (rel === undefined) continue;
    const dir = join(mount.mountPoint, rel);
    const key = mount.version === 2 ? 'unified' : mount.controllers.join(',');
    // A hierarchy mounted twice (a chroot's /sys) is judged at its first mount, as cgroupDirsOf does.
    if (!dirs.has(key) && (await exists(dir))) dirs.set(key, dir);
  }
  return dirs;
}

/**
 * The host directories, in each hierarchy (at its first mount), whose path
 * ends with the relative cgroupsPath `rel`: where a runtime may have put a
 * relative path. Searched `maxDepth` levels down.
 */
export async function cgroupDirsEndingWith(rel: string, maxDepth = 8): Promise<string[]> {
  const found: string[] = [];
  const seen = new Set<string>();
  const walk = async (dir: string, depth: number): Promise<void> => {
    if (dir.endsWith(`/${rel}`)) found.push(dir);
    if (depth >= maxDepth) return;
    const children = (await readdir(dir, { withFileTypes: true }).catch(() => [])).filter((e) => e.isDirectory());
    for (const e of children) await walk(join(dir, e.name), depth + 1);
  };
  for (const mount of await cgroupMounts()) {
    const key = mount.version === 2 ? 'unified' : mount.controllers.join(',');
    if (seen.has(key)) continue;
    seen.add(key);
    await walk(mount.mountPoint, 0);
  }
  return found;
}

/** The hierarchies in which `pid` sits somewhere other than where the harness itself sits. */
export async function cgroupDirsCreatedFor(pid: number): Promise<string[]> {
  const [theirs, ours] = await Promise.all([cgroupDirsOf(pid), cgroupDirsOf('self')]);
  return [...theirs].filter(([key, dir]) => ours.get(key) !== dir).map(([, dir]) => dir);
}

export async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Every host directory that a cgroupsPath maps to, in every mounted hierarchy. */
export async function cgroupDirsForPath(cgroupsPath: string): Promise<string[]> {
  const mounts = await cgroupMounts();
  const unique = new Set(mounts.map((m) => join(m.mountPoint, cgroupsPath)));
  return [...unique];
}

/**
 * Removes cgroup directories bottom-up, only if empty of processes (rmdir
 * refuses otherwise). Returns the ones that could not be removed.
 */
export async function removeCgroupDirs(dirs: readonly string[]): Promise<string[]> {
  const left: string[] = [];
  for (const dir of dirs) {
    if (!(await exists(dir))) continue;
    await removeTree(dir);
    if (await exists(dir)) left.push(dir);
  }
  return left;
}

async function removeTree(dir: string): Promise<void> {
  let entries: string[] = [];
  try {
    entries = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch {
    return;
  }
  for (const e of entries) await removeTree(join(dir, e));
  try {
    await rmdir(dir);
  } catch {
    // busy or already gone: reported by the caller
  }
}

/** Pids in a cgroup directory and every cgroup below it. */
async function processesIn(dir: string): Promise<number[]> {
  const own = (await readFile(join(dir, 'cgroup.procs'), 'utf8').catch(() => '')).split('\n').filter(Boolean).map(Number);
  const children = (await readdir(dir, { withFileTypes: true }).catch(() => [])).filter((e) => e.isDirectory());
  const below = await Promise.all(children.map((e) => processesIn(join(dir, e.name))));
  return [...own, ...below.flat()];
}

/**
 * SIGKILLs whatever still sits in the harness's own cgroups (a runtime's
 * helper, a container process the runtime lost) so that they can be
 * removed; waits until they are empty or the deadline passes. Returns the
 * pids still there.
 */
export async function killCgroupProcesses(dirs: readonly string[], timeoutMs: number): Promise<number[]> {
  const remaining = async (): Promise<number[]> => (await Promise.all(dirs.map(processesIn))).flat().filter((p) => Number.isInteger(p) && p > 0);
  const emptied = await pollUntil(async () => {
    const pids = await remaining();
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
    return pids.length === 0 ? true : undefined;
  }, { timeoutMs });
  return emptied ? [] : remaining();
}
