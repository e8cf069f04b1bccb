/** What the seccomp agent received from the runtime for SCMP_ACT_NOTIFY (bundles/probe.c, seccomp-agent). */
import { readFile, realpath } from 'node:fs/promises';
import { parseState } from '../engine/state-document.js';
import { NO_PARAMS, judge, legacyCheck } from './check.js';

interface AgentState {
  readonly fds: number;
  readonly state: string;
}

async function received(path: string): Promise<AgentState | undefined> {
  const text = await readFile(path, 'utf8').catch(() => '');
  for (const line of text.split('\n')) {
    try {
      const e = JSON.parse(line) as { event?: string } & AgentState;
      if (e.event === 'state') return e;
    } catch {
      // not a whole line
    }
  }
  return undefined;
}

export const seccompAgentState = legacyCheck({
  name: 'seccomp-agent-state',
  description: "The seccomp listener received, over one connection, the container process state (ociVersion, fds naming seccompFd, the container process's pid, the configured metadata, and the container's state) with the seccomp descriptor attached.",
  params: NO_PARAMS,
  async run(ctx, step, c) {
    const got = await received(c.paths.agentLog);
    if (!got) return judge(ctx, step, false, 'the seccomp listener never received a container process state');
    let doc: Record<string, unknown>;
    try {
      doc = JSON.parse(got.state) as Record<string, unknown>;
    } catch {
      return judge(ctx, step, false, `the listener received something that is not JSON: ${JSON.stringify(got.state.slice(0, 200))}`);
    }
    const seccomp = (c.config['linux'] as { seccomp: { listenerMetadata?: string } }).seccomp;
    const problems: string[] = [];
    if (typeof doc['ociVersion'] !== 'string') problems.push('ociVersion is missing');
    const fds = doc['fds'];
    if (!Array.isArray(fds) || !fds.includes('seccompFd')) problems.push(`fds is ${JSON.stringify(fds)}, without "seccompFd"`);
    else if (got.fds !== fds.length) problems.push(`fds names ${fds.length} descriptor(s) but ${got.fds} came with the message`);
    if (c.process && doc['pid'] !== c.process.pid) problems.push(`pid is ${JSON.stringify(doc['pid'])}, not the container process ${c.process.pid}`);
    if (doc['metadata'] !== seccomp.listenerMetadata) problems.push(`metadata is ${JSON.stringify(doc['metadata'])}, not ${JSON.stringify(seccomp.listenerMetadata)}`);
    const state = parseState(JSON.stringify(doc['state'] ?? null));
    if (state.kind !== 'valid') problems.push(`state is not a valid state: ${state.kind === 'invalid' ? state.errors.join('; ') : state.error}`);
    else {
      if (state.doc.id !== c.id) problems.push(`state.id is ${state.doc.id}, not ${c.id}`);
      if (state.doc.bundle !== (await realpath(c.paths.bundle)) && state.doc.bundle !== c.paths.bundle) problems.push(`state.bundle is ${state.doc.bundle}`);
    }
    judge(ctx, step, problems.length === 0, problems.length === 0 ? `the listener received the container process state and ${got.fds} descriptor(s)` : problems.join('; '),
      { actual: doc });
  },
});
