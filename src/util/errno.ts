/** Errno names and numbers as this host's Linux defines them (static data, no I/O). */
import { constants } from 'node:os';

const ERRNO = constants.errno as Readonly<Record<string, number>>;

/** The name of an errno value ("no error" for 0). */
export function errnoName(n: number): string {
  return n === 0 ? 'no error' : Object.entries(ERRNO).find(([, v]) => v === n)?.[0] ?? `errno ${n}`;
}

/** The value of an errno name (e.g. EPERM), undefined for a name this host does not know. */
export function errnoNumber(name: string): number | undefined {
  return ERRNO[name];
}
