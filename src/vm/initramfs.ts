/**
 * The VM's initramfs: busybox, the modules for 9p and overlayfs (unpacked
 * where the host's are compressed), and an init
 * that mounts the host's root read-only with a tmpfs overlay on top, mounts
 * the run's results directory, and hands over to the run's stage-two script.
 * Cached by content, like the probe.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile, access } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { cpioArchive, type CpioEntry } from './cpio.js';
import type { VmHost } from './host.js';
import { readModule, unpackedName } from './module-file.js';

/** Where the results directory appears inside the VM, and the script there that runs next. */
export const VM_RESULTS = '/ocicomply-results';
export const STAGE_TWO = `${VM_RESULTS}/stage2`;

const INIT = `#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in /modules/*.ko; do insmod "$m" || echo "ocicomply-vm: insmod $m failed"; done
fail() { echo "ocicomply-vm: $*"; echo o > /proc/sysrq-trigger; sleep 5; }
mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose hostroot /lower || fail "cannot mount the host root"
mount -t tmpfs -o size=4g tmpfs /upper || fail "cannot mount a tmpfs"
mkdir -p /upper/data /upper/work
mount -t overlay -o lowerdir=/lower,upperdir=/upper/data,workdir=/upper/work overlay /newroot || fail "cannot mount the overlay"
mkdir -p /newroot${VM_RESULTS}
mount -t 9p -o trans=virtio,version=9p2000.L results /newroot${VM_RESULTS} || fail "cannot mount the results directory"
umount /proc /sys
mount --move /dev /newroot/dev
exec switch_root /newroot ${STAGE_TWO}
`;

export async function buildInitramfs(host: VmHost, cacheDir: string): Promise<string> {
  const busybox = await readFile(host.busybox);
  // Unpacked, and named NN-name.ko: the init loads /modules/*.ko in name order, which is dependency order.
  const modules = await Promise.all(host.modules.map(async (m, i) => ({ name: `${String(i).padStart(3, '0')}-${unpackedName(m)}`, data: await readModule(m) })));
  const hash = createHash('sha256').update(INIT).update(busybox);
  for (const m of modules) hash.update(m.name).update(m.data);
  const file = join(cacheDir, `initramfs-${hash.digest('hex').slice(0, 12)}.gz`);
  try {
    await access(file);
    return file;
  } catch {
    // build it
  }
  const entries: CpioEntry[] = [
    ...['bin', 'proc', 'sys', 'dev', 'lower', 'upper', 'newroot', 'modules'].map((path) => ({ path, type: 'dir' as const })),
    { path: 'bin/busybox', type: 'file', data: busybox, mode: 0o755 },
    { path: 'init', type: 'file', data: Buffer.from(INIT), mode: 0o755 },
    ...modules.map((m) => ({ path: `modules/${m.name}`, type: 'file' as const, data: m.data })),
  ];
  await mkdir(cacheDir, { recursive: true });
  const partial = `${file}.${process.pid}.tmp`;
  await writeFile(partial, gzipSync(cpioArchive(entries), { level: 1 }));
  await rename(partial, file);
  return file;
}
