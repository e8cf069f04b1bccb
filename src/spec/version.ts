/**
 * Spec versions. Runtimes report things like "1.0.2-dev"; expectations are
 * keyed on release versions, so a pre-release counts as the release it leads
 * to (runc 1.1.5's "1.0.2-dev" implements 1.0.2's rules).
 */
import semver from 'semver';

export const DEFAULT_SPEC_VERSION = '1.0.2';

/** The release a version string stands for, or undefined if it is not a version. */
export function releaseOf(version: string): string | undefined {
  const v = semver.parse(version.trim()) ?? semver.coerce(version);
  return v ? `${v.major}.${v.minor}.${v.patch}` : undefined;
}

export function isValidRange(range: string): boolean {
  return semver.validRange(range) !== null;
}

/** Does `version` (a release) fall in `range` (e.g. ">=1.1.0", "<1.3.0")? */
export function inRange(version: string, range: string): boolean {
  const release = releaseOf(version);
  return release !== undefined && semver.satisfies(release, range);
}

/** The runtime-spec releases published so far (github.com/opencontainers/runtime-spec tags). */
export const RELEASED_SPEC_VERSIONS: readonly string[] = ['1.0.0', '1.0.1', '1.0.2', '1.1.0', '1.2.0', '1.2.1', '1.3.0'];

/** Every version the ranges name (">=1.1.0 <1.3.0" names 1.1.0 and 1.3.0). */
export function versionsNamed(ranges: Iterable<string>): string[] {
  const named = new Set<string>();
  for (const range of ranges) {
    for (const set of new semver.Range(range).set) {
      for (const comparator of set) if (comparator.value !== '') named.add(comparator.semver.version); // '' is '*'
    }
  }
  return [...named];
}

/** Versions sorted oldest first, without repeats. */
export function sortVersions(versions: Iterable<string>): string[] {
  return [...new Set(versions)].sort(semver.compare);
}

/**
 * A version given on the command line: a version string (a pre-release such
 * as 1.0.2-dev stands for its release) whose release is one of `known`.
 * Returns the release, or why not.
 */
export function knownRelease(version: string, known: readonly string[]): { release: string } | { error: string } {
  const parsed = semver.parse(version.trim().replace(/^v/, ''));
  if (!parsed) return { error: `"${version}" is not a version (such as 1.1.0)` };
  const release = `${parsed.major}.${parsed.minor}.${parsed.patch}`;
  if (!known.includes(release)) return { error: `${version} is not a runtime-spec version ocicomply knows (${known.join(', ')})` };
  return { release };
}
