/**
 * The kernel's seccomp audit records (type 1326) as this host's kernel log
 * (/dev/kmsg) holds them. Without an audit daemon the kernel prints them
 * there, rate-limited; with one, or for a container whose kernel is not this
 * host's, none of a container's calls show: callers must tell "no record"
 * from "not logged" with a call that is logged whatever the flags.
 */
import { closeSync, constants, openSync, readSync } from 'node:fs';

export interface SeccompRecord {
  readonly pid: number;
  readonly syscall: number;
  /** The filter's action (SECCOMP_RET_* without its data), as the record's code. */
  readonly code: number;
}

/** The fields of one kernel log record that is a seccomp audit record, else undefined. */
export function parseSeccompRecord(line: string): SeccompRecord | undefined {
  if (!/\btype=1326\b/.test(line)) return undefined;
  const field = (name: string): string | undefined => new RegExp(`\\b${name}=(\\S+)`).exec(line)?.[1];
  const pid = Number(field('pid'));
  const syscall = Number(field('syscall'));
  const code = Number(field('code'));
  return Number.isInteger(pid) && Number.isInteger(syscall) && Number.isInteger(code) ? { pid, syscall, code } : undefined;
}

/** Every seccomp record the kernel log still holds; undefined when the log cannot be read. */
export function readSeccompRecords(): SeccompRecord[] | undefined {
  let fd: number;
  try {
    fd = openSync('/dev/kmsg', constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  const records: SeccompRecord[] = [];
  const buf = Buffer.alloc(8192);
  try {
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, buf, 0, buf.length, null);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        // EPIPE: the record under the cursor was overwritten; the next read goes on
        if (code === 'EPIPE') continue;
        break; // EAGAIN: the end of the log
      }
      if (n <= 0) break;
      const r = parseSeccompRecord(buf.toString('utf8', 0, n));
      if (r) records.push(r);
    }
  } finally {
    closeSync(fd);
  }
  return records;
}
