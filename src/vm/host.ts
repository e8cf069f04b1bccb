/**
 * What a throwaway VM needs from this machine: qemu, a kernel with its
 * modules, and a static busybox. Found, or named as missing with the Debian
 * package that brings it.
 */
import { access, readdir, readFile } from 'node:fs/promises';
import { constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { moduleCompression, UNPACKERS } from './module-file.js';

export interface VmHost {
  readonly qemu: string;
  /** util-linux's setpriv: qemu gets SIGKILL when the harness dies, even by SIGKILL. */
  readonly setpriv: string;
  readonly kernel: string;
  readonly kernelVersion: string;
  /** Module files to insmod, dependencies first (compressed ones are unpacked into the initramfs). */
  readonly modules: readonly string[];
  readonly busybox: string;
}

export interface Missing {
  readonly what: string;
  readonly fix: string;
}

/**
 * Modules the initramfs loads to reach the host's root over 9p and lay an
 * overlay on it, and for the VM's one (empty) disk, which the block I/O cases
 * need. Not BFQ: with it loaded a v1 VM once livelocked (both vCPUs busy, no
 * progress), so the VMs have no v1 block I/O weight file.
 */
const WANTED_MODULES = ['virtio_pci', '9pnet_virtio', '9p', 'overlay', 'virtio_blk'];

async function onPath(name: string): Promise<string | undefined> {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      await access(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Does this ELF file ask for a dynamic loader (a PT_INTERP program header)? */
async function isDynamic(path: string): Promise<boolean> {
  const b = await readFile(path);
  if (b.readUInt32BE(0) !== 0x7f454c46 || b[4] !== 2) return true; // not a 64-bit ELF: do not trust it
  const phoff = Number(b.readBigUInt64LE(0x20));
  const phentsize = b.readUInt16LE(0x36);
  const phnum = b.readUInt16LE(0x38);
  for (let i = 0; i < phnum; i++) if (b.readUInt32LE(phoff + i * phentsize) === 3) return true;
  return false;
}

/** Module name as modules.dep spells it (dashes and underscores are the same to the kernel). */
function moduleName(file: string): string {
  return file.split('/').pop()!.replace(/\.ko(\..*)?$/, '').replaceAll('-', '_');
}

async function moduleLoadOrder(kernelVersion: string): Promise<string[] | Missing> {
  const base = join('/lib/modules', kernelVersion);
  let dep: string;
  try {
    dep = await readFile(join(base, 'modules.dep'), 'utf8');
  } catch {
    return { what: `the modules of kernel ${kernelVersion} (${base}/modules.dep)`, fix: 'apt-get install linux-image-amd64' };
  }
  const builtin = new Set((await readFile(join(base, 'modules.builtin'), 'utf8').catch(() => '')).split('\n').filter(Boolean).map(moduleName));
  const deps = new Map<string, { file: string; needs: string[] }>();
  for (const line of dep.split('\n')) {
    const [file, rest] = line.split(':');
    if (!file || rest === undefined) continue;
    deps.set(moduleName(file), { file, needs: rest.trim().split(/\s+/).filter(Boolean).map(moduleName) });
  }
  const order: string[] = [];
  const visit = (name: string): Missing | undefined => {
    const d = deps.get(name);
    if (!d) return builtin.has(name) ? undefined : { what: `kernel module ${name} for ${kernelVersion}`, fix: 'a kernel with 9p, virtio and overlayfs (Debian: apt-get install linux-image-amd64)' };
    for (const n of d.needs) {
      const m = visit(n);
      if (m) return m;
    }
    const path = join(base, d.file);
    if (!order.includes(path)) order.push(path);
    return undefined;
  };
  for (const m of WANTED_MODULES) {
    const missing = visit(m);
    if (missing) return missing;
  }
  for (const f of order) {
    const c = moduleCompression(f);
    if ((c === 'xz' || c === 'zstd') && !(await onPath(UNPACKERS[c].program))) {
      return { what: `${UNPACKERS[c].program}, to unpack the compressed kernel modules (${f})`, fix: UNPACKERS[c].fix };
    }
  }
  return order;
}

export async function findVmHost(): Promise<{ host?: VmHost; missing: Missing[] }> {
  const missing: Missing[] = [];
  if (process.arch !== 'x64') missing.push({ what: 'an x86_64 host', fix: 'the VM mode boots an x86_64 kernel' });
  const qemu = await onPath('qemu-system-x86_64');
  if (!qemu) missing.push({ what: 'qemu-system-x86_64', fix: 'apt-get install qemu-system-x86' });
  const setpriv = await onPath('setpriv');
  if (!setpriv) missing.push({ what: 'setpriv', fix: 'apt-get install util-linux' });
  let busybox: string | undefined;
  for (const p of ['/bin/busybox', '/usr/bin/busybox']) {
    try {
      await access(p, constants.X_OK);
      if (!(await isDynamic(p))) busybox = p;
    } catch {
      // not there
    }
  }
  if (!busybox) missing.push({ what: 'a static busybox', fix: 'apt-get install busybox-static' });
  const kernels = (await readdir('/boot').catch(() => [])).filter((f) => f.startsWith('vmlinuz-')).sort().reverse();
  let kernel: string | undefined;
  let kernelVersion: string | undefined;
  let modules: string[] | undefined;
  let moduleProblem: Missing | undefined;
  for (const k of kernels) {
    const version = k.slice('vmlinuz-'.length);
    const order = await moduleLoadOrder(version);
    if (Array.isArray(order)) {
      kernel = join('/boot', k);
      kernelVersion = version;
      modules = order;
      break;
    }
    moduleProblem ??= order;
  }
  if (!kernel) missing.push(moduleProblem ?? { what: 'a kernel in /boot (vmlinuz-*)', fix: 'apt-get install linux-image-amd64' });
  if (missing.length > 0 || !qemu || !setpriv || !busybox || !kernel || !kernelVersion || !modules) return { missing };
  return { host: { qemu, setpriv, kernel, kernelVersion, modules, busybox }, missing };
}
