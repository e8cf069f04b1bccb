/**
 * SIGINT, SIGTERM and SIGHUP during a run. The first stops the cases; the
 * teardown that follows is bounded by the runtime-call and wait deadlines, so
 * it ends on its own. A second signal only says that it is still going; a
 * third leaves at once, keeping the run directory (the journal and the
 * runtime's root), which `ocicomply clean` or the next run finds once this
 * process is gone.
 */

/**
 * One Ctrl-C reaches the run up to three times: the terminal signals the
 * whole foreground group (launcher, subreaper, harness) and the launcher and
 * the subreaper pass it on. Signals this close to the last counted one are
 * the same press.
 */
export const SAME_PRESS_MS = 500;

export interface Interrupts {
  /** Aborted by the first signal. */
  readonly signal: AbortSignal;
  /** The first signal, if any. */
  readonly by: () => NodeJS.Signals | undefined;
  stop(): void;
}

/** The exit status of a run a signal stopped: 128 + the signal's number. */
export function interruptStatus(sig: NodeJS.Signals): number {
  return sig === 'SIGINT' ? 130 : sig === 'SIGTERM' ? 143 : 129;
}

export function watchInterrupts(
  runDir: string,
  write: (text: string) => void = (t) => process.stderr.write(t),
  exit: (status: number) => void = (status) => process.exit(status),
): Interrupts {
  const abort = new AbortController();
  let first: NodeJS.Signals | undefined;
  let presses = 0;
  let countedAt = -Infinity;
  const onSignal = (sig: NodeJS.Signals): void => {
    const now = performance.now();
    if (now - countedAt < SAME_PRESS_MS) return;
    countedAt = now;
    presses++;
    if (presses === 1) {
      first = sig;
      write(`\nocicomply: ${sig}: stopping, removing every container of this run\n`);
      abort.abort();
    } else if (presses === 2) {
      write(`ocicomply: ${sig}: still removing the containers of this run (every step has a deadline); once more leaves them in ${runDir} for \`ocicomply clean\`\n`);
    } else {
      write(`ocicomply: ${sig}: leaving now; kept ${runDir} (its journal and the runtime's root): \`ocicomply clean\` removes what is left\n`);
      exit(interruptStatus(first ?? sig));
    }
  };
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  for (const s of signals) process.on(s, onSignal);
  return {
    signal: abort.signal,
    by: () => first,
    stop: () => {
      for (const s of signals) process.off(s, onSignal);
    },
  };
}
