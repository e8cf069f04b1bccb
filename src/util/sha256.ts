import { createHash } from 'node:crypto';

/** The SHA-256 of `data` in lower-case hex, as sha256sum prints it. */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
