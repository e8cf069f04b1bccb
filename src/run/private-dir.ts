/**
 * The work directory is where a root run keeps runtime roots, bundles and the
 * journals that `clean` acts on later. Another local user who could write
 * there, or redirect it with a symlink, could steer what root removes or
 * kills. So it is made by the harness, private (0700) and owned by the user
 * running it, reached through directories only root or that user controls;
 * anything else is refused, never used.
 */
import { lstat, mkdir, readlink } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { SetupError } from '../util/errors.js';

/**
 * Where runs go unless --work-dir says otherwise, chosen so that two users
 * never share it: root's is on /run (root-only, emptied at boot); another
 * user's is in their own runtime directory, else a name carrying their uid.
 */
export function defaultWorkDir(uid = process.getuid?.() ?? 0, env: NodeJS.ProcessEnv = process.env): string {
  if (uid === 0) return '/run/ocicomply';
  const runtimeDir = env['XDG_RUNTIME_DIR'];
  if (runtimeDir && isAbsolute(runtimeDir)) return join(runtimeDir, 'ocicomply');
  return join(tmpdir(), `ocicomply-${uid}`);
}

const MAX_SYMLINKS = 40;

/** What is wrong with an existing directory as a private one, or undefined when nothing is. */
export function privateDirProblem(st: Pick<Stats, 'uid' | 'mode' | 'isDirectory' | 'isSymbolicLink'>, uid: number): string | undefined {
  if (st.isSymbolicLink()) return 'is a symbolic link';
  if (!st.isDirectory()) return 'is not a directory';
  if (st.uid !== uid) return `is owned by uid ${st.uid}, not by the user running ocicomply (uid ${uid})`;
  if ((st.mode & 0o022) !== 0) return `is writable by ${st.mode & 0o002 ? 'every user' : 'its group'} (mode ${(st.mode & 0o7777).toString(8)})`;
  return undefined;
}

/**
 * What is wrong with a directory on the way to the work directory, or
 * undefined. Such a directory may be shared (like /tmp) only when another
 * user cannot rename or remove what it holds: it is root's or ours, and if
 * others may write in it, the sticky bit is set.
 */
export function ancestorProblem(st: Pick<Stats, 'uid' | 'mode' | 'isDirectory'>, uid: number): string | undefined {
  if (!st.isDirectory()) return 'is not a directory';
  if (st.uid !== 0 && st.uid !== uid) return `is owned by uid ${st.uid}, which could replace what it holds`;
  if ((st.mode & 0o022) !== 0 && (st.mode & 0o1000) === 0) return `is writable by other users and not sticky (mode ${(st.mode & 0o7777).toString(8)})`;
  return undefined;
}

/**
 * Makes `path` (and any missing parent) with mode 0700, or checks the one
 * that exists; returns its absolute path. Throws SetupError naming the path
 * and what is wrong. A symlink is followed on the way only when root or this
 * user made it; the directory itself is never a symlink.
 */
export async function ensurePrivateDir(path: string, uid = process.geteuid?.() ?? 0): Promise<string> {
  const target = resolve(path);
  const refuse = (p: string, why: string): never => {
    throw new SetupError(`refusing to use work directory ${target}: ${p} ${why}; give --work-dir a directory that only you can write (ocicomply makes it, mode 0700)`);
  };
  const parts = target.split(sep).filter(Boolean);
  let at = '/';
  let hops = 0;
  for (let i = 0; i < parts.length; i++) {
    const last = i === parts.length - 1;
    const next = join(at, parts[i]!);
    let st: Stats | undefined;
    try {
      st = await lstat(next);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') refuse(next, `cannot be examined (${(e as NodeJS.ErrnoException).code})`);
    }
    if (st === undefined) {
      try {
        await mkdir(next, { mode: 0o700 });
      } catch (e) {
        // Someone made it meanwhile: examined below like any existing one.
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') refuse(next, `cannot be made (${(e as NodeJS.ErrnoException).code})`);
      }
      st = await lstat(next);
    }
    if (st.isSymbolicLink()) {
      if (last) refuse(next, 'is a symbolic link');
      if (st.uid !== 0 && st.uid !== uid) refuse(next, `is a symbolic link made by uid ${st.uid}`);
      if (++hops > MAX_SYMLINKS) refuse(next, 'leads through too many symbolic links');
      // Continue from where the link points, checking that path the same way.
      const dest = resolve(dirname(next), await readlink(next));
      const rest = parts.slice(i + 1);
      parts.splice(0, parts.length, ...dest.split(sep).filter(Boolean), ...rest);
      at = '/';
      i = -1;
      continue;
    }
    const problem = last ? privateDirProblem(st, uid) : ancestorProblem(st, uid);
    if (problem) refuse(next, problem);
    at = next;
  }
  return at;
}
