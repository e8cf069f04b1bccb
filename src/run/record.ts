/**
 * The run record of the results document: when the run was, which ocicomply
 * (and which commit of it) on which Node.js ran it, and its options as given.
 */
import { execFile } from 'node:child_process';
import { realpath } from 'node:fs/promises';
import { PACKAGE_ROOT } from '../paths.js';
import type { CaseSetRecord, ProfileRecord, RunOptionsRecord, RunRecord, SpecVersionSource, SystemFacts } from '../results.js';
import type { RuntimeFacts } from '../runtime/info.js';
import { VERSION } from '../version.js';

/** How the spec version was chosen, from --spec-version and where the runtime's facts came from. */
export function specVersionSource(given: string | undefined, facts: Pick<RuntimeFacts, 'source'>): SpecVersionSource {
  if (given !== undefined) return 'given';
  return facts.source === 'version' ? 'version-output' : facts.source;
}

/**
 * `git rev-parse HEAD` of the installation, when the installation is itself a
 * git checkout (not merely a directory inside someone else's); else null.
 */
export async function installCommit(): Promise<string | null> {
  const git = (args: string[]): Promise<string | null> => new Promise((res) => {
    execFile('git', ['-C', PACKAGE_ROOT, ...args], { timeout: 5_000 }, (e, out) => res(e ? null : out.trim()));
  });
  const top = await git(['rev-parse', '--show-toplevel']);
  if (top === null) return null;
  const [a, b] = await Promise.all([realpath(top).catch(() => top), realpath(PACKAGE_ROOT).catch(() => PACKAGE_ROOT)]);
  if (a !== b) return null;
  const head = await git(['rev-parse', 'HEAD']);
  return head && /^[0-9a-f]{40,64}$/.test(head) ? head : null;
}

/** What the run record says beyond its options: the case set, the profile, the system. */
export interface RunRecordFacts {
  readonly cases: CaseSetRecord | undefined;
  readonly profile: ProfileRecord;
  readonly system: SystemFacts;
}

export function runRecord(started: Date, ended: Date, commit: string | null, options: RunOptionsRecord, facts: RunRecordFacts): RunRecord {
  return {
    startedAt: started.toISOString(), endedAt: ended.toISOString(), ocicomply: { version: VERSION, commit }, node: process.version, options,
    ...(facts.cases ? { cases: facts.cases } : {}), profile: facts.profile, system: facts.system,
  };
}
