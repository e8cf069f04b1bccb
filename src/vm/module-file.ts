/**
 * Kernel module files as the host keeps them: plain `.ko`, or compressed
 * `.ko.xz`, `.ko.zst`, `.ko.gz` (Debian 13's kernels ship `.ko.xz`). busybox's
 * insmod hands the kernel the bytes it reads, so the initramfs gets every
 * module unpacked. Node has gzip but neither xz nor zstd: those go through
 * the xz and zstd programs (Debian: xz-utils, zstd).
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';

export type ModuleCompression = 'none' | 'xz' | 'zstd' | 'gzip';

/** The program that unpacks each compression, and the Debian package that brings it. */
export const UNPACKERS: Readonly<Record<'xz' | 'zstd', { readonly program: string; readonly fix: string }>> = {
  xz: { program: 'xz', fix: 'apt-get install xz-utils' },
  zstd: { program: 'zstd', fix: 'apt-get install zstd' },
};

/** Read from the file name, the way modules.dep and the kernel's tools name them. */
export function moduleCompression(file: string): ModuleCompression {
  if (file.endsWith('.ko')) return 'none';
  if (file.endsWith('.ko.xz')) return 'xz';
  if (file.endsWith('.ko.zst')) return 'zstd';
  if (file.endsWith('.ko.gz')) return 'gzip';
  throw new Error(`${file} is not a kernel module file (.ko, .ko.xz, .ko.zst or .ko.gz)`);
}

/** The file name the unpacked module gets: `virtio_pci.ko.xz` -> `virtio_pci.ko`. */
export function unpackedName(file: string): string {
  return file.split('/').pop()!.replace(/\.ko\.(xz|zst|gz)$/, '.ko');
}

const UNPACK_TIMEOUT_MS = 60_000;

function unpackWith(program: string, file: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    execFile(program, ['-dc', '--', file], { encoding: 'buffer', maxBuffer: 512 * 1024 * 1024, timeout: UNPACK_TIMEOUT_MS }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${program} -dc ${file} failed: ${stderr.toString().trim().split('\n')[0] || err.message}`));
      else resolve(stdout);
    });
  });
}

/** The module's bytes as insmod must hand them to the kernel. */
export async function readModule(file: string): Promise<Buffer> {
  const compression = moduleCompression(file);
  if (compression === 'none') return readFile(file);
  if (compression === 'gzip') return gunzipSync(await readFile(file));
  return unpackWith(UNPACKERS[compression].program, file);
}
