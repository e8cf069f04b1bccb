/**
 * The names a run gives what it makes, and the tests that a name read back
 * from disk is one of them. `clean` acts on nothing whose name fails these.
 */
import { posix } from 'node:path';

/** Every name ocicomply gives (container ids, cgroup directories) starts with this. */
export const NAME_PREFIX = 'ocicomply-';

/** Six hex digits, random per run: ids stay unique across runs sharing a runtime. */
const TAG = /^[0-9a-f]{6}$/;

export function isRunTag(tag: string): boolean {
  return TAG.test(tag);
}

/** A run directory: `run-TAG-XXXXXX` for a suite run, `run-vm-MODE-XXXXXX` for a VM run's results. */
export type RunDirName = { kind: 'suite'; tag: string } | { kind: 'vm' };

export function parseRunDirName(name: string): RunDirName | undefined {
  let m = /^run-([0-9a-f]{6})-[A-Za-z0-9]{6}$/.exec(name);
  if (m) return { kind: 'suite', tag: m[1]! };
  m = /^run-vm-cgroup[12]-[A-Za-z0-9]{6}$/.exec(name);
  return m ? { kind: 'vm' } : undefined;
}

export function runDirPrefix(tag: string): string {
  return `run-${tag}-`;
}

export function containerId(tag: string, serial: number): string {
  return `${NAME_PREFIX}${tag}-${serial}`;
}

/** True for an id this run's tag gave, `ocicomply-TAG-N`. */
export function isContainerIdOf(tag: string, id: string): boolean {
  const m = /^ocicomply-([0-9a-f]{6})-([1-9][0-9]{0,8})$/.exec(id);
  return m !== null && m[1] === tag;
}

/** A cgroup directory name of this run: a container's id, or its seeded parent's (`ID-parent`). */
export function isCgroupNameOf(tag: string, name: string): boolean {
  return isContainerIdOf(tag, name.endsWith('-parent') ? name.slice(0, -'-parent'.length) : name);
}

/**
 * True for a cgroupsPath this run would give: one or two components, each
 * named like this run's cgroups, absolute or relative, already normalised
 * (so no `..`, no `//`).
 */
export function isCgroupsPathOf(tag: string, path: string): boolean {
  const rel = path.startsWith('/') ? path.slice(1) : path;
  if (rel === '' || posix.normalize(rel) !== rel) return false;
  const parts = rel.split('/');
  return parts.length <= 2 && parts.every((p) => isCgroupNameOf(tag, p));
}
