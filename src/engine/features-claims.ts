/**
 * What a runtime's features document claims it supports, as configs that
 * use the claims: one family of claims (hook types, mount options, ...) per
 * check step, as many claims as one config can carry. Pure: the observer
 * (observers/features.ts) writes these configs and calls create with them.
 */
import { mergeConfig } from '../bundle/config.js';

/** The claim families a case can judge, and where the features document lists each. */
export const CLAIM_FAMILIES = {
  hooks: 'hooks',
  mountOptions: 'mountOptions',
  namespaces: 'linux.namespaces',
  capabilities: 'linux.capabilities',
  seccompActions: 'linux.seccomp.actions',
  seccompOperators: 'linux.seccomp.operators',
  seccompArchs: 'linux.seccomp.archs',
} as const;
export type ClaimFamily = keyof typeof CLAIM_FAMILIES;

/** The file under /proc/self/ns of each namespace type config-linux.md names (to tell what the host has). */
export const NAMESPACE_FILES: Readonly<Record<string, string>> = {
  mount: 'mnt', pid: 'pid', network: 'net', ipc: 'ipc', uts: 'uts', user: 'user', cgroup: 'cgroup', time: 'time',
};

/**
 * The byte order of each seccomp architecture big-endian (the others the
 * spec names are little-endian). libseccomp builds one filter for the
 * host's native architecture and cannot add one of the other byte order to
 * it, so such a claim cannot be used on this host whatever the runtime.
 */
export const BIG_ENDIAN_SECCOMP_ARCHS: ReadonlySet<string> = new Set([
  'SCMP_ARCH_MIPS', 'SCMP_ARCH_MIPS64', 'SCMP_ARCH_MIPS64N32', 'SCMP_ARCH_PPC', 'SCMP_ARCH_PPC64',
  'SCMP_ARCH_S390', 'SCMP_ARCH_S390X', 'SCMP_ARCH_PARISC', 'SCMP_ARCH_PARISC64', 'SCMP_ARCH_M68K', 'SCMP_ARCH_SHEB',
]);

/** The seccomp architectures the spec names, little-endian ones. */
export const LITTLE_ENDIAN_SECCOMP_ARCHS: ReadonlySet<string> = new Set([
  'SCMP_ARCH_X86', 'SCMP_ARCH_X86_64', 'SCMP_ARCH_X32', 'SCMP_ARCH_ARM', 'SCMP_ARCH_AARCH64', 'SCMP_ARCH_LOONGARCH64',
  'SCMP_ARCH_MIPSEL', 'SCMP_ARCH_MIPSEL64', 'SCMP_ARCH_MIPSEL64N32', 'SCMP_ARCH_PPC64LE', 'SCMP_ARCH_RISCV64', 'SCMP_ARCH_SH',
]);

/**
 * Syscalls no part of a container's start-up makes (module loading, swap,
 * accounting, clock setting...), one per seccomp rule so that no two rules of
 * a config name the same syscall.
 */
const UNUSED_SYSCALLS = [
  'acct', 'swapon', 'swapoff', 'vhangup', 'quotactl', 'kexec_load', 'init_module', 'delete_module', 'finit_module',
  'settimeofday', 'syslog', 'adjtimex', 'clock_adjtime', 'sethostname', 'setdomainname', 'iopl', 'ioperm', 'ustat', 'sysfs', 'uselib',
] as const;

function syscallFor(i: number): string {
  return UNUSED_SYSCALLS[i % UNUSED_SYSCALLS.length]!;
}

