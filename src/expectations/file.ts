/**
 * Expectations files: what a runtime is known to fail, as data
 * (`expectations/<runtime>.yaml`). Read, validated with ajv, and checked
 * against the cases and the catalogue, so a misspelt id is an error rather
 * than an entry that silently never matches.
 */
import { Ajv, type ErrorObject } from 'ajv';
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import type { Catalogue } from '../catalogue.js';
import type { Case } from '../cases/types.js';
import type { CgroupMode } from '../results.js';
import { isValidRange } from '../spec/version.js';
import { SetupError } from '../util/errors.js';

/** One known deviation: these requirements of these cases fail (or race) under these conditions. */
export interface ExpectationEntry {
  readonly cases: readonly string[];
  readonly requirements: readonly string[];
  /** `fail`: fails every time; `racy`: a race in the runtime, may pass or fail. */
  readonly status: 'fail' | 'racy';
  /** What the spec says and what the runtime does. */
  readonly reason: string;
  /** Target spec versions the entry holds for (a semver range); all when absent. */
  readonly specVersions?: string;
  /** Runtime versions (from its --version) the entry holds for; all when absent. */
  readonly runtimeVersions?: string;
  /** Host cgroup modes the entry holds for; all when absent. */
  readonly cgroup?: readonly CgroupMode[];
}

export interface ExpectationsFile {
  readonly file: string;
  /** The runtime the file describes; a name for people, never compared with the runtime run. */
  readonly runtime: string;
  readonly entries: readonly ExpectationEntry[];
}

const oneOrMore = { anyOf: [{ type: 'string', minLength: 1 }, { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } }] } as const;

const schema = {
  type: 'object',
  additionalProperties: false,
  required: ['runtime', 'entries'],
  properties: {
    runtime: { type: 'string', minLength: 1 },
    runtimeVersions: { type: 'string', minLength: 1 },
    entries: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['case', 'requirement', 'status', 'reason'],
        properties: {
          case: oneOrMore,
          requirement: oneOrMore,
          status: { enum: ['fail', 'racy'] },
          reason: { type: 'string', minLength: 1 },
          specVersions: { type: 'string', minLength: 1 },
          runtimeVersions: { type: 'string', minLength: 1 },
          cgroup: { type: 'array', minItems: 1, items: { enum: ['v1', 'v2', 'hybrid'] } },
        },
      },
    },
  },
} as const;

interface RawEntry {
  case: string | string[];
  requirement: string | string[];
  status: 'fail' | 'racy';
  reason: string;
  specVersions?: string;
  runtimeVersions?: string;
  cgroup?: CgroupMode[];
}

const validate = new Ajv({ allErrors: true }).compile<{ runtime: string; runtimeVersions?: string; entries: RawEntry[] }>(schema);

function describe(errors: readonly ErrorObject[] | null | undefined): string {
  // anyOf reports each branch; the deepest error names the field best.
  const e = [...(errors ?? [])].filter((x) => x.keyword !== 'anyOf').sort((a, b) => b.instancePath.length - a.instancePath.length)[0] ?? errors?.[0];
  if (!e) return 'is invalid';
  const where = e.instancePath === '' ? 'the file' : `field ${e.instancePath.slice(1).replaceAll('/', '.')}`;
  if (e.keyword === 'additionalProperties') return `${where}: unknown field "${String(e.params['additionalProperty'])}"`;
  if (e.keyword === 'required') return `${where}: missing field "${String(e.params['missingProperty'])}"`;
  if (e.keyword === 'enum') return `${where}: must be one of ${(e.params['allowedValues'] as unknown[]).join(', ')}`;
  return `${where}: ${e.message ?? 'is invalid'}`;
}

const list = (v: string | string[]): string[] => (Array.isArray(v) ? v : [v]);

/** Reads and validates an expectations file; anything wrong is a SetupError naming the file and the field. */
export async function loadExpectations(file: string): Promise<ExpectationsFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new SetupError(`--expectations ${file}: cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let data: unknown;
  try {
    data = parse(text);
  } catch (e) {
    throw new SetupError(`${file}: not YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  if (!validate(data)) throw new SetupError(`${file}: ${describe(validate.errors)}`);
  if (data.runtimeVersions !== undefined && !isValidRange(data.runtimeVersions)) throw new SetupError(`${file}: field runtimeVersions: "${data.runtimeVersions}" is not a version range`);
  const entries = data.entries.map((e, i): ExpectationEntry => {
    for (const key of ['specVersions', 'runtimeVersions'] as const) {
      const range = e[key];
      if (range !== undefined && !isValidRange(range)) throw new SetupError(`${file}: field entries.${i}.${key}: "${range}" is not a version range`);
    }
    // The file's runtimeVersions hold for every entry that names none.
    const runtimeVersions = e.runtimeVersions ?? data.runtimeVersions;
    return {
      cases: list(e.case), requirements: list(e.requirement), status: e.status, reason: e.reason.trim(),
      ...(e.specVersions !== undefined ? { specVersions: e.specVersions } : {}),
      ...(runtimeVersions !== undefined ? { runtimeVersions } : {}),
      ...(e.cgroup !== undefined ? { cgroup: e.cgroup } : {}),
    };
  });
  return { file, runtime: data.runtime, entries };
}

/**
 * Every case an entry names exists and checks every requirement it names.
 * Returns the first problem, or undefined.
 */
export function unknownIds(expectations: ExpectationsFile, cases: readonly Case[], catalogue: Catalogue): string | undefined {
  const byId = new Map(cases.map((c) => [c.id, c]));
  for (const [i, e] of expectations.entries.entries()) {
    for (const r of e.requirements) if (!catalogue.has(r)) return `${expectations.file}: entries.${i}: unknown requirement id "${r}" (see ocicomply list)`;
    for (const id of e.cases) {
      const c = byId.get(id);
      if (!c) return `${expectations.file}: entries.${i}: no case "${id}" (see ocicomply list)`;
      const missing = e.requirements.find((r) => !c.requirements.some((x) => x.id === r));
      if (missing !== undefined) return `${expectations.file}: entries.${i}: case ${id} does not check ${missing}`;
    }
  }
  return undefined;
}
