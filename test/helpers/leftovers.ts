/** What a run may leave on the host, looked for the way a suspicious operator would. */
import { readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';

/** Live (non-zombie) processes running the probe: container programs, hooks, seccomp agents, namespace holders. */
export async function probeProcesses(): Promise<number[]> {
  const out: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = await readFile(`/proc/${name}/stat`, 'utf8');
      if (/\) [ZX] /.test(stat)) continue;
      const cmd = (await readFile(`/proc/${name}/cmdline`, 'utf8')).split('\0');
      if (cmd[0] === '/ocicomply-probe' && cmd[1] === 'run') out.push(Number(name));
      else if (cmd[0]?.startsWith('ocicomply-hook-') && cmd[1] === 'hook') out.push(Number(name));
      else if ((cmd[1] === 'seccomp-agent' || cmd[1] === 'hold') && cmd[0]?.includes('ocicomply-probe')) out.push(Number(name));
      else if ((await readlink(`/proc/${name}/exe`).catch(() => '')).endsWith('/ocicomply-probe')) out.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** cgroup directories named like ocicomply's, in every hierarchy. */
export async function cgroupDirs(): Promise<string[]> {
  const out: string[] = [];
  for (const h of await readdir('/sys/fs/cgroup').catch(() => [])) {
    const dir = join('/sys/fs/cgroup', h);
    for (const e of await readdir(dir).catch(() => [])) if (e.startsWith('ocicomply-')) out.push(join(dir, e));
  }
  for (const e of await readdir('/sys/fs/cgroup').catch(() => [])) if (e.startsWith('ocicomply-')) out.push(join('/sys/fs/cgroup', e));
  return out;
}

/** Mounts whose source or target lies under `dir`. */
export async function mountsUnder(dir: string): Promise<string[]> {
  const text = await readFile('/proc/self/mountinfo', 'utf8');
  return text.split('\n').filter((l) => l.includes(dir));
}
