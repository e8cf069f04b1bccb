/**
 * TAP 13, flat: one top-level test point per (case, requirement) verdict and
 * one per case file that could not be loaded, YAML diagnostics on every
 * failed point, the plan at the end.
 *
 * Why this shape: TAP 13 is the newest version every reader takes (Debian
 * 12's `prove`, Test::Harness 3.44, refuses "TAP version 14"; node's
 * tap-parser and later `prove`s read 13 too), and a TAP 13 reader sees only
 * top-level points: with cases as indented subtests it would count neither
 * the skips nor the warnings inside them. So every reader counts the same
 * verdicts the results document's summary counts:
 *
 *   pass  `ok N - case: requirement (LEVEL)`
 *   fail  `not ok N - ...`                          (a failed MUST)
 *   warn  `not ok N - ... # TODO warning: ...`      (a failed SHOULD or MAY:
 *                                                    reported, never a failure)
 *   skip  `ok N - ... # SKIP reason`
 */
import { isKnownDeviation, outcomeOf, shownMessage } from '../results.js';
import type { CallRecord, CaseResult, LoadError, RequirementResult, RunDocument } from '../results.js';
import { flush, totalsOf, truncate, type Reporter, type RunInfo } from './reporter.js';
import { yamlishDocument } from './yamlish.js';

const TAP_VERSION_LINE = 'TAP version 13';

export function createTapReporter(out: NodeJS.WritableStream): Reporter {
  // A reader that went away (`| head`) ends the output, not the run: the run
  // must still reach its teardown, so writes stop and errors are swallowed.
  let gone = false;
  const outGone = new Promise<void>((resolve) => {
    const stop = (): void => {
      gone = true;
      resolve();
    };
    out.on('error', stop);
    out.once('close', stop);
  });
  const write = (lines: readonly string[]): void => {
    if (!gone && lines.length > 0) out.write(`${lines.join('\n')}\n`);
  };
  let points = 0;
  let ending: Promise<void> | undefined;

  write([TAP_VERSION_LINE]);
  return {
    start(info: RunInfo) {
      write([
        `# ocicomply: ${info.total} case(s)`,
        `# runtime: ${oneLine([info.runtime.path, ...info.runtime.args].join(' '))} (${oneLine(info.runtime.version ?? 'version unknown')})`,
        `# spec: ${info.specVersion}; host: cgroup ${info.host.cgroup}, kernel ${oneLine(info.host.kernel)}`,
      ]);
    },

    caseDone(result: CaseResult) {
      // The case's own line says what it is about and how long it ran; its
      // verdicts follow. Comments are never counted by any reader.
      const lines = [`# case ${oneLine(result.summary ? `${result.case} - ${result.summary}` : result.case)} (${result.durationMs} ms)`];
      for (const problem of result.cleanupProblems) lines.push(`# cleanup: ${oneLine(problem)}`);
      for (const r of result.results) lines.push(...point(++points, r, result.calls));
      write(lines);
    },

    loadError(error: LoadError) {
      write([`not ok ${++points} - ${escaped(`case file ${error.file}`)}`, ...yamlishDocument({ file: error.file, message: error.message }, '  ')]);
    },

    end(doc: RunDocument) {
      // The plan is trailing: load errors add points beyond RunInfo.total and may arrive at any time.
      ending ??= (async () => {
        const n = totalsOf(doc);
        // Not test points, so every reader counts what the summary counts; the exit status (3) fails the run.
        const left = (doc.leftovers ?? []).map((l) => `# left behind: ${oneLine(l.case === null ? l.what : `${l.case}: ${l.what}`)}`);
        if (left.length > 0) left.push(`# ${left.length} thing(s) left behind: \`ocicomply clean\` removes them`);
        write([
          ...checkConfigComments(doc),
          ...left,
          `# summary: ${n.passed} pass, ${n.failed} fail, ${n.skipped} skip, ${n.warnings} warn` +
            (n.loadErrors > 0 ? `, ${n.loadErrors} load error(s)` : ''),
          points > 0 ? `1..${points}` : '1..0 # SKIP no cases',
        ]);
        await Promise.race([flush(out).catch(() => undefined), outGone]);
      })();
      return ending;
    },
  };
}

/** check-config: the config, what was changed in it and what was not judged, as comments (no reader counts them). */
function checkConfigComments(doc: RunDocument): string[] {
  const c = doc.checkConfig;
  if (!c) return [];
  return [
    `# config: ${oneLine(c.config.file)} (sha256 ${c.config.sha256}, ociVersion ${oneLine(c.config.ociVersion)})`,
    ...c.changed.map((n) => `# changed: ${n.property}: ${oneLine(n.why)}`),
    ...c.notJudged.map((n) => `# not judged: ${n.property}: ${oneLine(n.why)}`),
  ];
}

/** The lines of one test point: the point, and YAML diagnostics when it failed. */
function point(n: number, r: RequirementResult, calls: readonly CallRecord[]): string[] {
  const name = escaped(`${r.case}: ${r.requirement} (${r.level})`);
  const outcome = outcomeOf(r);
  if (outcome === 'pass') return [`ok ${n} - ${name}`];
  if (outcome === 'skip') return [`ok ${n} - ${name} # SKIP ${escaped(r.message) || 'no reason given'}`];
  const todo = outcome === 'warn' ? ` # TODO ${r.level === 'SHOULD' ? 'warning: SHOULD requirement not met' : 'information: MAY requirement not met'}` : '';
  const diag: Record<string, unknown> = { case: r.case, requirement: r.requirement, level: r.level, message: shownMessage(r) };
  if (r.followsFrom) diag['followsFrom'] = r.followsFrom;
  if (r.expected !== undefined) diag['expected'] = r.expected;
  if (r.actual !== undefined) diag['actual'] = r.actual;
  diag['calls'] = calls.map(callDiag);
  // A failure an expectations file lists does not fail the run either: a TODO point, which no reader counts as a failure.
  const directive = isKnownDeviation(r) ? ' # TODO known deviation' : todo;
  return [`not ok ${n} - ${name}${directive}`, ...yamlishDocument(diag, '  ')];
}

function callDiag(c: CallRecord): Record<string, unknown> {
  return {
    argv: c.argv,
    exitCode: c.exitCode,
    signal: c.signal,
    durationMs: c.durationMs,
    timedOut: c.timedOut,
    stdout: truncate(c.stdout),
    stderr: truncate(c.stderr),
  };
}

/**
 * Descriptions and directive reasons stay on their line, and a `#` in them
 * must not start a directive: it is escaped as `\#` (tap-parser unescapes it,
 * prove shows it as written).
 */
function escaped(text: string): string {
  return oneLine(text).replace(/\\/g, '\\\\').replace(/#/g, '\\#');
}

function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}
