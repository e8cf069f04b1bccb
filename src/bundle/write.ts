/**
 * Writes one container's bundle: config.json and a rootfs that holds only the
 * probe and the mount points the base config needs. The shared directory the
 * probe reports into sits beside the bundle, not in it, so the bundle itself
 * stays exactly as written.
 */
import { constants } from 'node:fs';
import { chmod, copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { IN_CONTAINER } from './config.js';

export interface WrittenBundle {
  readonly bundle: string;
  readonly shared: string;
  readonly probeInRootfs: string;
}

/** The rootfs writeBundle makes under dir, as an absolute path (for a config whose root.path is absolute). */
export function rootfsOf(dir: string): string {
  return resolve(dir, 'bundle', 'rootfs');
}

export async function writeBundle(dir: string, config: Record<string, unknown>, probeBinary: string): Promise<WrittenBundle> {
  const bundle = join(dir, 'bundle');
  const shared = join(dir, 'shared');
  const rootfs = rootfsOf(dir);
  await Promise.all(['proc', 'dev', 'sys/fs/cgroup', 'tmp', IN_CONTAINER.shared.slice(1)].map((d) => mkdir(join(rootfs, d), { recursive: true })));
  await mkdir(shared, { recursive: true });
  const probeInRootfs = join(rootfs, IN_CONTAINER.probe.slice(1));
  await copyFile(probeBinary, probeInRootfs, constants.COPYFILE_FICLONE);
  await chmod(probeInRootfs, 0o755);
  await writeFile(join(bundle, 'config.json'), JSON.stringify(config, null, 2));
  return { bundle, shared, probeInRootfs };
}
