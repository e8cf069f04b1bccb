/** What the probe's actions did (bundles/probe.c, `run --do`): one begin and one end line each. */
import { readFile } from 'node:fs/promises';

export interface ActionResult {
  readonly i: number;
  readonly do: string;
  readonly ret: number;
  /** 0 when the call succeeded. */
  readonly errno: number;
  readonly type?: string;
  readonly major?: number;
  readonly minor?: number;
  /** Permission bits (st_mode & 07777). */
  readonly mode?: number;
  readonly uid?: number;
  readonly gid?: number;
  readonly target?: string | null;
  /** stat/lstat: the filesystem (st_dev) and inode the file lives on. */
  readonly dev?: number;
  readonly ino?: number;
  /** syscall: the number the kernel knows the call by (as audit records name it). */
  readonly nr?: number;
  /** syscall32: this machine does not run 32-bit x86 syscalls (not x86_64, or no IA32 emulation). */
  readonly no32?: boolean;
  /** status: Seccomp and Seccomp_filters of /proc/self/status, -1 for a line the kernel does not write. */
  readonly seccomp?: number;
  readonly filters?: number;
  /** status: the Speculation_Store_Bypass line, and the kernel's mitigation mode for it. */
  readonly ssb?: string | null;
  readonly ssbMitigation?: string | null;
  readonly unknown?: boolean;
  /** cgroup: the file read (the version's name) and what it held; read: the first 256 bytes of a file. */
  readonly file?: string;
  readonly content?: string | null;
  /** read: the path is a directory (ret counts its entries besides . and ..). */
  readonly dir?: boolean;
}

export interface ActionState {
  readonly begun: boolean;
  readonly result?: ActionResult;
}

export async function readAction(path: string, index: number): Promise<ActionState> {
  let text = '';
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return { begun: false };
  }
  let begun = false;
  let result: ActionResult | undefined;
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      const r = JSON.parse(line) as ActionResult & { phase: string };
      if (r.i !== index) continue;
      if (r.phase === 'begin') begun = true;
      else result = r;
    } catch {
      // a line cut short by the probe's death
    }
  }
  return result ? { begun, result } : { begun };
}
