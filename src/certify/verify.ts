/**
 * `ocicomply verify DIR`: is DIR a certification bundle as `run --certify`
 * wrote it? Every file SHA256SUMS lists is there with its checksum, no file
 * is missing or added, and the documents agree: the environment file and the
 * README are what the results document's run record makes, the case digest
 * is that of the listed case files and covers every case judged, and the
 * JUnit, TAP and summary counts are the results document's. A symbolic link
 * in DIR is never followed: it is reported. Only data is read; nothing named
 * in a file is opened or run.
 */
import { Ajv } from 'ajv';
import { constants } from 'node:fs';
import { lstat, open, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { listingDigest } from '../cases/digest.js';
import { summarize, type RunDocument } from '../results.js';
import { SetupError } from '../util/errors.js';
import { systemReason } from '../util/places.js';
import { sha256Hex } from '../util/sha256.js';
import { parseSums, SUMS_FILE } from './checksums.js';
import { junitProblems, summaryProblems, tapProblems } from './counts.js';
import { environmentOf } from './environment.js';
import { BUNDLE_FILES, renderReadme } from './readme.js';

/** Far above any real bundle file (a full run's results document is about 1 MiB with observations). */
const MAX_FILE_BYTES = 256 * 1024 * 1024;

export interface BundleVerdict {
  readonly dir: string;
  readonly files: number;
  readonly problems: readonly string[];
}

/** A regular file's bytes, read without following a symbolic link, or why not. */
async function readRegular(file: string): Promise<Buffer | string> {
  let handle;
  try {
    // O_NOFOLLOW: a link fails (ELOOP) instead of being read; O_NONBLOCK: a FIFO does not hang the open.
    handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ELOOP' ? 'is a symbolic link (not followed)' : `cannot be read: ${systemReason(e)}`;
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) return 'is not a regular file';
    if (st.size > MAX_FILE_BYTES) return `is ${st.size} bytes, too large for a bundle file`;
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

const resultsSchema = {
  type: 'object',
  required: ['ocicomply', 'runtime', 'specVersion', 'host', 'results', 'summary', 'loadErrors'],
  properties: {
    ocicomply: { type: 'string' },
    runtime: { type: 'object', required: ['path', 'version'], properties: { path: { type: 'string' }, version: { type: ['string', 'null'] }, args: { type: 'array', items: { type: 'string' } } } },
    specVersion: { type: 'string' },
    host: { type: 'object', required: ['kernel', 'cgroup'], properties: { kernel: { type: 'string' }, cgroup: { type: 'string' }, controllers: { type: 'array', items: { type: 'string' } } } },
    results: {
      type: 'array',
      items: {
        type: 'object',
        required: ['case', 'requirement', 'level', 'status', 'message'],
        properties: { case: { type: 'string' }, requirement: { type: 'string' }, level: { enum: ['MUST', 'SHOULD', 'MAY'] }, status: { enum: ['pass', 'fail', 'skip'] }, message: { type: 'string' } },
      },
    },
    summary: { type: 'object', required: ['pass', 'fail', 'skip', 'warn'] },
    loadErrors: { type: 'array', items: { type: 'object', required: ['file', 'message'] } },
    run: {
      type: 'object',
      required: ['startedAt', 'endedAt', 'ocicomply', 'options'],
      properties: { options: { type: 'object', required: ['runtime', 'specVersion', 'specVersionFrom', 'only', 'skip'] } },
    },
  },
} as const;

const validateResults = new Ajv({ allErrors: false }).compile<RunDocument>(resultsSchema);

function parseJson(name: string, bytes: Buffer, problems: string[]): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    problems.push(`${name} is not JSON: ${(e as Error).message}`);
    return undefined;
  }
}

/** Which parts of two JSON values differ, by path, down to `depth` levels. */
function differingParts(a: unknown, b: unknown, path: string, depth: number): string[] {
  if (isDeepStrictEqual(a, b)) return [];
  const isObj = (v: unknown): v is object => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (depth === 0 || !isObj(a) || !isObj(b)) return [path];
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  return keys.flatMap((k) => differingParts(Reflect.get(a, k), Reflect.get(b, k), `${path}.${k}`, depth - 1));
}

