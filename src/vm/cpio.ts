/** A minimal writer of the "newc" cpio format the kernel unpacks as an initramfs. */

export type CpioEntry =
  | { readonly path: string; readonly type: 'dir'; readonly mode?: number }
  | { readonly path: string; readonly type: 'file'; readonly data: Buffer; readonly mode?: number };

function header(ino: number, mode: number, size: number, name: string): Buffer {
  const fields = [ino, mode, 0, 0, 1, 0, size, 0, 0, 0, 0, Buffer.byteLength(name) + 1, 0];
  return Buffer.from(`070701${fields.map((f) => f.toString(16).padStart(8, '0')).join('')}`, 'ascii');
}

function pad4(length: number): Buffer {
  return Buffer.alloc((4 - (length % 4)) % 4);
}

export function cpioArchive(entries: readonly CpioEntry[]): Buffer {
  const parts: Buffer[] = [];
  let ino = 1;
  const add = (mode: number, name: string, data: Buffer): void => {
    const h = header(ino++, mode, data.length, name);
    const n = Buffer.from(`${name}\0`);
    parts.push(h, n, pad4(h.length + n.length), data, pad4(data.length));
  };
  for (const e of entries) {
    const name = e.path.replace(/^\/+/, '');
    if (e.type === 'dir') add(0o040000 | (e.mode ?? 0o755), name, Buffer.alloc(0));
    else add(0o100000 | (e.mode ?? 0o644), name, e.data);
  }
  add(0, 'TRAILER!!!', Buffer.alloc(0));
  return Buffer.concat(parts);
}
