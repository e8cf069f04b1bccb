/**
 * Checks on the paths a user names on the command line, made before a run
 * starts: a bad place is one message and exit 2, never a run that dies at its
 * end. Kernel pseudo filesystems are refused by their statfs type: they take
 * no files of ours, and Node's recursive mkdir never returns under /proc.
 */
import { stat, statfs } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { SetupError } from './errors.js';

/** statfs f_type of the kernel's pseudo filesystems (linux/magic.h). */
const PSEUDO_FILESYSTEMS: ReadonlyMap<number, string> = new Map([
  [0x9fa0, 'proc'],
  [0x62656572, 'sysfs'],
  [0x27e0eb, 'cgroup'],
  [0x63677270, 'cgroup2'],
  [0x64626720, 'debugfs'],
  [0x74726163, 'tracefs'],
  [0x73636673, 'securityfs'],
  [0x62656570, 'configfs'],
  [0xcafe4a11, 'bpf'],
  [0x1cd1, 'devpts'],
  [0x6165676c, 'pstore'],
  [0xde5e81e4, 'efivarfs'],
  [0xf97cff8c, 'selinuxfs'],
  [0x65735543, 'fusectl'],
  [0x42494e4d, 'binfmt_misc'],
  [0x19800202, 'mqueue'],
  [0x6e736673, 'nsfs'],
]);

/** The pseudo filesystem `path` (which exists) is on, or undefined for an ordinary one. */
export async function pseudoFilesystem(path: string): Promise<string | undefined> {
  return PSEUDO_FILESYSTEMS.get((await statfs(path)).type);
}

/** The errno code and its words from a Node fs error ("EROFS: read-only file system"). */
export function systemReason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const words = /^[A-Z0-9]+: ([^,]+)/.exec(err.message ?? '')?.[1];
  return err.code && words ? `${words} (${err.code})` : String(err.message ?? e);
}

/** `path` must be an existing directory on an ordinary filesystem (--cases). */
export async function requireDirectory(flag: string, path: string): Promise<string> {
  const abs = resolve(path);
  const info = await stat(abs).catch((e: NodeJS.ErrnoException) => {
    throw new SetupError(`${flag} ${path}: ${e.code === 'ENOENT' ? 'no such directory' : systemReason(e)}`);
  });
  if (!info.isDirectory()) throw new SetupError(`${flag} ${path}: not a directory`);
  const pseudo = await pseudoFilesystem(abs);
  if (pseudo) throw new SetupError(`${flag} ${path}: on a ${pseudo} filesystem, not a directory of ocicomply's`);
  return abs;
}

/**
 * `path` is a directory the run may create (--work-dir): if it exists it must
 * be a directory, otherwise its nearest existing ancestor must be; either
 * way not on a pseudo filesystem. Whether it is writable shows when the run
 * creates its directory in it, before any container.
 */
export async function requireDirectoryPlace(flag: string, path: string): Promise<string> {
  const abs = resolve(path);
  let at = abs;
  for (;;) {
    const info = await stat(at).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return undefined;
      throw new SetupError(`${flag} ${path}: ${at}: ${systemReason(e)}`);
    });
    if (info) {
      if (!info.isDirectory()) throw new SetupError(`${flag} ${path}: ${at} is not a directory`);
      break;
    }
    at = dirname(at);
  }
  const pseudo = await pseudoFilesystem(at);
  if (pseudo) throw new SetupError(`${flag} ${path}: ${at} is on a ${pseudo} filesystem, not a place for ocicomply's files`);
  return abs;
}
