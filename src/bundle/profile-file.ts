/** Reads a profile's patch from the package's profiles/ directory. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../paths.js';
import { isProfileName, MINIMAL, PROFILE_NAMES, type Profile } from './profile.js';
import { SetupError } from '../util/errors.js';

export const PROFILES_DIR = join(PACKAGE_ROOT, 'profiles');

export async function loadProfile(name: string, dir: string = PROFILES_DIR): Promise<Profile> {
  if (!isProfileName(name)) throw new SetupError(`--profile is one of ${PROFILE_NAMES.join(', ')}, not "${name}"`);
  if (name === 'minimal') return MINIMAL;
  const file = join(dir, `${name}.json`);
  const patch: unknown = JSON.parse(await readFile(file, 'utf8'));
  if (!isObject(patch)) throw new SetupError(`${file} holds no JSON object`);
  return { name, patch };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
