/**
 * The parts of a runtime-spec config.json that ocicomply reads back to know
 * what a container was asked for, as config.md and config-linux.md define
 * them, and their type derived from that schema. Everything else of a config
 * passes through the harness untouched and unread.
 */
import { Ajv } from 'ajv';
import type { FromSchema } from 'json-schema-to-ts';

const strings = { type: 'array', items: { type: 'string' } } as const;
const uint32 = { type: 'integer', minimum: 0, maximum: 4294967295 } as const;
const uint64 = { type: 'integer', minimum: 0 } as const;
const idMappings = {
  type: 'array',
  items: { type: 'object', required: ['containerID', 'hostID', 'size'], properties: { containerID: uint32, hostID: uint32, size: uint32 } },
} as const;

export const configReadSchema = {
  type: 'object',
  properties: {
    ociVersion: { type: 'string' },
    annotations: { type: 'object', additionalProperties: { type: 'string' } },
    hostname: { type: 'string' },
    domainname: { type: 'string' },
    process: {
      type: 'object',
      properties: {
        terminal: { type: 'boolean' },
        consoleSize: { type: 'object', required: ['height', 'width'], properties: { height: uint32, width: uint32 } },
        args: strings,
        env: strings,
        cwd: { type: 'string' },
        user: {
          type: 'object',
          properties: { uid: uint32, gid: uint32, umask: uint32, additionalGids: { type: 'array', items: uint32 } },
        },
        capabilities: {
          type: 'object',
          properties: { bounding: strings, effective: strings, permitted: strings, inheritable: strings, ambient: strings },
        },
        rlimits: {
          type: 'array',
          items: { type: 'object', required: ['type', 'soft', 'hard'], properties: { type: { type: 'string' }, soft: uint64, hard: uint64 } },
        },
        noNewPrivileges: { type: 'boolean' },
        oomScoreAdj: { type: 'integer' },
        // Scheduling, I/O priority, CPU affinity and security labels (config.md, Linux Process).
        scheduler: {
          type: 'object', required: ['policy'],
          properties: {
            policy: { type: 'string' }, nice: { type: 'integer' }, priority: { type: 'integer' }, flags: strings,
            runtime: uint64, deadline: uint64, period: uint64,
          },
        },
        ioPriority: { type: 'object', required: ['class'], properties: { class: { type: 'string' }, priority: { type: 'integer' } } },
        execCPUAffinity: { type: 'object', properties: { initial: { type: 'string' }, final: { type: 'string' } } },
        apparmorProfile: { type: 'string' },
        selinuxLabel: { type: 'string' },
      },
    },
    linux: {
      type: 'object',
      properties: {
        cgroupsPath: { type: 'string' },
        namespaces: { type: 'array', items: { type: 'object', required: ['type'], properties: { type: { type: 'string' }, path: { type: 'string' } } } },
        uidMappings: idMappings,
        gidMappings: idMappings,
        seccomp: {
          type: 'object',
          properties: {
            defaultAction: { type: 'string' },
            listenerPath: { type: 'string' },
            listenerMetadata: { type: 'string' },
            syscalls: { type: 'array', items: { type: 'object', required: ['action'], properties: { action: { type: 'string' } } } },
          },
        },
        personality: { type: 'object', properties: { domain: { type: 'string' }, flags: strings } },
      },
    },
  },
} as const;

/** What ocicomply reads of a config: each property present only where it has the type the spec gives it. */
export type ConfigRead = FromSchema<typeof configReadSchema>;

const validate = new Ajv({ allErrors: true, strict: false }).compile<ConfigRead>(configReadSchema);

/**
 * The readable parts of a config. A case may write an invalid value on
 * purpose (to see the runtime refuse it): such a property is left out here,
 * as if it were absent, rather than read as what it is not.
 */
export function readConfig(config: unknown): ConfigRead {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) return {};
  const copy = structuredClone(config) as Record<string, unknown>;
  // Each pass removes the properties holding an invalid value; a bad array element takes its whole array.
  for (let pass = 0; pass < 32 && !validate(copy); pass++) {
    for (const e of validate.errors ?? []) removeProperty(copy, e.instancePath);
  }
  return copy as ConfigRead;
}

/** Removes the object property a JSON pointer lies in: the nearest key on the path whose parent is an object, not an array. */
function removeProperty(doc: Record<string, unknown>, pointer: string): void {
  const keys = pointer.split('/').slice(1).map((k) => k.replaceAll('~1', '/').replaceAll('~0', '~'));
  const parents: unknown[] = [doc];
  for (const k of keys.slice(0, -1)) parents.push((parents.at(-1) as Record<string, unknown> | undefined)?.[k]);
  for (let i = keys.length - 1; i >= 0; i--) {
    const parent = parents[i];
    if (parent && typeof parent === 'object' && !Array.isArray(parent)) {
      delete (parent as Record<string, unknown>)[keys[i]!];
      return;
    }
  }
}
