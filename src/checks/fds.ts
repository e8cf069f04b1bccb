/** The descriptors the program found open (runtime-linux.md, File descriptors). */
import { observeProcessAsRun } from '../engine/observers/process.js';
import { NO_PARAMS, defineCheck, fail, unjudged, verdict } from './check.js';

const STANDARD = [0, 1, 2];

export const openFds = defineCheck({
  name: 'open-fds',
  description: 'The program found only stdin, stdout and stderr open at start (listed from /proc/self/fd with their targets); any other descriptor the runtime passed is named.',
  params: NO_PARAMS,
  observe: (ctx, _params, c) => observeProcessAsRun(ctx, c),
  judge(_params, seen) {
    if ('missing' in seen.report) return [fail(seen.report.missing)];
    const fds = seen.report.fds;
    if (fds === undefined || fds === null) return [unjudged('the probe could not list its descriptors')];
    const named = (list: typeof fds): string => list.map((f) => `${f.fd} → ${f.target ?? '?'}`).join(', ');
    const extra = fds.filter((f) => !STANDARD.includes(f.fd));
    const missing = STANDARD.filter((n) => !fds.some((f) => f.fd === n));
    const problems = [
      ...(extra.length > 0 ? [`the runtime passed ${extra.length} more descriptor(s): ${named(extra)}`] : []),
      ...(missing.length > 0 ? [`descriptor(s) ${missing.join(', ')} not open`] : []),
    ];
    return [verdict(problems.length === 0,
      problems.length === 0 ? `only stdin, stdout and stderr are open (${named(fds)})` : `${problems.join('; ')} (open: ${named(fds)})`,
      { expected: STANDARD, actual: fds })];
  },
});
