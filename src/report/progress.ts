/**
 * The human report's status line on a terminal: the cases running now, how
 * many are done, the time so far and an estimate of the time left. One line,
 * rewritten in place; whoever prints a lasting line clears it first.
 */

export interface Progress {
  readonly running: readonly string[];
  readonly done: number;
  readonly total: number;
  readonly elapsedMs: number;
  /** undefined until a case has finished: there is nothing to estimate from. */
  readonly leftMs: number | undefined;
}

/** Time left: the mean time of the finished cases, times the cases not finished, shared among the jobs. */
export function estimateLeftMs(finishedMs: readonly number[], notFinished: number, jobs: number): number | undefined {
  if (notFinished <= 0) return 0;
  if (finishedMs.length === 0) return undefined;
  const mean = finishedMs.reduce((a, b) => a + b, 0) / finishedMs.length;
  return (mean * notFinished) / Math.max(1, jobs);
}

/** m:ss (h:mm:ss from an hour on). */
export function clock(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const [h, m, sec] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60];
  const mm = h > 0 ? String(m).padStart(2, '0') : String(m);
  return `${h > 0 ? `${h}:` : ''}${mm}:${String(sec).padStart(2, '0')}`;
}

/** The status line, never wider than `width` (a wrapped line could not be rewritten in place). */
export function statusLine(p: Progress, width: number): string {
  const head = `[${p.done}/${p.total}] ${clock(p.elapsedMs)} elapsed${p.leftMs === undefined ? '' : `, about ${clock(p.leftMs)} left`}`;
  if (p.running.length === 0) return cut(head, width);
  const label = ' | running: ';
  const room = width - head.length - label.length;
  if (room < 8) return cut(head, width);
  return head + label + fitList(p.running, room);
}

/**
 * The running ids in `room` columns: whole if they fit, else without their
 * area ("hooks/timeout" as "timeout"), else as many as fit and "+N"; a single
 * id that does not fit is cut.
 */
function fitList(ids: readonly string[], room: number): string {
  const short = ids.map((id) => id.slice(id.lastIndexOf('/') + 1));
  if (ids.join(', ').length <= room) return ids.join(', ');
  for (let n = short.length; n >= 1; n--) {
    const shown = short.slice(0, n).join(', ') + (n < short.length ? ` +${short.length - n}` : '');
    if (shown.length <= room) return shown;
  }
  const more = short.length > 1 ? ` +${short.length - 1}` : '';
  return cut(short[0]!, room - more.length) + more;
}

function cut(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`;
}

/**
 * Keeps the status line on `out`: redrawn as cases start and finish and once
 * a second for the clock. The timer does not keep the process alive.
 */
export class StatusLine {
  private readonly running: string[] = [];
  private readonly finishedMs: number[] = [];
  private shown = false;
  private timer: NodeJS.Timeout | undefined;
  private startedAt = 0;
  private total = 0;

  constructor(
    private readonly out: NodeJS.WritableStream & { columns?: number },
    private readonly jobs: number,
    private readonly now: () => number,
  ) {}

  begin(total: number): void {
    this.total = total;
    this.startedAt = this.now();
    this.timer = setInterval(() => this.draw(), 1000);
    this.timer.unref();
  }

  caseStarted(id: string): void {
    this.running.push(id);
    this.draw();
  }

  caseDone(id: string, durationMs: number): void {
    const i = this.running.indexOf(id);
    if (i >= 0) this.running.splice(i, 1);
    this.finishedMs.push(durationMs);
  }

  /** Removes the line, so a lasting line can be printed in its place. */
  clear(): void {
    if (!this.shown) return;
    this.out.write('\r\x1b[K');
    this.shown = false;
  }

  draw(): void {
    if (this.timer === undefined) return;
    const done = this.finishedMs.length;
    const progress: Progress = {
      running: this.running, done, total: this.total, elapsedMs: this.now() - this.startedAt,
      leftMs: estimateLeftMs(this.finishedMs, this.total - done, this.jobs),
    };
    // A pseudo-terminal without a window size reports 0 columns.
    this.out.write(`\r\x1b[K${statusLine(progress, (this.out.columns || 80) - 1)}`);
    this.shown = true;
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.clear();
  }
}
