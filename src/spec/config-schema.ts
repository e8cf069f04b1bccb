/**
 * config.json against the runtime-spec's own JSON schema of a release
 * (schemas/runtime-spec/<release>/: the schema/ files of opencontainers/
 * runtime-spec at that tag, unchanged). They are JSON Schema draft-04; Ajv
 * reads them as its own draft once two draft-04 habits are undone when they
 * are loaded: 1.0.0 and 1.0.1 name subschemas with `id` (URLs that would
 * change what the files' relative `$ref`s resolve against), and 1.3.0's
 * defs.json has one `$ref` without its slash (`#definitions/uint32`, used
 * only by config-vm.json).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { PACKAGE_ROOT } from '../paths.js';

const SCHEMAS = join(PACKAGE_ROOT, 'schemas', 'runtime-spec');

/** The releases whose config schema ocicomply ships. */
export function schemaReleases(): string[] {
  return readdirSync(SCHEMAS).filter((d) => /^\d+\.\d+\.\d+$/.test(d));
}

/** Removes string-valued `id` keys (draft-04 schema ids); a property named "id" has an object value and stays. */
function withoutIds(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutIds);
  if (typeof node !== 'object' || node === null) return node;
  return Object.fromEntries(Object.entries(node).filter(([k, v]) => !(k === 'id' && typeof v === 'string')).map(([k, v]) => [k, withoutIds(v)]));
}

const compiled = new Map<string, ValidateFunction>();

function validatorOf(release: string): ValidateFunction {
  const known = compiled.get(release);
  if (known) return known;
  const ajv = new Ajv({ allErrors: true, strict: false, validateSchema: false });
  const dir = join(SCHEMAS, release);
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    const schema = withoutIds(JSON.parse(readFileSync(join(dir, file), 'utf8').replaceAll('"#definitions/', '"#/definitions/'))) as Record<string, unknown>;
    delete schema['$schema'];
    ajv.addSchema(schema, file);
  }
  const validate = ajv.getSchema('config-schema.json');
  if (!validate) throw new Error(`${dir} has no config-schema.json`);
  compiled.set(release, validate);
  return validate;
}

/** Why `config` does not conform to the config schema of `release` (one line per problem), or [] when it does. */
export function configSchemaProblems(config: unknown, release: string): string[] {
  const validate = validatorOf(release);
  if (validate(config)) return [];
  const lines = (validate.errors ?? []).map((e) => `${e.instancePath || '(the document)'}: ${e.message ?? 'is invalid'}${e.keyword === 'additionalProperties' ? ` (${String(e.params['additionalProperty'])})` : ''}${e.keyword === 'enum' ? ` (${(e.params['allowedValues'] as unknown[]).join(', ')})` : ''}`);
  return [...new Set(lines)];
}
