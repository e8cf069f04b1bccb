/** Finds the runtime executable from a name on PATH or a path, and checks the options given before its command. */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { SetupError } from '../util/errors.js';
import type { RuntimeCommand } from './driver.js';

async function isExecutableFile(p: string): Promise<boolean> {
  try {
    await access(p, constants.X_OK);
    return (await stat(p)).isFile();
  } catch {
    return false;
  }
}

export async function resolveRuntime(spec: string): Promise<string> {
  if (spec.includes('/')) {
    const p = isAbsolute(spec) ? spec : resolve(spec);
    if (await isExecutableFile(p)) return p;
    throw new SetupError(`runtime not found: ${p} is not an executable file`);
  }
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, spec);
    if (await isExecutableFile(p)) return p;
  }
  throw new SetupError(`runtime not found: no executable "${spec}" on PATH (give a name on PATH or a path, e.g. --runtime /usr/sbin/runc)`);
}

/**
 * The runtime and its global options (--runtime-arg), as every call makes
 * it. --root is the harness's own: each run gives the runtime a fresh state
 * directory, so the containers it judges and removes are only its own, and a
 * --root among the options would put them where the harness does not look.
 */
export async function runtimeCommand(spec: string, args: readonly string[] = []): Promise<RuntimeCommand> {
  const root = args.find((a) => a === '--root' || a.startsWith('--root='));
  if (root !== undefined) throw new SetupError(`--runtime-arg ${root}: ocicomply gives the runtime its own --root (a fresh directory per run), so it cannot be set`);
  return { path: await resolveRuntime(spec), args: [...args] };
}
