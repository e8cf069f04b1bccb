/**
 * Validation of a features document against the Features structure schema
 * of runtime-spec 1.3.0, shipped in schemas/runtime-spec/1.3.0/ (Apache-2.0,
 * unchanged). Offline: nothing is fetched. The files are draft-04; every
 * keyword they use means the same in the draft ajv implements, so `$schema`
 * is set aside and the files are read as they are.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { PACKAGE_ROOT } from '../paths.js';

const DIR = join(PACKAGE_ROOT, 'schemas', 'runtime-spec', '1.3.0');
const FILES = ['defs.json', 'defs-linux.json', 'features-linux.json'] as const;

let validate: ValidateFunction | undefined;

function load(file: string): Record<string, unknown> {
  const { $schema: _draft, ...schema } = JSON.parse(readFileSync(join(DIR, file), 'utf8')) as Record<string, unknown>;
  return schema;
}

function validator(): ValidateFunction {
  if (validate) return validate;
  // strict off: the spec's files carry keywords ajv's strict mode rejects (an unused broken $ref in defs.json among them).
  const ajv = new Ajv({ allErrors: true, strict: false });
  for (const f of FILES) ajv.addSchema(load(f), f);
  validate = ajv.compile(load('features-schema.json'));
  return validate;
}

/** What the schema finds wrong with `doc` (empty when it is valid). */
export function featuresSchemaErrors(doc: unknown): string[] {
  const v = validator();
  if (v(doc)) return [];
  return (v.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}${e.params && 'allowedValues' in e.params ? ` ${JSON.stringify(e.params.allowedValues)}` : ''}`.trim());
}
