/**
 * A block device for the block I/O cases: the kernel only takes throttle and
 * per-device weight rules for a disk it has, so the cases name "the host's
 * block device" and the harness picks one. A disk backed by hardware (or a
 * VM's virtual disk) comes first; loop, zram and other purely virtual devices
 * only when they have a size.
 */
import { readdir, readFile, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import type { BlockDevice } from '../results.js';

export async function findBlockDevice(sysBlock = '/sys/block'): Promise<BlockDevice | null> {
  const names = (await readdir(sysBlock).catch(() => [] as string[])).sort();
  const found: { device: BlockDevice; rank: number }[] = [];
  for (const name of names) {
    const dir = join(sysBlock, name);
    const dev = /^(\d+):(\d+)$/.exec((await readFile(join(dir, 'dev'), 'utf8').catch(() => '')).trim());
    if (!dev) continue;
    const size = Number((await readFile(join(dir, 'size'), 'utf8').catch(() => '0')).trim());
    const virtual = (await realpath(dir).catch(() => dir)).includes('/devices/virtual/');
    const rank = !virtual ? 0 : size > 0 ? 1 : -1;
    if (rank >= 0) found.push({ device: { name, major: Number(dev[1]), minor: Number(dev[2]) }, rank });
  }
  found.sort((a, b) => a.rank - b.rank);
  return found[0]?.device ?? null;
}
