/** The Node.js this program needs, judged from a version string (`process.version`, `v20.19.2`). */

/** Kept in step with package.json's engines (">=20"). */
export const MIN_NODE_MAJOR = 20;

/** Why this Node.js is not enough, or undefined when it is. */
export function nodeVersionProblem(version: string): string | undefined {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version.trim());
  if (!m) return `cannot read the Node.js version "${version}"; Node.js ${MIN_NODE_MAJOR} or newer is needed`;
  if (Number(m[1]) < MIN_NODE_MAJOR) {
    return `Node.js ${version.trim()} is too old: ${MIN_NODE_MAJOR} or newer is needed (README, Set-up, step 2)`;
  }
  return undefined;
}
