/** An error in how ocicomply was invoked or in the environment it runs in: exit status 2. */
export class SetupError extends Error {
  override readonly name = 'SetupError';
}

export function requireRoot(): void {
  if (process.getuid?.() !== 0) throw new SetupError('ocicomply run needs root: runtimes need it to create namespaces and cgroups');
}
