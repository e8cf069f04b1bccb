/** The terminal's controller as the caller receives it (command line interface, create --console-socket). */
import { observeConsole } from '../engine/observers/console.js';
import { NO_PARAMS, defineCheck, fail, unjudged, verdict } from './check.js';

export const consoleReceived = defineCheck({
  name: 'console-received',
  description: 'The runtime passed a pseudoterminal controller over the --console-socket socket (SCM_RIGHTS), and it is the controller of the program\'s terminal: what the program wrote on its stdout came out of it.',
  params: NO_PARAMS,
  observe: (ctx, _params, c) => observeConsole(ctx, c),
  judge(_params, seen) {
    if (seen.marker === null) return [unjudged('the container has no terminal: no console socket was given')];
    const got = seen.received;
    if (!got) return [fail('nothing came over the console socket: no pseudoterminal controller was passed')];
    if (got.fds === 0) return [fail(`the runtime sent ${JSON.stringify(got.data.slice(0, 200))} over the console socket with no descriptor`, { actual: got })];
    if (!got.controller) return [fail(`the descriptor passed over the console socket is not a pseudoterminal controller (TIOCGPTN fails on it)`, { actual: got })];
    const ok = seen.output.includes(seen.marker);
    const size = got.winsize ? `, ${got.winsize.rows} by ${got.winsize.cols} when received` : '';
    return [verdict(ok,
      ok ? `a pseudoterminal controller came over the console socket (${got.fds} descriptor(s)${size}), and the program's output came out of it`
        : `a pseudoterminal controller came over the console socket, but the program's marker did not come out of it within the deadline (read: ${JSON.stringify(seen.output.slice(0, 200))})`,
      { expected: seen.marker, actual: { received: got, output: seen.output.slice(0, 2000) } })];
  },
});
