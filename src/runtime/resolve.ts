/** Finds the runtime executable from a name on PATH or a path. */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { SetupError } from '../util/errors.js';

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
