/**
 * The catalogue of requirement ids: ocicomply's own index of the spec
 * sentences it checks. Loaded from catalogue/requirements.yaml.
 */
import { Ajv } from 'ajv';
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import type { Level } from './results.js';
import { isValidRange, RELEASED_SPEC_VERSIONS, sortVersions, versionsNamed } from './spec/version.js';
import { SetupError } from './util/errors.js';

export interface Requirement {
  readonly id: string;
  readonly doc: string;
  readonly section: string;
  readonly level: Level;
  readonly versions: string;
  readonly summary: string;
}

export type Catalogue = ReadonlyMap<string, Requirement>;

const schema = {
  type: 'array',
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['id', 'doc', 'section', 'level', 'versions', 'summary'],
    properties: {
      id: { type: 'string', pattern: '^[a-z][A-Za-z0-9]*(?:[.-][A-Za-z0-9]+)*$' },
      doc: { type: 'string', minLength: 1 },
      section: { type: 'string', minLength: 1 },
      level: { enum: ['MUST', 'SHOULD', 'MAY'] },
      versions: { type: 'string', minLength: 1 },
      summary: { type: 'string', minLength: 1 },
    },
  },
} as const;

const validate = new Ajv({ allErrors: true }).compile<Requirement[]>(schema);

export async function loadCatalogue(file: string): Promise<Catalogue> {
  const data: unknown = parse(await readFile(file, 'utf8'));
  if (!validate(data)) {
    const first = validate.errors?.[0];
    throw new SetupError(`${file}: ${first?.instancePath || '/'} ${first?.message ?? 'is invalid'}`);
  }
  const map = new Map<string, Requirement>();
  for (const r of data) {
    if (map.has(r.id)) throw new SetupError(`${file}: requirement id ${r.id} appears twice`);
    if (!isValidRange(r.versions)) throw new SetupError(`${file}: ${r.id}: versions "${r.versions}" is not a version range`);
    map.set(r.id, r);
  }
  return map;
}

/**
 * The spec versions a run can target: the published runtime-spec releases,
 * and any version a requirement's range names (a range may name a release
 * that is newer than this list, and it then knows that version's rules).
 */
export function knownSpecVersions(catalogue: Catalogue): string[] {
  return sortVersions([...RELEASED_SPEC_VERSIONS, ...versionsNamed([...catalogue.values()].map((r) => r.versions))]);
}
