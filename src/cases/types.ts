/** A case as the engine runs it: loaded from YAML, validated, resolved against the catalogue. */
import type { Requirement } from '../catalogue.js';
import type { NamespaceType } from '../spec/namespaces.js';

export type ContainerStatus = 'creating' | 'created' | 'running' | 'stopped';

export const RUNTIME_OPS = ['create', 'start', 'state', 'kill', 'delete', 'run'] as const;
export type RuntimeOp = (typeof RUNTIME_OPS)[number];

/**
 * What the probe does once started: the actions in `do` (raw syscalls, opens,
 * mknods, stats; see bundles/probe.c), then wait until a signal ends it, or
 * exit with a code.
 */
export type Program = ({ readonly wait: true } | { readonly exit: number }) & { readonly do?: readonly string[] };

export const HOOK_TYPES = ['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart', 'poststop'] as const;
export type HookType = (typeof HOOK_TYPES)[number];

/** The spec version that introduced each hook type (createRuntime, createContainer, startContainer: 1.0.2). */
export const HOOK_TYPE_SINCE: Readonly<Record<HookType, string>> = {
  prestart: '1.0.0', createRuntime: '1.0.2', createContainer: '1.0.2', startContainer: '1.0.2', poststart: '1.0.0', poststop: '1.0.0',
};

/** Hooks the spec runs in the container namespace; the others run in the runtime namespace. */
export const CONTAINER_NAMESPACE_HOOKS: ReadonlySet<HookType> = new Set(['createContainer', 'startContainer']);

/** One hook: the probe in hook mode, logging under `label`. */
export interface HookSpec {
  readonly label: string;
  /** Exit status of the hook (0: it succeeds). */
  readonly exit: number;
  /** How long the hook takes before it exits. */
  readonly sleepMs: number;
  /** The hook entry's timeout, written as given (0 and negative values are invalid configs on purpose). */
  readonly timeout?: number;
  /** The hook entry's env; when absent the entry has none. */
  readonly env?: readonly string[];
  /** `relative`: the entry's path is written relative (an invalid config on purpose). */
  readonly path?: 'relative';
}

export type HookSpecs = Readonly<Partial<Record<HookType, readonly HookSpec[]>>>;

export interface ContainerSpec {
  readonly alias: string;
  /** Patch merged over the base config (objects merge, arrays replace, null deletes); with `whole`, the whole config. */
  readonly config: Readonly<Record<string, unknown>>;
  /**
   * A config given whole (check-config): the base config is not used; the
   * harness puts in only its probe's pieces (withHarnessPieces), creates
   * `dirs` in its rootfs (absolute container paths, such as the config's
   * cwd), and opens the report directory to every uid, since the program may
   * run as any user (the directory lies inside the run's private directory).
   */
  readonly whole?: { readonly dirs: readonly string[] };
  readonly program: Program;
  readonly hooks: HookSpecs;
  /**
   * A seccomp agent for SCMP_ACT_NOTIFY: the harness runs the probe's agent on
   * a socket of its own and fills in linux.seccomp.listenerPath and
   * listenerMetadata; the agent answers every notification with `answer`.
   */
  readonly seccompAgent?: { readonly answer: number };
  /** Namespaces the harness makes and holds for this container to join (see NamespaceJoin). */
  readonly joinNamespaces: readonly NamespaceJoin[];
  /** Use the ID of another container of the case (to create a duplicate). */
  readonly idOf?: string;
}

/**
 * A namespace the harness makes (a holder process of its own keeps it) for a
 * container to join: the linux.namespaces entry of `type` (added when the
 * config has none) gets the path /proc/PID/ns/NAME of the holder's new
 * namespace of type `of` (default: `type`; another type makes an invalid
 * config on purpose), written relative with `path: relative` (invalid too).
 */
export interface NamespaceJoin {
  readonly type: NamespaceType;
  readonly of: NamespaceType;
  readonly relative: boolean;
}

interface StepBase {
  /** Position in the case's steps, from 1, for messages. */
  readonly index: number;
  readonly container: string;
  /** The requirements this step's outcome is judged under. */
  readonly requirements: readonly string[];
}

