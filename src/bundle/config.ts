/**
 * The base config every bundle starts from, and the merge that applies a
 * case's patch to it. The base asks for little: the probe as the process, a
 * read-only rootfs holding only the probe, the usual namespaces, /proc, a
 * tmpfs /dev, and the shared directory the probe reports into.
 */
import type { Program } from '../cases/types.js';

/** Where things are inside every container. */
export const IN_CONTAINER = {
  probe: '/ocicomply-probe',
  shared: '/ocicomply',
  report: '/ocicomply/report.json',
  signals: '/ocicomply/signals',
} as const;

export interface BaseConfigInput {
  readonly ociVersion: string;
  readonly sharedDir: string;
  readonly cgroupsPath: string;
  readonly program: Program;
  /** A value unique to this container, in its environment and annotations. */
  readonly token: string;
}

export function probeArgs(program: Program): string[] {
  const args = [IN_CONTAINER.probe, 'run', '--report', IN_CONTAINER.report, '--signals', IN_CONTAINER.signals];
  return 'wait' in program ? [...args, '--wait'] : [...args, '--exit', String(program.exit)];
}

export function baseConfig(input: BaseConfigInput): Record<string, unknown> {
  return {
    ociVersion: input.ociVersion,
    process: {
      terminal: false,
      user: { uid: 0, gid: 0 },
      args: probeArgs(input.program),
      env: ['PATH=/', `OCICOMPLY_TOKEN=${input.token}`],
      cwd: '/',
    },
    root: { path: 'rootfs', readonly: true },
    hostname: 'ocicomply',
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc' },
      { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
      { destination: IN_CONTAINER.shared, type: 'bind', source: input.sharedDir, options: ['rbind', 'rw'] },
    ],
    annotations: { 'org.ocicomply.token': input.token },
    linux: {
      namespaces: [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }, { type: 'network' }],
      cgroupsPath: input.cgroupsPath,
    },
  };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Objects merge key by key, arrays and scalars replace, null removes the key. */
export function mergeConfig(base: Readonly<Record<string, unknown>>, patch: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = structuredClone(base) as Record<string, unknown>;
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else if (isPlainObject(value) && isPlainObject(out[key])) out[key] = mergeConfig(out[key], value);
    else out[key] = structuredClone(value);
  }
  return out;
}
