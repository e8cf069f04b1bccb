/** A fingerprint of a bundle's files, to prove that delete left the bundle alone. */
import { createHash } from 'node:crypto';
import { readFile, readdir, lstat, readlink } from 'node:fs/promises';
import { join, relative } from 'node:path';

export async function fingerprintBundle(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  async function walk(d: string): Promise<void> {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      const rel = relative(dir, p);
      const s = await lstat(p);
      if (e.isDirectory()) {
        out.set(rel, `dir ${s.mode.toString(8)}`);
        await walk(p);
      } else if (e.isSymbolicLink()) {
        out.set(rel, `link ${await readlink(p)}`);
      } else {
        const hash = createHash('sha256').update(await readFile(p)).digest('hex').slice(0, 16);
        out.set(rel, `file ${s.mode.toString(8)} ${s.size} ${hash}`);
      }
    }
  }
  try {
    await walk(dir);
  } catch {
    // a missing bundle fingerprints as empty
  }
  return out;
}

/** Human-readable differences between two fingerprints (empty when equal). */
export function fingerprintDiff(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): string[] {
  const diff: string[] = [];
  for (const [k, v] of before) {
    const now = after.get(k);
    if (now === undefined) diff.push(`${k} removed`);
    else if (now !== v) diff.push(`${k} changed (${v} -> ${now})`);
  }
  for (const k of after.keys()) if (!before.has(k)) diff.push(`${k} added`);
  return diff;
}