function record(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** The hook entries of the config as written (the case declares one of every type), to use for any claimed type. */
function hookEntry(config: Readonly<Record<string, unknown>>, type: string): unknown[] {
  const hooks = record(config['hooks']);
  const own = hooks[type];
  if (Array.isArray(own)) return own;
  // A type the case did not declare (none the spec defines): the prestart entry, a hook that runs in the runtime namespace.
  const fallback = hooks['prestart'] ?? Object.values(hooks)[0];
  return Array.isArray(fallback) ? fallback : [];
}

/**
 * The config that uses `claims` of `family`, from the container's config as
 * written (`base`). Seccomp claims leave out the notify listener unless
 * SCMP_ACT_NOTIFY is among them.
 */
export function configUsing(family: ClaimFamily, claims: readonly string[], base: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const withoutHooks = mergeConfig(base, { hooks: null });
  switch (family) {
    case 'hooks':
      return mergeConfig(withoutHooks, { hooks: Object.fromEntries(claims.map((t) => [t, hookEntry(base, t)])) });
    case 'mountOptions': {
      const mounts = Array.isArray(base['mounts']) ? base['mounts'] : [];
      // A bind option needs a host directory as its source: the bundle's shared directory (already bound at /ocicomply).
      const shared = mounts.map(record).find((m) => m['type'] === 'bind')?.['source'];
      const extra = claims.flatMap((o, i) => {
        const destination = `/ocicomply-mount-${i}`;
        if ((o === 'bind' || o === 'rbind') && typeof shared === 'string') return [{ destination, type: 'bind', source: shared, options: [o] }];
        const mount = { destination, type: 'tmpfs', source: 'tmpfs', options: [o] };
        // remount changes a mount that exists: the kernel refuses it on a fresh one (EINVAL), so a plain mount comes first.
        return o === 'remount' ? [{ destination, type: 'tmpfs', source: 'tmpfs' }, mount] : [mount];
      });
      return mergeConfig(withoutHooks, { mounts: [...mounts, ...extra] });
    }
    case 'namespaces': {
      const linux = record(withoutHooks['linux']);
      const have = (Array.isArray(linux['namespaces']) ? linux['namespaces'] : []).map(record);
      const types = new Set(have.map((n) => n['type']));
      const added = claims.filter((t) => !types.has(t)).map((type) => ({ type }));
      // A new user namespace needs mappings: root to root keeps every host path the bundle uses reachable.
      const mappings = claims.includes('user') ? { uidMappings: [{ containerID: 0, hostID: 0, size: 65536 }], gidMappings: [{ containerID: 0, hostID: 0, size: 65536 }] } : {};
      return mergeConfig(withoutHooks, { linux: { namespaces: [...have, ...added], ...mappings } });
    }
    case 'capabilities':
      // The bounding set only: keeping a capability there asks the host for nothing it may lack.
      return mergeConfig(withoutHooks, { process: { capabilities: { bounding: [...claims] } } });
    case 'seccompActions':
      return mergeConfig(seccompBase(withoutHooks, claims.includes('SCMP_ACT_NOTIFY')), {
        linux: { seccomp: { syscalls: claims.map((action, i) => ({ names: [syscallFor(i)], action })) } },
      });
    case 'seccompOperators':
      return mergeConfig(seccompBase(withoutHooks, false), {
        linux: {
          seccomp: {
            syscalls: claims.map((op, i) => ({
              names: [syscallFor(i)], action: 'SCMP_ACT_ERRNO',
              args: [{ index: 0, value: 1, ...(op === 'SCMP_CMP_MASKED_EQ' ? { valueTwo: 1 } : {}), op }],
            })),
          },
        },
      });
    case 'seccompArchs':
      return mergeConfig(seccompBase(withoutHooks, false), {
        linux: { seccomp: { architectures: [...claims], syscalls: [{ names: [syscallFor(0)], action: 'SCMP_ACT_ERRNO' }] } },
      });
  }
}

/** A seccomp profile that allows everything it does not name, with or without the case's notify listener. */
function seccompBase(config: Record<string, unknown>, notify: boolean): Record<string, unknown> {
  const seccomp = record(record(config['linux'])['seccomp']);
  const listener = notify ? { listenerPath: seccomp['listenerPath'], listenerMetadata: seccomp['listenerMetadata'] } : {};
  return mergeConfig(mergeConfig(config, { linux: { seccomp: null } }), { linux: { seccomp: { defaultAction: 'SCMP_ACT_ALLOW', ...listener } } });
}
