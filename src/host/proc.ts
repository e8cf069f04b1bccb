/**
 * Host-side observations of processes through procfs. Identity is (pid, start
 * time) so that a recycled pid is never mistaken for the container process.
 */
import { readdir, readFile, stat } from 'node:fs/promises';

export interface ProcessIdentity {
  readonly pid: number;
  /** Field 22 of /proc/<pid>/stat, in clock ticks since boot. */
  readonly startTime: string;
}

interface StatFields { readonly state: string; readonly startTime: string; readonly ppid: number }

async function readStat(pid: number): Promise<StatFields | undefined> {
  let text: string;
  try {
    text = await readFile(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // comm may contain spaces and parentheses: split after the last ')'.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const state = rest[0];
  const ppid = Number(rest[1]);
  const startTime = rest[19];
  if (state === undefined || startTime === undefined) return undefined;
  return { state, startTime, ppid };
}

/** The identity of a live (non-zombie) process, or undefined. */
export async function identify(pid: number): Promise<ProcessIdentity | undefined> {
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  const s = await readStat(pid);
  if (!s || s.state === 'Z' || s.state === 'X') return undefined;
  return { pid, startTime: s.startTime };
}

/** The parent's pid of a live process, or undefined. */
export async function parentPid(pid: number): Promise<number | undefined> {
  return (await readStat(pid))?.ppid;
}

/** True while the very process (not a recycled pid) exists and has not exited. */
export async function isAlive(p: ProcessIdentity): Promise<boolean> {
  const now = await identify(p.pid);
  return now !== undefined && now.startTime === p.startTime;
}

/** Inode number of /proc/<pid>/ns/<ns>, or undefined when unreadable. */
export async function namespaceInode(pid: number | 'self', ns: string): Promise<number | undefined> {
  try {
    return (await stat(`/proc/${pid}/ns/${ns}`)).ino;
  } catch {
    return undefined;
  }
}

/**
 * Is any host process in the namespace with this inode? A namespace that a
 * program reports of itself and that no host process is in belongs to another
 * kernel (a runtime that runs the container in a sandbox with a kernel of its
 * own), or is gone.
 */
export async function hostHasNamespace(ns: string, inode: number): Promise<boolean> {
  const pids = (await readdir('/proc')).filter((n) => /^\d+$/.test(n));
  for (const pid of pids) if ((await namespaceInode(Number(pid), ns)) === inode) return true;
  return false;
}

/** This kernel's boot id (/proc/sys/kernel/random/boot_id), or null when unreadable. */
export async function bootId(): Promise<string | null> {
  try {
    return (await readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim() || null;
  } catch {
    return null;
  }
}

/** The namespaces that tell where a process runs. */
export const COMPARED_NAMESPACES = ['mnt', 'pid', 'net', 'uts', 'ipc'] as const;

export async function namespacesOf(pid: number | 'self'): Promise<Record<string, number | undefined>> {
  const inodes = await Promise.all(COMPARED_NAMESPACES.map((ns) => namespaceInode(pid, ns)));
  return Object.fromEntries(COMPARED_NAMESPACES.map((ns, i) => [ns, inodes[i]]));
}

/** The pid a process has in its own (innermost) pid namespace: the last NSpid field. */
export async function pidInOwnNamespace(pid: number): Promise<number | undefined> {
  try {
    const m = /^NSpid:\s*(.*)$/m.exec(await readFile(`/proc/${pid}/status`, 'utf8'));
    const last = m?.[1]?.trim().split(/\s+/).at(-1);
    return last === undefined ? undefined : Number(last);
  } catch {
    return undefined;
  }
}

/** (device, inode) of the file a process executes: compares across mount namespaces. */
export async function executableId(pid: number): Promise<string | undefined> {
  try {
    const s = await stat(`/proc/${pid}/exe`);
    return `${s.dev}:${s.ino}`;
  } catch {
    return undefined;
  }
}

export async function fileId(path: string): Promise<string | undefined> {
  try {
    const s = await stat(path);
    return `${s.dev}:${s.ino}`;
  } catch {
    return undefined;
  }
}

export async function commandLine(pid: number): Promise<string[]> {
  try {
    return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').filter((a, i, all) => a !== '' || i < all.length - 1);
  } catch {
    return [];
  }
}

/** Kills a process by identity, only if it is still that process. */
export async function killIfSame(p: ProcessIdentity, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (!(await isAlive(p))) return;
  try {
    process.kill(p.pid, signal);
  } catch {
    // already gone
  }
}
