/**
 * Facts of the system a run runs on, for the run record and certification
 * bundles: the kernel, the distribution, the architecture, the security
 * modules, who runs the suite, and libseccomp as the package database lists
 * it. Everything is read from files; no program is run, and nothing a file
 * names is opened. A fact that cannot be read says why instead.
 */
import { readFile } from 'node:fs/promises';
import { machine, release, version } from 'node:os';
import type { SystemFacts, Unreadable } from '../results.js';
import { systemReason } from '../util/places.js';

/** Far above any real file of these kinds (dpkg's status is a few MiB). */
const MAX_BYTES = 64 * 1024 * 1024;

async function text(file: string): Promise<string | Unreadable> {
  try {
    const b = await readFile(file);
    if (b.length > MAX_BYTES) return { unreadable: `${file}: ${b.length} bytes, too large` };
    return b.toString('utf8');
  } catch (e) {
    return { unreadable: `${file}: ${systemReason(e)}` };
  }
}

function isUnreadable(v: unknown): v is Unreadable {
  return typeof v === 'object' && v !== null && 'unreadable' in v;
}

/** KEY=value lines of os-release(5), values unquoted. */
export function parseOsRelease(content: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of content.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (!m) continue;
    let v = m[2]!;
    const q = v[0];
    if ((q === '"' || q === "'") && v.endsWith(q) && v.length >= 2) v = v.slice(1, -1);
    out.set(m[1]!, v.replace(/\\(["'$`\\])/g, '$1'));
  }
  return out;
}

/** The security modules of /sys/kernel/security/lsm: a comma-separated list. */
export function parseLsm(content: string): string[] {
  return content.trim().split(',').map((s) => s.trim()).filter(Boolean);
}

/** uid 0 inside a user namespace maps to another uid outside: /proc/self/uid_map is not the identity map. */
export function isUserNamespace(uidMap: string): boolean {
  const lines = uidMap.trim().split('\n').map((l) => l.trim().split(/\s+/));
  return !(lines.length === 1 && lines[0]![0] === '0' && lines[0]![1] === '0' && lines[0]![2] === '4294967295');
}

/** The installed versions of libseccomp's runtime package (libseccomp2, any architecture) in a dpkg status file. */
export function dpkgLibseccomp(status: string): { version: string; architecture: string | null }[] {
  const out: { version: string; architecture: string | null }[] = [];
  for (const stanza of status.split(/\n\s*\n/)) {
    const field = (name: string): string | undefined => new RegExp(`^${name}: *(.*)$`, 'm').exec(stanza)?.[1]?.trim();
    if (field('Package') !== 'libseccomp2') continue;
    if (!/\binstalled$/.test(field('Status') ?? '')) continue;
    const v = field('Version');
    if (v) out.push({ version: v, architecture: field('Architecture') ?? null });
  }
  return out;
}

const DPKG_STATUS = '/var/lib/dpkg/status';

async function distribution(): Promise<SystemFacts['distribution']> {
  // os-release(5): /etc/os-release, else /usr/lib/os-release.
  let first: Unreadable | undefined;
  for (const file of ['/etc/os-release', '/usr/lib/os-release']) {
    const content = await text(file);
    if (isUnreadable(content)) {
      first ??= content;
      continue;
    }
    const m = parseOsRelease(content);
    return { id: m.get('ID') ?? null, versionId: m.get('VERSION_ID') ?? null, prettyName: m.get('PRETTY_NAME') ?? null, from: file };
  }
  return first!;
}

async function libseccomp(): Promise<SystemFacts['libseccomp']> {
  const status = await text(DPKG_STATUS);
  if (isUnreadable(status)) return status;
  return dpkgLibseccomp(status).map((p) => ({ version: p.version, from: `${DPKG_STATUS}: package libseccomp2${p.architecture ? `:${p.architecture}` : ''}` }));
}

export async function systemFacts(): Promise<SystemFacts> {
  const [dist, lsm, uidMap, seccomp] = await Promise.all([distribution(), text('/sys/kernel/security/lsm'), text('/proc/self/uid_map'), libseccomp()]);
  const uid = process.geteuid?.() ?? 0;
  const userNamespace = !isUnreadable(uidMap) && isUserNamespace(uidMap);
  return {
    kernel: { release: release(), version: version() },
    architecture: machine(),
    distribution: dist,
    securityModules: isUnreadable(lsm) ? lsm : parseLsm(lsm),
    user: { uid, userNamespace, rootless: uid !== 0 || userNamespace },
    libseccomp: seccomp,
  };
}