/** The agreement of the documents, given their contents (those that could be read). */
export function documentProblems(texts: ReadonlyMap<string, Buffer>): string[] {
  const problems: string[] = [];
  const results = texts.get('results.json');
  if (results === undefined) return problems;
  const doc = parseJson('results.json', results, problems);
  if (doc === undefined) return problems;
  if (!validateResults(doc)) {
    const first = validateResults.errors?.[0];
    return [...problems, `results.json is not a results document of a --certify run (${first?.instancePath || 'the document'} ${first?.message ?? 'is invalid'})`];
  }
  if (!isDeepStrictEqual({ ...summarize(doc.results) }, { ...doc.summary })) problems.push(`results.json: its summary ${JSON.stringify(doc.summary)} is not what its results count, ${JSON.stringify(summarize(doc.results))}`);
  const env = environmentOf(doc);
  const envText = texts.get('environment.json');
  if (envText !== undefined) {
    const given = parseJson('environment.json', envText, problems);
    if (given !== undefined) for (const part of differingParts(given, env, 'environment', 2)) problems.push(`environment.json: ${part} differs from the results document's run record`);
  }
  if (env.cases === null) problems.push('results.json: its run record names no case set');
  else {
    const digest = listingDigest(env.cases.files);
    if (digest !== env.cases.digest) problems.push(`results.json: the case digest ${env.cases.digest} is not the digest of its case files, ${digest}`);
    const listed = new Set(env.cases.files.map((f) => f.path.replace(/\.ya?ml$/, '')));
    const absent = [...new Set(doc.results.map((r) => r.case))].filter((c) => !listed.has(c));
    if (absent.length > 0) problems.push(`results.json: case(s) judged but not in the case set: ${absent.slice(0, 5).join(', ')}${absent.length > 5 ? ` and ${absent.length - 5} more` : ''}`);
  }
  const readme = texts.get('README.md');
  if (readme !== undefined && readme.toString('utf8') !== renderReadme(env)) problems.push('README.md is not the one the environment makes');
  const junit = texts.get('junit.xml');
  if (junit !== undefined) problems.push(...junitProblems(junit.toString('utf8'), doc));
  const tap = texts.get('tap.log');
  if (tap !== undefined) problems.push(...tapProblems(tap.toString('utf8'), doc));
  const summary = texts.get('summary.md');
  if (summary !== undefined) problems.push(...summaryProblems(summary.toString('utf8'), doc));
  return problems;
}

/** One bundle directory: its files against SHA256SUMS, then the documents against each other. */
export async function verifyBundle(dir: string): Promise<BundleVerdict> {
  const problems: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true });
  const sums = await readRegular(join(dir, SUMS_FILE));
  if (typeof sums === 'string') return { dir, files: entries.length, problems: [`${SUMS_FILE} ${sums}`] };
  const parsed = parseSums(sums.toString('utf8'));
  problems.push(...parsed.problems);
  const listed = new Map(parsed.entries.map((e) => [e.name, e.sha256]));
  const texts = new Map<string, Buffer>();
  for (const e of entries) {
    if (e.name === SUMS_FILE) continue;
    if (e.isSymbolicLink()) problems.push(`${e.name} is a symbolic link (not followed)`);
    else if (!listed.has(e.name)) problems.push(`${e.name} is not listed in ${SUMS_FILE} (an added file)`);
  }
  for (const [name, sha256] of listed) {
    const bytes = await readRegular(join(dir, name));
    if (typeof bytes === 'string') {
      // A symbolic link was reported above; anything else missing or unreadable here.
      if (!entries.some((e) => e.name === name && e.isSymbolicLink())) problems.push(`${name} ${bytes.startsWith('cannot be read: no such file') ? `is listed in ${SUMS_FILE} but missing` : bytes}`);
      continue;
    }
    if (sha256Hex(bytes) !== sha256) problems.push(`${name}: its SHA-256 is not the one ${SUMS_FILE} lists (the file was changed)`);
    texts.set(name, bytes);
  }
  for (const [name] of BUNDLE_FILES) if (!listed.has(name)) problems.push(`${name}, a file every bundle has, is not listed in ${SUMS_FILE}`);
  problems.push(...documentProblems(texts));
  return { dir, files: listed.size + 1, problems };
}

/**
 * DIR is one bundle (it holds SHA256SUMS), or the bundles of a run with
 * several runtimes, one directory per runtime. DIR itself must be a
 * directory, not a symbolic link (exit 2 otherwise).
 */
export async function verifyCertification(given: string): Promise<BundleVerdict[]> {
  const dir = resolve(given);
  const st = await lstat(dir).catch((e: NodeJS.ErrnoException) => {
    throw new SetupError(`verify ${given}: ${e.code === 'ENOENT' ? 'no such directory' : systemReason(e)}`);
  });
  if (st.isSymbolicLink()) throw new SetupError(`verify ${given}: is a symbolic link; give the directory itself`);
  if (!st.isDirectory()) throw new SetupError(`verify ${given}: not a directory`);
  const entries = await readdir(dir, { withFileTypes: true });
  if (entries.some((e) => e.name === SUMS_FILE)) return [await verifyBundle(dir)];
  if (entries.length === 0) return [{ dir, files: 0, problems: [`empty: no ${SUMS_FILE} and no bundle directory`] }];
  const verdicts: BundleVerdict[] = [];
  const strays = entries.filter((e) => !e.isDirectory()).map((e) => `${e.name} ${e.isSymbolicLink() ? 'is a symbolic link (not followed)' : 'is not a bundle directory'}`);
  if (strays.length > 0) verdicts.push({ dir, files: 0, problems: [`no ${SUMS_FILE}, so a directory of bundles (one per runtime), but: ${strays.join('; ')}`] });
  for (const e of entries.filter((x) => x.isDirectory()).sort((a, b) => (a.name < b.name ? -1 : 1))) verdicts.push(await verifyBundle(join(dir, e.name)));
  return verdicts;
}
