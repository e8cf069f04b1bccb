/** The hook log: one JSON line per hook run, written by the probe in hook mode. */
import { readFile } from 'node:fs/promises';

export interface HookRecord {
  readonly label: string;
  /**
   * CLOCK_MONOTONIC when the hook started, in microseconds, by the clock where
   * the hook ran: comparable with other runtime-namespace hooks, never with the
   * program's startedUs (a sandboxed container has a clock of its own).
   */
  readonly us: number;
  readonly pid: number;
  readonly ppid: number;
  readonly namespaces: Readonly<Record<string, number | null>>;
  readonly parentNamespaces: Readonly<Record<string, number | null>>;
  readonly cwd: string | null;
  readonly argv: readonly string[];
  readonly env: readonly string[];
  /** Exactly what the hook read on stdin. */
  readonly stdin: string;
  /** dev:ino of what the state's pid was executing, seen from the hook; null if unreadable. */
  readonly targetExe: string | null;
}

export type HookLog = { readonly kind: 'ok'; readonly records: readonly HookRecord[] } | { readonly kind: 'garbled'; readonly error: string };

export async function readHookLog(path: string): Promise<HookLog> {
  let text = '';
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return { kind: 'ok', records: [] };
  }
  const records: HookRecord[] = [];
  for (const [i, line] of text.split('\n').entries()) {
    if (line === '') continue;
    try {
      records.push(JSON.parse(line) as HookRecord);
    } catch (e) {
      return { kind: 'garbled', error: `line ${i + 1} of the hook log is not JSON (${(e as Error).message})` };
    }
  }
  return { kind: 'ok', records };
}
