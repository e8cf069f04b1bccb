/**
 * What the host offers the cases of security labels and execution domains:
 * a loaded AppArmor profile a container can run under, an SELinux label the
 * policy knows, and whether the machine runs 32-bit programs (personality
 * LINUX32). Each is null when the host lacks it, and the cases that need it
 * are skipped with the reason.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { arch } from 'node:process';
import type { SecurityFacts } from '../results.js';

const APPARMOR_ENABLED = '/sys/module/apparmor/parameters/enabled';
const APPARMOR_PROFILES = '/sys/kernel/security/apparmor/profiles';
const SELINUX_ENFORCE = '/sys/fs/selinux/enforce';
const SELINUX_CONTEXT = '/sys/fs/selinux/context';
/**
 * The SELinux type of privileged containers (container-selinux): it may write
 * where the harness keeps the probe's report, and it differs from the label
 * of the process that runs the runtime, so a runtime that ignores the label
 * is seen.
 */
const SELINUX_CANDIDATE = 'system_u:system_r:spc_t:s0';

/**
 * An AppArmor profile from the kernel's list ("NAME (MODE)" per line) that
 * lets the probe write its report: one in complain mode (it logs, never
 * denies), else a container runtime's default profile. "unconfined" is no
 * profile at all, so it tests nothing.
 */
export function pickApparmorProfile(list: string): string | null {
  const profiles = list.split('\n').map((l) => /^(.+) \((\w+)\)$/.exec(l.trim())).filter((m) => m !== null).map((m) => ({ name: m[1]!, mode: m[2]! }));
  const usable = profiles.filter((p) => p.name !== 'unconfined');
  return usable.find((p) => p.mode === 'complain')?.name
    ?? usable.find((p) => p.name === 'docker-default' || p.name.startsWith('containers-default'))?.name
    ?? null;
}

/** The uname machine a LINUX32 personality shows here, or null when the machine does not run 32-bit programs (as far as is known). */
export function linux32Machine(nodeArch: string): string | null {
  // x86_64 kernels take PER_LINUX32 whatever IA32 emulation offers; elsewhere it depends on the CPU, unknown here.
  return nodeArch === 'x64' ? 'i686' : null;
}

async function text(path: string): Promise<string | null> {
  return readFile(path, 'utf8').catch(() => null);
}

async function selinuxLabel(): Promise<string | null> {
  if ((await text(SELINUX_ENFORCE)) === null) return null;
  const own = (await text('/proc/self/attr/current'))?.replace(/[\n\0]+$/, '') ?? null;
  if (own === SELINUX_CANDIDATE) return null;
  // selinuxfs' context node answers whether the loaded policy knows a context (EINVAL when not); nothing changes.
  const known = await writeFile(SELINUX_CONTEXT, SELINUX_CANDIDATE).then(() => true, () => false);
  return known ? SELINUX_CANDIDATE : null;
}

export async function securityFacts(): Promise<SecurityFacts> {
  const apparmorOn = (await text(APPARMOR_ENABLED))?.trim() === 'Y';
  const profiles = apparmorOn ? await text(APPARMOR_PROFILES) : null;
  return {
    apparmorProfile: profiles === null ? null : pickApparmorProfile(profiles),
    selinuxLabel: await selinuxLabel(),
    linux32Machine: linux32Machine(arch),
  };
}
