/**
 * The namespace types of config-linux.md (Namespaces): the name config.json
 * gives each, the name the kernel gives it under /proc/PID/ns, and the spec
 * version that added it to the list.
 */
export const NAMESPACE_TYPES = {
  pid: { proc: 'pid', since: '1.0.0' },
  network: { proc: 'net', since: '1.0.0' },
  mount: { proc: 'mnt', since: '1.0.0' },
  ipc: { proc: 'ipc', since: '1.0.0' },
  uts: { proc: 'uts', since: '1.0.0' },
  user: { proc: 'user', since: '1.0.0' },
  cgroup: { proc: 'cgroup', since: '1.0.0' },
  time: { proc: 'time', since: '1.1.0' },
} as const;

export type NamespaceType = keyof typeof NAMESPACE_TYPES;
export type ProcNamespace = (typeof NAMESPACE_TYPES)[NamespaceType]['proc'];
export const NAMESPACE_TYPE_NAMES = Object.keys(NAMESPACE_TYPES) as NamespaceType[];
export const PROC_NAMESPACES: readonly ProcNamespace[] = NAMESPACE_TYPE_NAMES.map((t) => NAMESPACE_TYPES[t].proc);

export function isNamespaceType(t: string): t is NamespaceType {
  return Object.hasOwn(NAMESPACE_TYPES, t);
}
