/**
 * The state document a runtime prints, validated against ocicomply's own state
 * schema (written from runtime.md's State section and the spec's state schema).
 */
import { Ajv } from 'ajv';
import type { ContainerStatus } from '../cases/types.js';

export interface StateDocument {
  readonly ociVersion: string;
  readonly id: string;
  readonly status: ContainerStatus;
  readonly pid?: number;
  readonly bundle: string;
  readonly annotations?: Readonly<Record<string, string>>;
}

const stateSchema = {
  type: 'object',
  required: ['ociVersion', 'id', 'status', 'bundle'],
  properties: {
    ociVersion: { type: 'string', minLength: 1 },
    id: { type: 'string', minLength: 1 },
    status: { enum: ['creating', 'created', 'running', 'stopped'] },
    pid: { type: 'integer', minimum: 0 },
    bundle: { type: 'string' },
    annotations: { type: 'object', additionalProperties: { type: 'string' } },
  },
} as const;

const validateState = new Ajv({ allErrors: true }).compile<StateDocument>(stateSchema);

export type StateParse =
  | { readonly kind: 'valid'; readonly doc: StateDocument }
  /** JSON, but not a valid state; `doc` is whatever could be read from it. */
  | { readonly kind: 'invalid'; readonly errors: string[]; readonly doc: Partial<StateDocument> }
  | { readonly kind: 'not-json'; readonly error: string };

export function parseState(stdout: string): StateParse {
  let data: unknown;
  try {
    data = JSON.parse(stdout);
  } catch (e) {
    return { kind: 'not-json', error: `state output is not JSON (${(e as Error).message}): ${JSON.stringify(stdout.slice(0, 200))}` };
  }
  if (validateState(data)) return { kind: 'valid', doc: data };
  const errors = (validateState.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}${e.params && 'allowedValues' in e.params ? ` ${JSON.stringify(e.params.allowedValues)}` : ''}`.trim());
  const doc = data && typeof data === 'object' && !Array.isArray(data) ? (data as Partial<StateDocument>) : {};
  return { kind: 'invalid', errors, doc };
}
