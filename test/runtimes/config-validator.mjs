// A reference for the config cases: it wraps runc (which accepts a non-SemVer
// ociVersion, an empty annotation key and a relative mount destination) and
// at create refuses those invalid values itself, as config.md's Valid values
// asks up to 1.1.0 (from 1.2.0 a relative destination is allowed). Each
// broken runtime of broken-validity/ that uses it leaves one rule out, or
// breaks one more.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { call, real } from './edit-config.mjs';

// semver.org's own pattern for a SemVer 2.0.0 version
const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

export const RULES = {
  'oci-version': (c) => (SEMVER.test(c.ociVersion) ? undefined : `ociVersion ${JSON.stringify(c.ociVersion)} is not SemVer 2.0.0`),
  'annotation-key': (c) => (Object.keys(c.annotations ?? {}).includes('') ? 'an annotation key is empty' : undefined),
  'mount-destination': (c) => (c.mounts ?? []).filter((m) => !m.destination.startsWith('/')).map((m) => `mount destination ${m.destination} is not absolute`)[0],
};

/**
 * Runs the command: at create, config.json is checked against every rule but
 * those in `skip`, then `edit` may rewrite it for the real create (it is put back).
 */
export function validating({ skip = [], edit } = {}) {
  if (call.cmd !== 'create') process.exit(real());
  const file = join(call.bundle, 'config.json');
  let original;
  try {
    original = readFileSync(file, 'utf8');
  } catch {
    process.exit(real());
  }
  const config = JSON.parse(original);
  for (const [name, rule] of Object.entries(RULES)) {
    const wrong = skip.includes(name) ? undefined : rule(config);
    if (wrong) {
      process.stderr.write(`invalid config: ${wrong}\n`);
      process.exit(1);
    }
  }
  if (!edit) process.exit(real());
  edit(config);
  writeFileSync(file, JSON.stringify(config));
  const status = real();
  writeFileSync(file, original);
  process.exit(status);
}
