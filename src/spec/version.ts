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
