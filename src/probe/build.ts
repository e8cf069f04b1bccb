/**
 * Builds the probe (bundles/probe.c) with the machine's cc as a static
 * binary, cached by the hash of its source: rebuilt only when the source or
 * the build command changes.
 */
import { execa } from 'execa';
import { createHash } from 'node:crypto';
import { access, mkdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../paths.js';
import { SetupError } from '../util/errors.js';


const SOURCE = join(PACKAGE_ROOT, 'bundles', 'probe.c');
const FLAGS = ['-static', '-O2', '-Wall', '-Wextra', '-Werror'];

export async function ensureProbe(cacheDir = join(PACKAGE_ROOT, 'build')): Promise<string> {
  let source: Buffer;
  try {
    source = await readFile(SOURCE);
  } catch {
    throw new SetupError(`the probe's source is missing: ${SOURCE}`);
  }
  const cc = process.env['CC'] ?? 'cc';
  const hash = createHash('sha256').update(source).update(JSON.stringify([cc, FLAGS])).digest('hex').slice(0, 12);
  const binary = join(cacheDir, `ocicomply-probe-${hash}`);
  try {
    await access(binary);
    return binary;
  } catch {
    // not built yet
  }
  await mkdir(cacheDir, { recursive: true });
  const partial = `${binary}.${process.pid}.tmp`;
  const r = await execa(cc, [...FLAGS, '-o', partial, SOURCE], { reject: false, timeout: 120_000 });
  if (r.failed) {
    await rm(partial, { force: true });
    const detail = String(r.stderr ?? '') || String(r.message ?? '');
    const why = r.code === 'ENOENT' ? `no C compiler "${cc}" on PATH` : detail.split('\n').slice(0, 5).join('\n');
    throw new SetupError(`the probe cannot be built (${why}); install a C compiler and static libc (Debian: apt-get install gcc libc6-dev)`);
  }
  await rename(partial, binary); // atomic: concurrent builders each produce a whole file
  return binary;
}
