/**
 * The one place that runs the runtime under test. Every call: an argument
 * array (no shell), the user's global options, then the harness's own --root, a deadline, and a record of what
 * happened. Nothing else in ocicomply spawns the runtime.
 */
import { execa } from 'execa';
import { closeSync, openSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describeOutcome } from '../results.js';
import type { CallRecord } from '../results.js';

export interface RuntimeCommand {
  /** Absolute path of the runtime executable. */
  readonly path: string;
  /**
   * Global options the runtime needs before its command (--runtime-arg:
   * a log level, a platform), given first, before the harness's --root.
   */
  readonly args: readonly string[];
}

export interface CallOptions {
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal | undefined;
}

export interface DriverOptions {
  readonly runtime: RuntimeCommand;
  /** The harness's own state directory for the runtime: never the runtime's default. */
  readonly root: string;
  /** Where per-call output files go (removed after reading). */
  readonly scratchDir: string;
  readonly timeoutMs: number;
  /** Sees every call once it has finished (for the run's total runtime time). */
  readonly onCall?: ((call: CallRecord) => void) | undefined;
}

const OUTPUT_LIMIT = 64 * 1024;
let callSerial = 0;

export class RuntimeDriver {
  constructor(readonly options: DriverOptions) {}

  /** Runs `runtime GLOBAL-OPTIONS --root ROOT ...args` (without --root for global queries). */
  async call(args: readonly string[], opts: CallOptions & { readonly withRoot?: boolean } = {}): Promise<CallRecord> {
    const global = this.options.runtime.args;
    const argv = opts.withRoot === false ? [...global, ...args] : [...global, '--root', this.options.root, ...args];
    return this.spawn(argv, opts);
  }

  /**
   * With consoleSocket, `--console-socket PATH`: the path of a listening
   * AF_UNIX socket, the form runtimes implement (the command line interface
   * document writes `<FD>`, an open socket; see README, The process).
   */
  create(id: string, bundle: string, opts?: CallOptions & { readonly consoleSocket?: string | undefined }): Promise<CallRecord> {
    const console = opts?.consoleSocket !== undefined ? ['--console-socket', opts.consoleSocket] : [];
    return this.call(['create', '--bundle', bundle, ...console, id], opts);
  }
  start(id: string, opts?: CallOptions): Promise<CallRecord> {
    return this.call(['start', id], opts);
  }
  state(id: string, opts?: CallOptions): Promise<CallRecord> {
    return this.call(['state', id], opts);
  }
  /** The runtime-spec's operation order: kill <container-id> <signal>. */
  kill(id: string, signal: string, opts?: CallOptions): Promise<CallRecord> {
    return this.call(['kill', id, signal], opts);
  }
  delete(id: string, opts?: CallOptions): Promise<CallRecord> {
    return this.call(['delete', id], opts);
  }
  run(id: string, bundle: string, opts?: CallOptions): Promise<CallRecord> {
    return this.call(['run', '--bundle', bundle, id], opts);
  }

  /**
   * Output goes to files, not pipes: after `create` the container process
   * inherits the runtime's stdout and stderr and keeps them open, so waiting
   * for a pipe to close would wait for the container to exit.
   */
  private async spawn(argv: string[], opts: CallOptions): Promise<CallRecord> {
    const n = ++callSerial;
    const outPath = join(this.options.scratchDir, `call-${process.pid}-${n}.out`);
    const errPath = join(this.options.scratchDir, `call-${process.pid}-${n}.err`);
    const outFd = openSync(outPath, 'w');
    const errFd = openSync(errPath, 'w');
    const timeoutMs = opts.timeoutMs ?? this.options.timeoutMs;
    const started = performance.now();
    let timedOut = false;
    let exitCode: number | null = null;
    let signal: string | null = null;
    try {
      const child = execa(this.options.runtime.path, argv, {
        stdin: 'ignore',
        stdout: fd(outFd),
        stderr: fd(errFd),
        reject: false,
        // Its own process group, so a deadline kills the runtime and anything
        // it started (a wrapper script's children), and a Ctrl-C on the
        // terminal reaches the harness, which then cleans up in order.
        detached: true,
        env: { LC_ALL: 'C' },
        extendEnv: true,
      });
      const killGroup = (why: 'deadline' | 'abort'): void => {
        if (why === 'deadline') timedOut = true;
        try {
          if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      };
      const timer = setTimeout(() => killGroup('deadline'), timeoutMs);
      const onAbort = (): void => killGroup('abort');
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      if (opts.signal?.aborted) onAbort();
      try {
        const result = await child;
        exitCode = result.exitCode ?? null;
        signal = result.signal ?? null;
      } finally {
        clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
      }
    } finally {
      closeSync(outFd);
      closeSync(errFd);
    }
    const [stdout, stderr] = await Promise.all([readLimited(outPath), readLimited(errPath)]);
    await Promise.all([rm(outPath, { force: true }), rm(errPath, { force: true })]);
    const record: CallRecord = {
      argv: [this.options.runtime.path, ...argv],
      exitCode: timedOut ? null : exitCode,
      signal,
      stdout,
      stderr,
      durationMs: Math.round((performance.now() - started) * 10) / 10,
      timedOut,
    };
    this.options.onCall?.(record);
    return record;
  }
}

/** execa passes any open descriptor through; its types only spell out 3 to 9. */
function fd(n: number): 3 {
  return n as 3;
}

async function readLimited(path: string): Promise<string> {
  try {
    const text = await readFile(path, 'utf8');
    return text.length > OUTPUT_LIMIT ? `${text.slice(0, OUTPUT_LIMIT)}\n[... ${text.length - OUTPUT_LIMIT} more characters]` : text;
  } catch {
    return '';
  }
}

/** True when the call exited by itself with status 0. */
export function succeeded(call: CallRecord): boolean {
  return call.exitCode === 0 && !call.timedOut;
}

export { describeOutcome };
