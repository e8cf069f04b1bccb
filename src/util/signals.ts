import { constants } from 'node:os';

/** The number of a signal named without its SIG prefix ("TERM" -> 15), on this host. */
export function signalNumber(name: string): number | undefined {
  const n = (constants.signals as Record<string, number>)[`SIG${name}`];
  return typeof n === 'number' ? n : undefined;
}
