/** What the console receiver (bundles/probe.c, console-receiver) got from `create --console-socket`. */
import { readFile } from 'node:fs/promises';
import { pollUntil } from '../../util/poll.js';
import type { CaseContext, Container } from '../context.js';
import { readReport } from '../probe-report.js';

export interface ConsoleSeen {
  /** The runtime's message: how many descriptors came with it, its data, whether the first is a terminal controller, and its window size then (null: nothing received). */
  readonly received: { readonly fds: number; readonly data: string; readonly controller: boolean; readonly winsize: { readonly rows: number; readonly cols: number } | null } | null;
  /** Everything read from the controller so far. */
  readonly output: string;
  /** What the program writes on its stdout (null: the container has no console receiver). */
  readonly marker: string | null;
}

interface LogLine {
  readonly event?: string;
  readonly fds?: number;
  readonly data?: string;
  readonly controller?: boolean;
  readonly winsize?: { rows: number; cols: number } | null;
}

async function readConsoleLog(path: string): Promise<{ received: ConsoleSeen['received']; output: string; closed: boolean }> {
  const text = await readFile(path, 'utf8').catch(() => '');
  let received: ConsoleSeen['received'] = null;
  let output = '';
  let closed = false;
  for (const line of text.split('\n')) {
    let e: LogLine;
    try {
      e = JSON.parse(line) as LogLine;
    } catch {
      continue; // not a whole line
    }
    if (e.event === 'received') received = { fds: e.fds ?? 0, data: e.data ?? '', controller: e.controller === true, winsize: e.winsize ?? null };
    else if (e.event === 'output') output += e.data ?? '';
    else if (e.event === 'closed') closed = true;
  }
  return { received, output, closed };
}

/**
 * Waits (up to the case's deadline) until the marker came out of the
 * controller or the terminal closed; or, once the program has written its
 * report, when nothing came over the socket at all: create, which passes
 * the controller, has long returned by then.
 */
export async function observeConsole(ctx: CaseContext, c: Container): Promise<ConsoleSeen> {
  const console = c.console;
  if (!console) return { received: null, output: '', marker: null };
  const done = await pollUntil(async () => {
    const got = await readConsoleLog(console.log);
    if (got.output.includes(console.marker) || got.closed) return got;
    return got.received === null && (await readReport(c.paths.report)).kind !== 'absent' ? got : undefined;
  }, { timeoutMs: ctx.timing.waitTimeoutMs, signal: ctx.signal });
  const seen = done ?? (await readConsoleLog(console.log));
  return { received: seen.received, output: seen.output, marker: console.marker };
}
