/**
 * `ocicomply check-config CONFIG.json --runtime R`: runs a config the user
 * wrote, with the probe as its program, through the runtime as a one-case
 * run (the same deadlines, journal, teardown and reporters as `run`), and
 * judges each property the process table observes. The file is read and
 * checked here, before anything runs; what is done to the config is in
 * check-config-case.ts.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { posix } from 'node:path';
import type { Catalogue } from '../catalogue.js';
import type { CaseResult } from '../results.js';
import { configSchemaProblems, schemaReleases } from '../spec/config-schema.js';
import { knownRelease } from '../spec/version.js';
import { IN_CONTAINER } from '../bundle/config.js';
import { SetupError } from '../util/errors.js';
import { systemReason } from '../util/places.js';
import { planCheckConfig } from './check-config-case.js';
import { runSuite, type SuiteOptions } from './suite.js';

/**
 * The exit status when no property was judged: the runtime refused the
 * config (its create or start failed), or the program could not report under
 * it. Not a failure of the runtime, and not a pass either.
 */
export const NOTHING_JUDGED_STATUS = 4;

/** Far above any real config.json; a larger file is not one. */
const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

/** How many schema problems the message names. */
const SHOWN_PROBLEMS = 5;

export interface ReadConfig {
  readonly config: Readonly<Record<string, unknown>>;
  readonly sha256: string;
  readonly ociVersion: string;
  /** The release whose schema the config conforms to. */
  readonly release: string;
}

/** Reads and checks the user's config.json; anything wrong is one SetupError (exit 2) naming the file. */
export async function readUserConfig(file: string, knownVersions: readonly string[]): Promise<ReadConfig> {
  const say = (what: string): SetupError => new SetupError(`check-config ${file}: ${what}`);
  const info = await stat(file).catch((e: NodeJS.ErrnoException) => {
    throw say(e.code === 'ENOENT' ? 'no such file' : systemReason(e));
  });
  if (!info.isFile()) throw say('not a regular file');
  if (info.size > MAX_CONFIG_BYTES) throw say(`${info.size} bytes, too large for a config.json`);
  const bytes = await readFile(file).catch((e: unknown) => {
    throw say(systemReason(e));
  });
  let config: unknown;
  try {
    config = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw say(`not JSON (${(e as Error).message})`);
  }
  if (typeof config !== 'object' || config === null || Array.isArray(config)) throw say('not a JSON object, so not a config.json');
  const ociVersion = (config as Record<string, unknown>)['ociVersion'];
  if (typeof ociVersion !== 'string') throw say('has no ociVersion string, which every config.json has (config.md, Specification version)');
  const releases = schemaReleases();
  const r = knownRelease(ociVersion, knownVersions);
  if ('error' in r || !releases.includes(r.release)) {
    throw say(`ociVersion ${ociVersion} is not a runtime-spec release ocicomply has the schema of (${releases.join(', ')})`);
  }
  const problems = configSchemaProblems(config, r.release);
  if (problems.length > 0) {
    const more = problems.length > SHOWN_PROBLEMS ? `; and ${problems.length - SHOWN_PROBLEMS} more` : '';
    throw say(`does not conform to the config schema of runtime-spec ${r.release}: ${problems.slice(0, SHOWN_PROBLEMS).join('; ')}${more}`);
  }
  const mounts = (config as Record<string, unknown>)['mounts'];
  const over = Array.isArray(mounts) ? mounts.find((m: { destination?: unknown }) => typeof m.destination === 'string' && coversReportDir(m.destination)) : undefined;
  if (over) throw say(`a mount at ${String((over as { destination: string }).destination)} would hide the probe's report directory ${IN_CONTAINER.shared}; check-config needs that path`);
  return { config: config as Record<string, unknown>, sha256: createHash('sha256').update(bytes).digest('hex'), ociVersion, release: r.release };
}

/** A mount destination at or below the report directory, or over the whole root. */
function coversReportDir(destination: string): boolean {
  const d = posix.normalize(`/${destination}`);
  return d === '/' || d === IN_CONTAINER.shared || d.startsWith(`${IN_CONTAINER.shared}/`);
}

/** Status 4 when no result passed or failed (every one is a skip saying why). */
export function nothingJudgedStatus(cases: readonly CaseResult[]): number | undefined {
  return cases.every((c) => c.results.every((r) => r.status === 'skip')) ? NOTHING_JUDGED_STATUS : undefined;
}

export type CheckConfigOptions = Omit<SuiteOptions, 'cases' | 'loadErrors' | 'jobs' | 'failFast' | 'expectations' | 'checkConfig' | 'selectedBy' | 'specVersion'> & {
  readonly file: string;
  /** --spec-version, already checked; undefined: the config's ociVersion. */
  readonly specVersion: string | undefined;
  readonly knownVersions: readonly string[];
  readonly catalogue: Catalogue;
};

export async function checkConfig(opts: CheckConfigOptions): Promise<number> {
  const read = await readUserConfig(opts.file, opts.knownVersions);
  const plan = planCheckConfig(read.config, opts.file, opts.catalogue);
  const status = await runSuite({
    ...opts,
    specVersion: opts.specVersion ?? read.release,
    cases: [plan.testCase],
    loadErrors: [],
    jobs: 1,
    failFast: false,
    expectations: undefined,
    checkConfig: {
      specVersionFrom: opts.specVersion === undefined ? 'config' : 'given',
      record: { config: { file: opts.file, sha256: read.sha256, ociVersion: read.ociVersion }, changed: plan.changed, notJudged: plan.notJudged },
      status: nothingJudgedStatus,
    },
  });
  if (status === NOTHING_JUDGED_STATUS) process.stderr.write(`ocicomply: no property of ${opts.file} was judged with ${opts.runtime}: each result says why (the runtime refused the config, or the program could not report under it)\n`);
  return status;
}
