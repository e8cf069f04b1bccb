/** An error in how ocicomply was invoked or in the environment it runs in: exit status 2. */
export class SetupError extends Error {
  override readonly name = 'SetupError';
}
