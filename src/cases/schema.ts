/** The JSON schema of a case file, and the file's type derived from it. Check parameters are validated by each check's own schema. */
import type { FromSchema } from 'json-schema-to-ts';
import { NAMESPACE_TYPE_NAMES } from '../spec/namespaces.js';
import { CGROUP_CONTROLLERS, HOOK_TYPES, RUNTIME_OPS } from './types.js';

const requirementRef = {
  oneOf: [
    { type: 'string', minLength: 1 },
    { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
  ],
} as const;

const actions = { type: 'array', maxItems: 64, items: { type: 'string', pattern: '^(syscall|syscall32|open|mknod|stat|lstat|status|cgroup|read|write)(:[^:]+)*$' } } as const;

const program = {
  oneOf: [
    { type: 'object', additionalProperties: false, required: ['wait'], properties: { wait: { const: true }, do: actions } },
    { type: 'object', additionalProperties: false, required: ['exit'], properties: { exit: { type: 'integer', minimum: 0, maximum: 255 }, do: actions } },
  ],
} as const;

const alias = { type: 'string', pattern: '^[a-z][a-z0-9-]*$' } as const;

const hookList = {
  type: 'array',
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['label'],
    properties: {
      label: { type: 'string', pattern: '^[A-Za-z0-9_.-]+$' },
      exit: { type: 'integer', minimum: 0, maximum: 255 },
      sleepMs: { type: 'integer', minimum: 0 },
      timeout: { type: 'integer' },
      env: { type: 'array', items: { type: 'string' } },
      path: { const: 'relative' },
    },
  },
} as const;

const seccompAgent = {
  type: 'object', additionalProperties: false, required: ['answer'],
  properties: { answer: { type: 'integer', minimum: 0, maximum: 2147483647 } },
} as const;

const namespaceType = { enum: [...NAMESPACE_TYPE_NAMES] } as const;

/** Namespaces the harness makes and holds for a container to join: each fills in the path of a linux.namespaces entry. */
const joinNamespaces = {
  type: 'array',
  minItems: 1,
  items: {
    type: 'object', additionalProperties: false, required: ['type'],
    properties: {
      type: namespaceType,
      of: namespaceType,
      path: { const: 'relative' },
    },
  },
} as const;

const hooks = {
  type: 'object',
  additionalProperties: false,
  properties: Object.fromEntries(HOOK_TYPES.map((t) => [t, hookList])),
} as const;

const opStep = {
  type: 'object',
  additionalProperties: false,
  required: ['op'],
  properties: {
    op: { enum: [...RUNTIME_OPS] },
    container: alias,
    expect: { enum: ['success', 'error', 'any'] },
    requirement: requirementRef,
    noEffect: requirementRef,
    exitStatus: requirementRef,
    signal: { type: 'string', pattern: '^[A-Z0-9]+$' },
    bundle: { enum: ['missing', 'without-config'] },
    id: { const: 'omitted' },
    refused: { const: 'unsupported' },
  },
} as const;

const editStep = {
  type: 'object',
  additionalProperties: false,
  required: ['edit-config'],
  properties: {
    'edit-config': { type: 'object' },
    container: alias,
  },
} as const;

/** Unknown check parameters are caught later, by the check's own schema. */
const checkStep = {
  type: 'object',
  required: ['check'],
  properties: {
    check: { type: 'string' },
    container: alias,
    requirement: requirementRef,
  },
} as const;

export const caseSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['summary', 'requirements', 'steps'],
  properties: {
    summary: { type: 'string', minLength: 1 },
    versions: { type: 'string', minLength: 1 },
    needs: {
      type: 'array',
      items: {
        oneOf: [
          {
            type: 'object', additionalProperties: false, required: ['feature', 'includes'],
            properties: { feature: { type: 'string', pattern: '^[A-Za-z0-9]+(\\.[A-Za-z0-9]+)*$' }, includes: { type: 'string' } },
          },
          {
            type: 'object', additionalProperties: false, required: ['cgroup'],
            properties: { cgroup: { type: 'array', minItems: 1, items: { enum: ['v1', 'v2', 'hybrid'] } } },
          },
          {
            type: 'object', additionalProperties: false, required: ['controller'],
            properties: { controller: { enum: [...CGROUP_CONTROLLERS] } },
          },
          {
            type: 'object', additionalProperties: false, required: ['supported'],
            properties: { supported: { type: 'string', pattern: '^[A-Za-z0-9]+(\\.[A-Za-z0-9]+)*$' } },
          },
          {
            type: 'object', additionalProperties: false, required: ['host'],
            properties: { host: { enum: ['linux32'] } },
          },
        ],
      },
    },
    cgroupsPath: { enum: ['absolute', 'relative', 'nested'] },
    mountCgroup: { enum: [true, false, 'rw'] },
    rootPath: { enum: ['relative', 'absolute'] },
    probeCopies: { type: 'array', maxItems: 8, uniqueItems: true, items: { type: 'string', pattern: '^/[A-Za-z0-9_./-]*$' } },
    cgroupParent: {
      type: 'object', additionalProperties: false, required: ['v1', 'v2'],
      properties: { v1: { type: 'object', additionalProperties: { type: 'string' } }, v2: { type: 'object', additionalProperties: { type: 'string' } } },
    },
    requirements: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'level'],
        properties: {
          id: { type: 'string' },
          level: { enum: ['MUST', 'SHOULD', 'MAY'] },
          versions: { type: 'string' },
        },
      },
    },
    config: { type: 'object' },
    program,
    hooks,
    seccompAgent,
    joinNamespaces,
    containers: {
      type: 'object',
      propertyNames: alias,
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        properties: { config: { type: 'object' }, program, hooks, seccompAgent, joinNamespaces, idOf: alias },
      },
    },
    steps: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        // Discriminate by key so that errors name the right kind of step.
        if: { required: ['op'] },
        then: opStep,
        else: { if: { required: ['edit-config'] }, then: editStep, else: checkStep },
      },
    },
  },
} as const;

/** A case file as read, once it is valid against caseSchema. */
export type CaseFile = FromSchema<typeof caseSchema, { parseIfThenElseKeywords: true }>;
