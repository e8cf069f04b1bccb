/**
 * The directory `run --certify DIR` writes: made by ocicomply (mode 0755),
 * or an existing empty directory of the user's that no one else can write.
 * Anything else is refused before the run starts: a symbolic link, a
 * directory with files in it, one another user owns or can write, or one
 * reached through a directory another user could change.
 */
import { lstat, mkdir, readdir, realpath, rmdir, chmod } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { ancestorProblem } from '../run/private-dir.js';
import { SetupError } from '../util/errors.js';
import { pseudoFilesystem, systemReason } from '../util/places.js';

export interface CertifyTarget {
  readonly dir: string;
  /** Made by this run: removed again when the run writes no bundle. */
  readonly created: boolean;
}

export async function prepareCertifyDir(given: string, uid = process.geteuid?.() ?? 0): Promise<CertifyTarget> {
  const refuse = (why: string): never => {
    throw new SetupError(`--certify ${given}: ${why}; give a new directory (ocicomply makes it, mode 0755) or an empty one only you can write`);
  };
  if (given === '') refuse('wants a directory');
  const abs = resolve(given);
  if (abs === '/') refuse('is the root directory');
  const parent = await realpath(dirname(abs)).catch((e: NodeJS.ErrnoException) => refuse(e.code === 'ENOENT' ? `its parent ${dirname(abs)} does not exist (only DIR itself is made)` : `its parent ${dirname(abs)}: ${systemReason(e)}`));
  // The real path's every directory must be one only root or the user can change.
  let at = '/';
  for (const part of ['', ...parent.split(sep).filter(Boolean)]) {
    at = join(at, part);
    const problem = ancestorProblem(await lstat(at), uid);
    if (problem) refuse(`${at} ${problem}`);
  }
  const pseudo = await pseudoFilesystem(parent);
  if (pseudo) refuse(`${parent} is on a ${pseudo} filesystem`);
  const dir = join(parent, basename(abs));
  const st = await lstat(dir).catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? undefined : refuse(systemReason(e))));
  if (st === undefined) {
    // mkdir fails on anything already there, a symbolic link made meanwhile included.
    await mkdir(dir, { mode: 0o755 }).catch((e: unknown) => refuse(`cannot be made: ${systemReason(e)}`));
    await chmod(dir, 0o755);
    return { dir, created: true };
  }
  if (st.isSymbolicLink()) refuse('is a symbolic link');
  if (!st.isDirectory()) refuse('exists and is not a directory');
  if (st.uid !== uid) refuse(`is owned by uid ${st.uid}, not by the user running ocicomply (uid ${uid})`);
  if ((st.mode & 0o022) !== 0) refuse(`is writable by ${st.mode & 0o002 ? 'every user' : 'its group'} (mode ${(st.mode & 0o7777).toString(8)})`);
  const entries = await readdir(dir);
  if (entries.length > 0) refuse(`is not empty (${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}, such as ${entries.sort()[0]})`);
  return { dir, created: false };
}

/** Where one runtime's bundle goes: DIR itself, or DIR/NAME when the run judges several runtimes. */
export async function bundleDir(target: CertifyTarget, name: string, several: boolean): Promise<string> {
  if (!several) return target.dir;
  const dir = join(target.dir, name);
  await mkdir(dir, { mode: 0o755 }).catch((e: unknown) => {
    throw new SetupError(`--certify ${target.dir}: cannot make ${dir}: ${systemReason(e)}`);
  });
  await chmod(dir, 0o755);
  return dir;
}

/** A directory this run made and wrote nothing into is removed again (rmdir: never what holds files). */
export async function discardIfEmpty(target: CertifyTarget): Promise<void> {
  if (target.created) await rmdir(target.dir).catch(() => {});
}
