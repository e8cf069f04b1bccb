/**
 * Where a report file goes (--json, --junit), opened before the run so a bad
 * place is refused before any container exists. A file is written through a
 * temporary file created in the target's directory at once (proving the
 * directory takes files) and renamed over the target when the report is
 * complete, so an earlier report stays whole until the new one is. `-` is
 * standard output.
 */
import { open, realpath, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { SetupError } from '../util/errors.js';
import { pseudoFilesystem, systemReason } from '../util/places.js';

export interface ReportOutput {
  /** What the user named: a path, or `-`. */
  readonly name: string;
  readonly isStdout: boolean;
  /** Writes the whole report and completes the file. Once. */
  write(text: string): Promise<void>;
  /** Removes the temporary file of a report never written; harmless after write. */
  discard(): Promise<void>;
}

const STDOUT: ReportOutput = {
  name: '-',
  isStdout: true,
  write: (text) => new Promise((res, rej) => process.stdout.write(text, (e) => (e ? rej(e) : res()))),
  discard: async () => {},
};

export async function openReportOutput(flag: string, name: string): Promise<ReportOutput> {
  if (name === '-') return STDOUT;
  if (name === '') throw new SetupError(`${flag} wants a file name (or - for standard output)`);
  const target = await placeOf(flag, name);
  const tempName = join(dirname(target), `.${basename(target)}.ocicomply-${process.pid}.tmp`);
  let handle: FileHandle | undefined;
  try {
    handle = await open(tempName, 'wx', 0o644);
  } catch (e) {
    throw new SetupError(`${flag} ${name}: cannot create a file in ${dirname(target)}: ${systemReason(e)}`);
  }
  let done = false;
  return {
    name,
    isStdout: false,
    async write(text) {
      if (done) throw new Error(`${flag} ${name} written twice`);
      done = true;
      try {
        await handle.writeFile(text, 'utf8');
        await handle.close();
        await rename(tempName, target);
      } catch (e) {
        await handle.close().catch(() => {});
        await unlink(tempName).catch(() => {});
        throw new SetupError(`${flag} ${name}: ${systemReason(e)}`);
      }
    },
    async discard() {
      if (done) return;
      done = true;
      await handle.close().catch(() => {});
      await unlink(tempName).catch(() => {});
    },
  };
}

/** The file the report replaces: its directory must exist on an ordinary filesystem, and it must be a regular file if it exists. */
async function placeOf(flag: string, name: string): Promise<string> {
  const abs = resolve(name);
  const dir = dirname(abs);
  const dirInfo = await stat(dir).catch((e: NodeJS.ErrnoException) => {
    throw new SetupError(`${flag} ${name}: ${e.code === 'ENOENT' ? `the directory ${dir} does not exist` : e.code === 'ENOTDIR' ? `${dir} is not a directory` : systemReason(e)}`);
  });
  if (!dirInfo.isDirectory()) throw new SetupError(`${flag} ${name}: ${dir} is not a directory`);
  const pseudo = await pseudoFilesystem(dir);
  if (pseudo) throw new SetupError(`${flag} ${name}: ${dir} is on a ${pseudo} filesystem, not a place for a report`);
  const existing = await stat(abs).catch(() => undefined);
  if (existing === undefined) return abs;
  if (!existing.isFile()) throw new SetupError(`${flag} ${name}: exists and is not a regular file (- means standard output)`);
  // A symbolic link to a report: the new report replaces the file it points to, not the link.
  const real = await realpath(abs);
  if (real !== abs) {
    const realPseudo = await pseudoFilesystem(dirname(real));
    if (realPseudo) throw new SetupError(`${flag} ${name}: points into a ${realPseudo} filesystem`);
  }
  return real;
}
