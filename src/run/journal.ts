/**
 * What a run writes about itself for `clean` to read back: owner.json (the
 * process that owns the run directory) and the journal (every container id
 * handed to the runtime, its cgroups, its process). Read back, they are
 * untrusted input: a file is read only if it is a regular file of ours, not
 * a symlink, and not huge; every value is checked against what the harness
 * itself would have written, and whatever fails is reported, never acted on.
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { posix } from 'node:path';
import type { ProcessIdentity } from '../host/proc.js';
import { isCgroupsPathOf, isContainerIdOf } from './names.js';

export interface JournalEntry {
  readonly id: string;
  readonly cgroupsPath: string;
  /** Cgroup directories the harness itself made for the container (a seeded parent). */
  readonly harnessCgroups?: readonly string[];
  readonly process?: ProcessIdentity;
}

/** The process that owns a run directory: while it lives, the run is not stale. */
export type Owner = ProcessIdentity;

const MAX_OWNER_BYTES = 4096;
const MAX_JOURNAL_BYTES = 16 * 1024 * 1024;

/** The text of a file the harness wrote, or a reason it will not be read. */
export async function readOwnFile(path: string, maxBytes: number, uid = process.geteuid?.() ?? 0): Promise<{ text: string } | { problem: string } | undefined> {
  let fh;
  try {
    fh = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    return { problem: code === 'ELOOP' ? `${path} is a symbolic link` : `${path} cannot be read (${code})` };
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) return { problem: `${path} is not a regular file` };
    if (st.uid !== uid) return { problem: `${path} is owned by uid ${st.uid}` };
    if (st.size > maxBytes) return { problem: `${path} is larger than ${maxBytes} bytes` };
    return { text: await fh.readFile('utf8') };
  } finally {
    await fh.close();
  }
}

function isProcessIdentity(v: unknown): v is ProcessIdentity {
  const p = v as Partial<ProcessIdentity> | null;
  return typeof p === 'object' && p !== null && Number.isSafeInteger(p.pid) && (p.pid as number) > 0 && typeof p.startTime === 'string' && /^[0-9]{1,20}$/.test(p.startTime);
}

export function parseOwner(text: string): Owner | undefined {
  try {
    const v = JSON.parse(text) as unknown;
    return isProcessIdentity(v) ? { pid: v.pid, startTime: v.startTime } : undefined;
  } catch {
    return undefined;
  }
}

export async function readOwner(path: string): Promise<{ owner: Owner } | { problem: string } | undefined> {
  const r = await readOwnFile(path, MAX_OWNER_BYTES);
  if (r === undefined || 'problem' in r) return r;
  const owner = parseOwner(r.text);
  return owner ? { owner } : { problem: `${path} does not name a process` };
}

/**
 * The harness's own cgroup directories: under one of the host's cgroup
 * mount points, named like this run's cgroups, no `..` anywhere.
 */
export function isHarnessCgroupDirOf(tag: string, dir: string, mountPoints: readonly string[]): boolean {
  if (!dir.startsWith('/') || posix.normalize(dir) !== dir) return false;
  return mountPoints.some((m) => dir.startsWith(`${m}/`) && isCgroupsPathOf(tag, dir.slice(m.length)));
}

export interface ParsedJournal {
  readonly entries: JournalEntry[];
  /** Lines that were not what the harness writes, with the reason: reported, not acted on. */
  readonly rejected: string[];
}

/**
 * The entries of a journal, merged by id (a container is journalled before
 * the runtime hears of it and again when its process is seen). A line cut
 * short by a kill is dropped silently; a line with values the harness would
 * never write is rejected whole.
 */
export function parseJournal(text: string, tag: string, cgroupMountPoints: readonly string[]): ParsedJournal {
  const byId = new Map<string, JournalEntry>();
  const rejected: string[] = [];
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    if (!line) return;
    let v: Record<string, unknown>;
    try {
      v = JSON.parse(line) as Record<string, unknown>;
    } catch {
      if (i !== lines.length - 1) rejected.push(`line ${i + 1}: not JSON`);
      return;
    }
    const why = entryProblem(v, tag, cgroupMountPoints);
    if (why) {
      rejected.push(`line ${i + 1}: ${why}`);
      return;
    }
    const e = v as unknown as JournalEntry;
    const entry: JournalEntry = {
      id: e.id, cgroupsPath: e.cgroupsPath,
      ...(e.harnessCgroups ? { harnessCgroups: [...e.harnessCgroups] } : {}),
      ...(e.process ? { process: { pid: e.process.pid, startTime: e.process.startTime } } : {}),
    };
    byId.set(entry.id, { ...byId.get(entry.id), ...entry });
  });
  return { entries: [...byId.values()], rejected };
}

function entryProblem(v: Record<string, unknown>, tag: string, mountPoints: readonly string[]): string | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'not an object';
  const { id, cgroupsPath, harnessCgroups, process } = v;
  if (typeof id !== 'string' || !isContainerIdOf(tag, id)) return `container id ${JSON.stringify(id)} is not one this run gives`;
  if (typeof cgroupsPath !== 'string' || !isCgroupsPathOf(tag, cgroupsPath)) return `cgroupsPath ${JSON.stringify(cgroupsPath)} is not one this run gives`;
  if (harnessCgroups !== undefined) {
    if (!Array.isArray(harnessCgroups)) return 'harnessCgroups is not a list';
    const bad = harnessCgroups.find((d) => typeof d !== 'string' || !isHarnessCgroupDirOf(tag, d, mountPoints));
    if (bad !== undefined) return `cgroup directory ${JSON.stringify(bad)} is not one this run makes under a cgroup mount`;
  }
  if (process !== undefined && !isProcessIdentity(process)) return `process ${JSON.stringify(process)} is not a pid and start time`;
  return undefined;
}

export async function readJournal(path: string, tag: string, cgroupMountPoints: readonly string[]): Promise<ParsedJournal> {
  const r = await readOwnFile(path, MAX_JOURNAL_BYTES);
  if (r === undefined) return { entries: [], rejected: [] };
  if ('problem' in r) return { entries: [], rejected: [r.problem] };
  return parseJournal(r.text, tag, cgroupMountPoints);
}
