/** What the seccomp agent received from the runtime for SCMP_ACT_NOTIFY (bundles/probe.c, seccomp-agent). */
import { observeAgent } from '../engine/observers/seccomp.js';
import { parseState } from '../engine/state-document.js';
import { NO_PARAMS, defineCheck, fail, verdict } from './check.js';

export const seccompAgentState = defineCheck({
  name: 'seccomp-agent-state',
  description: "The seccomp listener received, over one connection, the container process state (ociVersion, fds naming seccompFd, the container process's pid, the configured metadata, and the container's state) with the seccomp descriptor attached.",
  params: NO_PARAMS,
  observe: (_ctx, _params, c) => observeAgent(c),
  judge(_params, seen) {
    const got = seen.received;
    if (!got) return [fail('the seccomp listener never received a container process state')];
    let doc: Record<string, unknown>;
    try {
      doc = JSON.parse(got.state) as Record<string, unknown>;
    } catch {
      return [fail(`the listener received something that is not JSON: ${JSON.stringify(got.state.slice(0, 200))}`)];
    }
    const metadata = seen.listenerMetadata ?? undefined;
    const problems: string[] = [];
    if (typeof doc['ociVersion'] !== 'string') problems.push('ociVersion is missing');
    const fds = doc['fds'];
    if (!Array.isArray(fds) || !fds.includes('seccompFd')) problems.push(`fds is ${JSON.stringify(fds)}, without "seccompFd"`);
    else if (got.fds !== fds.length) problems.push(`fds names ${fds.length} descriptor(s) but ${got.fds} came with the message`);
    if (seen.pid !== null && doc['pid'] !== seen.pid) problems.push(`pid is ${JSON.stringify(doc['pid'])}, not the container process ${seen.pid}`);
    if (doc['metadata'] !== metadata) problems.push(`metadata is ${JSON.stringify(doc['metadata'])}, not ${JSON.stringify(metadata)}`);
    const state = parseState(JSON.stringify(doc['state'] ?? null));
    if (state.kind !== 'valid') problems.push(`state is not a valid state: ${state.kind === 'invalid' ? state.errors.join('; ') : state.error}`);
    else {
      if (state.doc.id !== seen.id) problems.push(`state.id is ${state.doc.id}, not ${seen.id}`);
      if (state.doc.bundle !== seen.bundleResolved && state.doc.bundle !== seen.bundle) problems.push(`state.bundle is ${state.doc.bundle}`);
    }
    return [verdict(problems.length === 0, problems.length === 0 ? `the listener received the container process state and ${got.fds} descriptor(s)` : problems.join('; '),
      { actual: doc })];
  },
});
