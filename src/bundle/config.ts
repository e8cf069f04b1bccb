/**
 * The base config every bundle starts from, and the merge that applies a
 * case's patch to it. The base asks for little: the probe as the process, a
 * read-only rootfs holding only the probe, the usual namespaces, /proc, a
 * tmpfs /dev, and the shared directory the probe reports into.
 */
import type { HookSpec, HookSpecs, HookType, Program } from '../cases/types.js';
import { HOOK_TYPE_SINCE } from '../cases/types.js';
import { inRange } from '../spec/version.js';

/** Where things are inside every container. */
export const IN_CONTAINER = {
  probe: '/ocicomply-probe',
  shared: '/ocicomply',
  report: '/ocicomply/report.json',
  signals: '/ocicomply/signals',
  hookLog: '/ocicomply/hooks.log',
  actions: '/ocicomply/actions',
} as const;

/** Host paths the runtime-namespace hooks (and createContainer, whose path resolves there) use. */
export interface HookPaths {
  /** The probe on the host: a path that does not exist inside the container. */
  readonly hostProbe: string;
  /** The hook log on the host: the same file as IN_CONTAINER.hookLog inside. */
  readonly hostLog: string;
}

/** The argv a hook entry gets; argv[0] differs from the path on purpose. */
export function hookArgs(hook: HookSpec, log: string): string[] {
  return [`ocicomply-hook-${hook.label}`, 'hook', hook.label, log, '--exit', String(hook.exit), '--sleep-ms', String(hook.sleepMs)];
}

function hookEntry(type: HookType, hook: HookSpec, paths: HookPaths): Record<string, unknown> {
  // startContainer's path resolves in the container: the probe's copy in the
  // rootfs, at a path that does not exist on the host.
  const inContainer = type === 'startContainer';
  const path = hook.path === 'relative' ? IN_CONTAINER.probe.slice(1) : inContainer ? IN_CONTAINER.probe : paths.hostProbe;
  return {
    path,
    args: hookArgs(hook, inContainer ? IN_CONTAINER.hookLog : paths.hostLog),
    ...(hook.env !== undefined ? { env: [...hook.env] } : {}),
    ...(hook.timeout !== undefined ? { timeout: hook.timeout } : {}),
  };
}

/** The config's hooks, without the types that `specVersion` does not define. */
export function hooksConfig(hooks: HookSpecs, paths: HookPaths, specVersion: string): Record<string, unknown> | undefined {
  const entries = (Object.entries(hooks) as [HookType, readonly HookSpec[]][]).filter(([type]) => inRange(specVersion, `>=${HOOK_TYPE_SINCE[type]}`));
  if (entries.length === 0) return undefined;
  return Object.fromEntries(entries.map(([type, list]) => [type, list.map((h) => hookEntry(type, h, paths))]));
}

export interface BaseConfigInput {
  readonly ociVersion: string;
  readonly sharedDir: string;
  readonly cgroupsPath: string;
  readonly program: Program;
  /** A value unique to this container, in its environment and annotations. */
  readonly token: string;
  readonly hooks: HookSpecs;
  readonly hookPaths: HookPaths;
  /** The target spec version: hook types it does not define are left out. */
  readonly specVersion: string;
  /** The container's own cgroup at /sys/fs/cgroup, in a cgroup namespace, read-only or read-write. */
  readonly cgroupMount: 'none' | 'ro' | 'rw';
}

export function probeArgs(program: Program): string[] {
  // --hook-log: the probe counts the hook log's lines as it starts, which places
  // every hook before or after the program without comparing clocks.
  const args = [IN_CONTAINER.probe, 'run', '--report', IN_CONTAINER.report, '--signals', IN_CONTAINER.signals, '--hook-log', IN_CONTAINER.hookLog];
  const todo = program.do ?? [];
  if (todo.length > 0) args.push('--actions', IN_CONTAINER.actions, ...todo.flatMap((a) => ['--do', a]));
  return 'wait' in program ? [...args, '--wait'] : [...args, '--exit', String(program.exit)];
}

/** The report directory's bind mount: the one mount every probe needs. */
function sharedMount(sharedDir: string): Record<string, unknown> {
  return { destination: IN_CONTAINER.shared, type: 'bind', source: sharedDir, options: ['rbind', 'rw'] };
}

/** Where the harness's rootfs is, relative to the bundle. */
const ROOTFS = 'rootfs';

/**
 * A whole config given by the user (check-config), with the pieces the
 * harness needs for its probe put in, and nothing else changed: the probe as
 * process.args, the harness's rootfs as root.path (root's other fields kept),
 * the report directory's bind mount after the config's own mounts, and the
 * harness's cgroupsPath (a cgroup it made and removes, never one of the host's).
 */
export function withHarnessPieces(whole: Readonly<Record<string, unknown>>, input: Pick<BaseConfigInput, 'sharedDir' | 'cgroupsPath' | 'program'>): Record<string, unknown> {
  const out = structuredClone(whole) as Record<string, unknown>;
  const part = (key: string): Record<string, unknown> => (isPlainObject(out[key]) ? out[key] : {});
  out['process'] = { ...part('process'), args: probeArgs(input.program) };
  out['root'] = { ...part('root'), path: ROOTFS };
  out['mounts'] = [...(Array.isArray(out['mounts']) ? out['mounts'] : []), sharedMount(input.sharedDir)];
  out['linux'] = { ...part('linux'), cgroupsPath: input.cgroupsPath };
  return out;
}

export function baseConfig(input: BaseConfigInput): Record<string, unknown> {
  const hooks = hooksConfig(input.hooks, input.hookPaths, input.specVersion);
  return {
    ...(hooks ? { hooks } : {}),
    ociVersion: input.ociVersion,
    process: {
      terminal: false,
      user: { uid: 0, gid: 0 },
      args: probeArgs(input.program),
      env: ['PATH=/', `OCICOMPLY_TOKEN=${input.token}`],
      cwd: '/',
    },
    root: { path: ROOTFS, readonly: true },
    hostname: 'ocicomply',
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc' },
      { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
      // /dev/ptmx, a default device, is the container's /dev/pts/ptmx
      { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620'] },
      sharedMount(input.sharedDir),
      ...(input.cgroupMount !== 'none' ? [{ destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['nosuid', 'noexec', 'nodev', 'relatime', input.cgroupMount] }] : []),
    ],
    annotations: { 'org.ocicomply.token': input.token },
    linux: {
      namespaces: [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }, { type: 'network' }, ...(input.cgroupMount !== 'none' ? [{ type: 'cgroup' }] : [])],
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
