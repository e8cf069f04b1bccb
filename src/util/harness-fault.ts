/**
 * A harness fault: the harness's own file I/O failed (its disk is full or
 * read-only, its files cannot be written). Nothing the runtime did is shown
 * by it, so it is never a verdict on the runtime: the run stops and exits 2.
 */
import { statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import { SetupError } from './errors.js';

/** Errno codes that say the harness's disk, not the runtime, failed. */
const DISK_CODES = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EIO']);
/** Errno codes that are a harness fault only on a path the harness owns. */
const ACCESS_CODES = new Set(['EACCES', 'EPERM']);

export interface HarnessFault {
  readonly code: string;
  readonly path: string | undefined;
  readonly syscall: string | undefined;
}

/**
 * The harness fault an exception shows, or undefined when it is something
 * else. `ownDirs` are the directories the harness writes in; an access error
 * elsewhere may be the runtime's doing and is not one.
 */
export function harnessFaultOf(e: unknown, ownDirs: readonly string[]): HarnessFault | undefined {
  const err = e as NodeJS.ErrnoException | null;
  if (typeof err !== 'object' || err === null || typeof err.code !== 'string') return undefined;
  // A copy names its source as path and what it was writing as dest: the write is what failed.
  const dest = (err as { dest?: unknown }).dest;
  const path = typeof dest === 'string' ? dest : typeof err.path === 'string' ? err.path : undefined;
  const own = path !== undefined && ownDirs.some((d) => path === d || path.startsWith(`${d}/`));
  if (!DISK_CODES.has(err.code) && !(ACCESS_CODES.has(err.code) && own)) return undefined;
  return { code: err.code, path, syscall: typeof err.syscall === 'string' ? err.syscall : undefined };
}

const CODE_MEANING: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on device', EDQUOT: 'disk quota exceeded', EROFS: 'read-only file system', EIO: 'input/output error',
  EACCES: 'permission denied', EPERM: 'operation not permitted',
};

/** An I/O error as `CODE (meaning)`, or its message when it has no code. */
export function errnoText(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' ? `${code}${CODE_MEANING[code] ? ` (${CODE_MEANING[code]})` : ''}` : String((e as Error)?.message ?? e);
}

export function describeFault(f: HarnessFault): string {
  const meaning = `${f.code} (${CODE_MEANING[f.code] ?? 'error'})`;
  if (!f.syscall) return `${f.path ?? 'a file of the harness'}: ${meaning}`;
  return `${f.syscall} ${f.path ?? ''} failed with ${meaning}`.replace('  ', ' ');
}

/** Thrown by a case whose own I/O failed, after its teardown: the suite stops taking cases. */
export class HarnessFaultError extends Error {
  override readonly name = 'HarnessFaultError';
  constructor(readonly fault: HarnessFault) {
    super(describeFault(fault));
  }
}

/**
 * Free space a run needs in its work directory. A case's bundles hold a copy
 * of the probe (about 0.8 MiB) per container, a case has at most a few
 * containers, and a case directory is removed when its case ends: so 4 MiB
 * per case running at once, and 4 MiB more for the journal and the smoke
 * test's bundle. Far below this, the first bundles fail with ENOSPC.
 */
export const MIB = 1024 * 1024;
export function neededBytes(jobs: number): number {
  return (jobs + 1) * 4 * MIB;
}

/** Bytes an unprivileged writer may still use on the file system of `dir`. */
export async function freeBytes(dir: string): Promise<number> {
  const s = await statfs(dir);
  return s.bavail * s.bsize;
}

/** freeBytes of `path`, or of its nearest existing ancestor when the run has yet to make it. */
export async function freeBytesFor(path: string): Promise<number> {
  for (let at = path; ; at = dirname(at)) {
    try {
      return await freeBytes(at);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || dirname(at) === at) throw e;
    }
  }
}

/**
 * A case that failed while its work directory had less room than one case
 * needs may have failed for that alone: the runtime keeps its state in the
 * run's --root there, and a runtime that cannot write it fails its calls.
 * Such a failure is a harness fault, not a verdict.
 */
export async function fullDiskFault(dir: string): Promise<HarnessFault | undefined> {
  const free = await freeBytes(dir).catch(() => Infinity);
  return free < neededBytes(0) ? { code: 'ENOSPC', path: dir, syscall: undefined } : undefined;
}

/**
 * Why `free` bytes in work directory `dir` cannot hold a run with `jobs` cases
 * at once, or undefined when they can: every case running at once needs room
 * of its own, so the run's check and doctor's both ask with the run's --jobs.
 */
export function freeSpaceProblem(dir: string, free: number, jobs: number): string | undefined {
  const need = neededBytes(jobs);
  if (free >= need) return undefined;
  return `work directory ${dir} has ${(free / MIB).toFixed(1)} MiB free; a run with --jobs ${jobs} needs ${need / MIB} MiB: free some space there or give --work-dir a directory on another file system`;
}

/** Throws SetupError when the work directory's file system has less room than the run needs. */
export async function requireFreeSpace(dir: string, jobs: number): Promise<void> {
  const problem = freeSpaceProblem(dir, await freeBytes(dir), jobs);
  if (problem) throw new SetupError(problem);
}