export interface OpStep extends StepBase {
  readonly kind: 'op';
  readonly op: RuntimeOp;
  /** `any`: the outcome is not judged here (a check looks at it). */
  readonly expect: 'success' | 'error' | 'any';
  /**
   * Requirements under which the runtime's exit status is judged: 0 when it
   * succeeds; for an expected error, non-zero unless the operation visibly
   * took effect (then exit 0 told the truth, and `requirement` fails instead).
   */
  readonly exitStatus: readonly string[];
  /** For an expected error: requirements under which "the operation had no effect" is judged. */
  readonly noEffect: readonly string[];
  /**
   * `unsupported`: an error from this create means the runtime does not
   * support a valid value the case configures (config.md, Valid values: a
   * runtime "MAY choose which subset of the valid values it will support" and
   * MUST refuse the rest), so every requirement of the case is skipped.
   */
  /**
   * `config`: the config is the user's (check-config), and an error from this
   * create or start means the runtime refused it (or the config alone kept
   * the program from starting): no verdict on the runtime, so every
   * requirement of the case is skipped, saying so.
   */
  readonly refused?: 'unsupported' | 'config';
  readonly signal?: string;
  /**
   * create/run with another bundle path: `missing`, one that does not exist;
   * `without-config`, an empty directory the harness made (no config.json).
   */
  readonly bundle?: 'missing' | 'without-config';
  /** `omitted`: the command is called without the container's ID (runtime.md: each operation "MUST generate an error" then). */
  readonly id?: 'omitted';
}

export interface EditConfigStep extends StepBase {
  readonly kind: 'edit-config';
  readonly patch: Readonly<Record<string, unknown>>;
}

export interface CheckStep extends StepBase {
  readonly kind: 'check';
  readonly check: string;
  readonly params: Readonly<Record<string, unknown>>;
}

export type Step = OpStep | EditConfigStep | CheckStep;

/** A fact the runtime's `features` document must state for the case to run. */
export type Need =
  | {
    /** Dotted path into the features document, e.g. "linux.seccomp.archs". */
    readonly feature: string;
    /** A value the array at that path must include. */
    readonly includes: string;
  }
  /** The host's cgroup mode must be one of these. */
  | { readonly cgroup: readonly ('v1' | 'v2' | 'hybrid')[] }
  /** The host must offer this cgroup controller (named as in v1; blkio is io on v2). */
  | { readonly controller: CgroupController }
  /**
   * A boolean of the features document (e.g. "linux.apparmor.enabled"): the
   * case is skipped only when it is false. Without a features document, or
   * without that entry, the runtime has said nothing and the case runs.
   */
  | { readonly supported: string }
  /** The host must run 32-bit programs (the LINUX32 personality). */
  | { readonly host: 'linux32' };

/** Controllers a case can need, by their v1 names. */
export const CGROUP_CONTROLLERS = ['cpu', 'cpuset', 'memory', 'pids', 'blkio', 'hugetlb', 'devices', 'freezer', 'rdma', 'misc'] as const;
export type CgroupController = (typeof CGROUP_CONTROLLERS)[number];

export interface Case {
  /** Path under cases/ without the extension, e.g. "lifecycle/create-start". */
  readonly id: string;
  readonly file: string;
  readonly summary: string;
  /** The spec versions the scenario itself belongs to (e.g. a failing prestart during create: >=1.1.0). */
  readonly versions?: string;
  /** What the runtime's `features` or the host must offer; otherwise the case is skipped with the reason. */
  readonly needs: readonly Need[];
  /**
   * `relative`: the containers' cgroupsPath is relative (no leading slash);
   * `nested`: absolute, below a parent cgroup that does not exist yet, so the
   * runtime makes the parent and enables in it the controllers the container needs.
   */
  readonly cgroupsPath: 'absolute' | 'relative' | 'nested';
  /** Mount the container's own cgroup at /sys/fs/cgroup (with a cgroup namespace): read-only for the probe to read, or read-write. */
  readonly mountCgroup: 'none' | 'ro' | 'rw';
  /** root.path: `rootfs` (relative to the bundle, the base config's) or the rootfs's absolute path on the host. */
  readonly rootPath: 'relative' | 'absolute';
  /**
   * More directories of every container's rootfs (absolute container paths) that hold a copy of the probe under
   * its own file name: where a case names the program by a bare name, to be found through PATH.
   */
  readonly probeCopies?: readonly string[];
  /**
   * A parent cgroup the harness creates (and seeds with these values) before
   * create; the containers' cgroupsPath lies under it.
   */
  readonly cgroupParent?: { readonly v1: Readonly<Record<string, string>>; readonly v2: Readonly<Record<string, string>> };
  /** The requirements the case checks, resolved from the catalogue. */
  readonly requirements: readonly Requirement[];
  readonly containers: ReadonlyMap<string, ContainerSpec>;
  readonly steps: readonly Step[];
}
