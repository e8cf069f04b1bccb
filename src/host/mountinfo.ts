/** The mount table of the harness's mount namespace, from /proc/self/mountinfo. */
import { readFile } from 'node:fs/promises';

export interface MountEntry {
  /** The path within the mounted file system that is mounted here (usually "/"). */
  readonly root: string;
  readonly mountPoint: string;
  readonly fstype: string;
  readonly superOptions: string;
}

function unescapeMountField(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

export function parseMountInfo(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const [pre, post] = line.split(' - ');
    if (!pre || !post) continue;
    const f = pre.split(' ');
    const [fstype, , superOptions] = post.split(' ');
    const root = f[3], mountPoint = f[4];
    if (root === undefined || mountPoint === undefined || fstype === undefined) continue;
    out.push({ root: unescapeMountField(root), mountPoint: unescapeMountField(mountPoint), fstype, superOptions: superOptions ?? '' });
  }
  return out;
}

export async function mountInfo(): Promise<MountEntry[]> {
  return parseMountInfo(await readFile('/proc/self/mountinfo', 'utf8'));
}

/** Mount points at `dir` or below it. */
export async function mountsUnder(dir: string): Promise<string[]> {
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  return (await mountInfo()).map((m) => m.mountPoint).filter((p) => p === dir || p.startsWith(prefix));
}
