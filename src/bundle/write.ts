/**
 * Writes one container's bundle: config.json and a rootfs that holds only the
 * probe and the mount points the base config needs. The shared directory the
 * probe reports into sits beside the bundle, not in it, so the bundle itself
 * stays exactly as written.
 */
import { constants } from 'node:fs';
import { chmod, copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join, posix, resolve } from 'node:path';
import { IN_CONTAINER } from './config.js';

export interface WrittenBundle {
  readonly bundle: string;
  readonly shared: string;
  readonly probeInRootfs: string;
}

export interface BundleExtras {
  /** More directories in the rootfs, as absolute container paths (normalised here, so none leaves the rootfs). */
  readonly dirs: readonly string[];
  /** The report directory writable by every uid (it lies inside the run's private directory). */
  readonly openShared: boolean;
  /** More directories (absolute container paths) that hold a copy of the probe under its own file name. */
  readonly probeCopies?: readonly string[];
}

/** The rootfs writeBundle makes under dir, as an absolute path (for a config whose root.path is absolute). */
export function rootfsOf(dir: string): string {
  return resolve(dir, 'bundle', 'rootfs');
}

export async function writeBundle(dir: string, config: Record<string, unknown>, probeBinary: string, extras?: BundleExtras): Promise<WrittenBundle> {
  const bundle = join(dir, 'bundle');
  const shared = join(dir, 'shared');
  const rootfs = rootfsOf(dir);
  // The rootfs is new and holds only what is made here, so no path below it is a link.
  const inRootfs = (d: string): string => posix.normalize(`/${d}`).slice(1);
  const more = (extras?.dirs ?? []).map(inRootfs).filter((d) => d !== '');
  const copies = (extras?.probeCopies ?? []).map(inRootfs);
  await Promise.all(['proc', 'dev', 'sys/fs/cgroup', 'tmp', IN_CONTAINER.shared.slice(1), ...more, ...copies].map((d) => mkdir(join(rootfs, d), { recursive: true })));
  await mkdir(shared, { recursive: true });
  // chmod, not mkdir's mode, which the umask would narrow.
  if (extras?.openShared) await chmod(shared, 0o777);
  const probeInRootfs = join(rootfs, IN_CONTAINER.probe.slice(1));
  await copyFile(probeBinary, probeInRootfs, constants.COPYFILE_FICLONE);
  await chmod(probeInRootfs, 0o755);
  for (const d of copies) {
    const copy = join(rootfs, d, posix.basename(IN_CONTAINER.probe));
    await copyFile(probeBinary, copy, constants.COPYFILE_FICLONE);
    await chmod(copy, 0o755);
  }
  await writeFile(join(bundle, 'config.json'), JSON.stringify(config, null, 2));
  return { bundle, shared, probeInRootfs };
}
