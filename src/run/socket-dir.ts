/**
 * Where a run binds its Unix sockets (the seccomp agents' listeners, the console receivers). A
 * socket path must fit sun_path (108 bytes with its NUL), so the sockets do
 * not live in the work directory, whose path the user chooses, but in a
 * short directory of the run's own: /run/ocicomply-TAG-sock for root (/run
 * is root's alone), else in the temporary directory. It is made with mode
 * 0700 by one mkdir that fails on anything already there, a symlink
 * included, so nothing another user prepared is ever used; the directory it
 * lies in must be one no other user can swap entries in.
 */
import { lstat, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SetupError } from '../util/errors.js';
import { NAME_PREFIX } from './names.js';
import { ancestorProblem, privateDirProblem } from './private-dir.js';

/** The longest socket name the run binds in it: a container id and `.sock` (a seccomp agent) or `.tty.sock` (a console receiver). */
export const SOCKET_NAME_MAX = 40;

export async function socketBase(uid = process.geteuid?.() ?? 0): Promise<string> {
  if (uid === 0) {
    const run = await lstat('/run').catch(() => undefined);
    if (run?.isDirectory()) return '/run';
  }
  return tmpdir();
}

export function socketDirName(tag: string): string {
  return `${NAME_PREFIX}${tag}-sock`;
}

/** Makes the run's socket directory; SetupError naming what is wrong when it cannot. */
export async function makeSocketDir(tag: string, uid = process.geteuid?.() ?? 0): Promise<string> {
  const base = await socketBase(uid);
  const st = await lstat(base);
  const problem = st.isSymbolicLink() ? 'is a symbolic link' : ancestorProblem(st, uid);
  if (problem) throw new SetupError(`refusing to make the run's socket directory in ${base}: it ${problem}; set TMPDIR to a directory only you and root can replace entries in`);
  const dir = join(base, socketDirName(tag));
  try {
    await mkdir(dir, { mode: 0o700 });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new SetupError(`cannot make the run's socket directory ${dir} (${code}): ${code === 'EEXIST' ? 'something is already there; remove it if no run is using it' : `${base} must be writable`}`);
  }
  const made = await lstat(dir);
  const wrong = privateDirProblem(made, uid);
  if (wrong) throw new SetupError(`refusing to use the run's socket directory ${dir}: it ${wrong}`);
  return dir;
}

/** The socket directory of a run that is gone, if it is still there and provably a private directory of ours. */
export async function staleSocketDir(tag: string, uid = process.geteuid?.() ?? 0): Promise<string | undefined> {
  const dir = join(await socketBase(uid), socketDirName(tag));
  const st = await lstat(dir).catch(() => undefined);
  return st && privateDirProblem(st, uid) === undefined ? dir : undefined;
}
