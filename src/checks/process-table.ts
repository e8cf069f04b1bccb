/**
 * What config.md's `process` asks for, property by property: the part of the
 * config it reads, what the probe reports for it, the requirement it stands
 * for, and how the two compare. A new property is one row here; the check
 * (src/checks/process.ts) judges the rows a case step names.
 *
 * Every comparison is of the program as it runs (after execve), because that
 * is the process "as specified by process" (runtime.md, Start). For
 * capabilities this matters: execve recomputes the sets (capabilities(7)),
 * so a case must ask for sets that survive it unchanged (for uid 0:
 * bounding = permitted = effective, inheritable and ambient within them).
 */
import type { ConfigRead } from '../spec/config.js';
import type { CapabilitySet, ProbeReport, SchedAttr, StdioSeen } from '../engine/probe-report.js';
import { CAPABILITY_SETS } from '../engine/probe-report.js';
import type { Finding } from './check.js';
import { unjudged, verdict } from './check.js';
import type { Unjudged } from '../engine/check.js';

/** The `process` object of config.json as readConfig gives it. */
export type ProcessRead = NonNullable<ConfigRead['process']>;

/** What the host knew of the process that ran the runtime (what an unset property leaves as it was). */
export interface CallerFacts {
  /** The harness's own /proc/self/oom_score_adj, inherited by the runtime it runs (null: unreadable). */
  readonly oomScoreAdj: number | null;
  /** The PATH the runtime inherited from the harness (null: none; absent: an observation from before it was recorded). */
  readonly path?: string | null | undefined;
}

export interface ProcessRow {
  /** The config property, as the spec names it. */
  readonly property: string;
  /** What of the probe's report is compared, for the description. */
  readonly reported: string;
  /** The requirement a step judging this row stands for. */
  readonly requirement: string;
  /**
   * `config` is the whole config as read, for the few properties of the process that live outside `process` (linux.personality, linux.seccomp).
   * A row with nothing to judge in a config (its property unset, or set to a value the row does not judge) says so with notApplicable
   * before it looks at the report: check-config picks the rows a config asks for by asking each row so.
   */
  compare(configured: ProcessRead, seen: ProbeReport, caller: CallerFacts, config: ConfigRead): Finding;
}

/** capabilities(7) names by number, as Linux numbers them (include/uapi/linux/capability.h). */
export const CAPABILITY_NAMES = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE', 'CAP_NET_BROADCAST', 'CAP_NET_ADMIN',
  'CAP_NET_RAW', 'CAP_IPC_LOCK', 'CAP_IPC_OWNER', 'CAP_SYS_MODULE', 'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT', 'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT', 'CAP_SYS_ADMIN', 'CAP_SYS_BOOT', 'CAP_SYS_NICE', 'CAP_SYS_RESOURCE', 'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD', 'CAP_LEASE', 'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL', 'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG', 'CAP_WAKE_ALARM', 'CAP_BLOCK_SUSPEND', 'CAP_AUDIT_READ',
  'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
] as const;

/** The Seccomp line of /proc/self/status for a process under a seccomp filter (proc(5)). */
const SECCOMP_MODE_FILTER = 2;

/** RLIM_INFINITY (2^64-1) as a JSON number reads; the probe reports it as null. */
const RLIM_INFINITY = 18446744073709551615;

function capabilityName(n: number): string {
  return CAPABILITY_NAMES[n] ?? `capability ${n}`;
}

function sameList(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** A path without repeated or trailing slashes, for comparing with getcwd's answer. */
function tidyPath(p: string): string {
  const t = p.replace(/\/+/g, '/');
  return t.length > 1 ? t.replace(/\/$/, '') : t;
}

/** "K=V" entries by name (the last one of a name wins, as a later putenv would). */
function envMap(entries: readonly string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const e of entries) {
    const i = e.indexOf('=');
    m.set(i < 0 ? e : e.slice(0, i), i < 0 ? '' : e.slice(i + 1));
  }
  return m;
}

/** The row has nothing to judge in this config (see ProcessRow.compare); a skip where a case names it. */
function notApplicable(reason: string): Unjudged {
  return { ...unjudged(reason), inapplicable: true };
}

function notConfigured(property: string): Finding {
  return notApplicable(`${property} is not in the config: nothing to compare`);
}

/** The directories of a PATH value, in search order (an empty entry is the working directory, as execvp reads it). */
function pathDirs(path: string): string[] {
  return path.split(':').map((d) => (d === '' ? '.' : tidyPath(d)));
}

/**
 * config.md: args[0] "is used with the same semantics as execvp's file", and execvp searches the PATH of the
 * environment it runs in, without saying whose: the container's (process.env, what a runtime applies before it
 * execs) or the runtime's own. A bare name is judged only where both readings search the same directories up to
 * the one holding the program: every directory of the container's PATH is on the runtime's PATH as well (the case's
 * rootfs holds the program only there).
 */
function pathReadingsDiffer(env: readonly string[], runtimePath: string | null | undefined): string | undefined {
  const containerPath = envMap(env).get('PATH');
  if (containerPath === undefined) return 'process.env has no PATH: config.md does not say which PATH a bare name is searched in, nothing to compare';
  if (runtimePath === undefined) return 'the PATH the runtime inherited was not recorded';
  if (runtimePath === null) return 'the runtime inherited no PATH (execvp then searches a default the system chooses): the readings of config.md may differ';
  const theirs = new Set(pathDirs(runtimePath));
  const missing = pathDirs(containerPath).filter((d) => !theirs.has(d));
  return missing.length > 0 ? `${missing.join(', ')} of process.env's PATH ${containerPath} is not on the runtime's own PATH: config.md does not say whose PATH is searched, and the two readings differ here` : undefined;
}

function rlimitValue(v: number | null): string {
  return v === null ? 'unlimited' : String(v);
}

// ---- Scheduling, I/O priority, personality and security labels ----

/** Linux's numbers for config.md's scheduler policies (include/uapi/linux/sched.h); SCHED_ISO is reserved, no kernel implements it. */
export const SCHED_POLICIES: Readonly<Record<string, number>> = {
  SCHED_OTHER: 0, SCHED_FIFO: 1, SCHED_RR: 2, SCHED_BATCH: 3, SCHED_ISO: 4, SCHED_IDLE: 5, SCHED_DEADLINE: 6,
};
const SCHED_FLAG_RESET_ON_FORK = 0x01;
/** Policies whose nice value the kernel keeps (fair_policy); real-time ones have a static priority; deadline its three times. */
const NICE_POLICIES = new Set([0, 3]);
const DEADLINE_POLICY = 6;

/** Linux's I/O scheduling classes (include/uapi/linux/ioprio.h); 0 is IOPRIO_CLASS_NONE. */
export const IOPRIO_CLASSES: Readonly<Record<string, number>> = { IOPRIO_CLASS_RT: 1, IOPRIO_CLASS_BE: 2, IOPRIO_CLASS_IDLE: 3 };

/** Linux's execution domains for config-linux.md's personality (include/uapi/linux/personality.h); PER_MASK is the low byte. */
export const PERSONALITY_DOMAINS: Readonly<Record<string, number>> = { LINUX: 0x0000, LINUX32: 0x0008 };
const PER_MASK = 0xff;

function nameOf(table: Readonly<Record<string, number>>, n: number): string {
  return Object.entries(table).find(([, v]) => v === n)?.[0] ?? `number ${n}`;
}

/** What config.md's scheduler asks of sched_getattr, unset fields as 0 ("if not set, the runtime must use the value 0"). */
function expectedSched(want: NonNullable<ProcessRead['scheduler']>, policy: number): Partial<Record<keyof SchedAttr, number>> & { resetOnFork: boolean } {
  const out: Partial<Record<keyof SchedAttr, number>> & { resetOnFork: boolean } = { policy, priority: want.priority ?? 0, resetOnFork: (want.flags ?? []).includes('SCHED_FLAG_RESET_ON_FORK') };
  if (NICE_POLICIES.has(policy)) out.nice = want.nice ?? 0;
  if (policy === DEADLINE_POLICY) Object.assign(out, { runtime: want.runtime ?? 0, deadline: want.deadline ?? 0, period: want.period ?? 0 });
  return out;
}

const SCHEDULING_ROWS = {
  scheduler: {
    property: 'process.scheduler', reported: 'sched_getattr', requirement: 'process.scheduler',
    compare(configured, seen) {
      const want = configured.scheduler;
      if (!want) return notConfigured('process.scheduler');
      const policy = SCHED_POLICIES[want.policy];
      if (policy === undefined) return unjudged(`policy ${want.policy} is not one config.md lists: nothing to compare`);
      if (!seen.scheduler) return unjudged('the probe could not read sched_getattr');
      const expected = expectedSched(want, policy);
      const got = seen.scheduler;
      const problems: string[] = [];
      if (got.policy !== policy) problems.push(`policy is ${nameOf(SCHED_POLICIES, got.policy)}, not ${want.policy}`);
      for (const k of ['priority', 'nice', 'runtime', 'deadline', 'period'] as const) {
        const v = expected[k];
        if (v !== undefined && got[k] !== v) problems.push(`${k} is ${got[k]}, not ${v}${want[k] === undefined ? ' (unset: config.md says the runtime must use 0)' : ''}`);
      }
      const resetOnFork = (got.flags & SCHED_FLAG_RESET_ON_FORK) !== 0;
      if (resetOnFork !== expected.resetOnFork) problems.push(`SCHED_FLAG_RESET_ON_FORK is ${resetOnFork ? 'set' : 'not set'}, ${expected.resetOnFork ? 'configured' : 'not configured'}`);
      // The other flags shape one sched_setattr call (KEEP_*) or belong to deadline and clamping: sched_getattr does not keep them all.
      const others = (want.flags ?? []).filter((f) => f !== 'SCHED_FLAG_RESET_ON_FORK');
      const note = others.length > 0 ? `; flags ${others.join(', ')} are not judged (sched_getattr does not show them)` : '';
      return verdict(problems.length === 0,
        (problems.length === 0 ? `policy ${want.policy} with the configured values` : problems.join('; ')) + note,
        { expected, actual: got });
    },
  },
  ioPriority: {
    property: 'process.ioPriority', reported: 'ioprio_get', requirement: 'process.io-priority',
    compare(configured, seen) {
      const want = configured.ioPriority;
      if (!want) return notConfigured('process.ioPriority');
      const cls = IOPRIO_CLASSES[want.class];
      if (cls === undefined) return unjudged(`class ${want.class} is not one config.md lists: nothing to compare`);
      if (!seen.ioPriority) return unjudged('the probe could not read ioprio_get');
      const expected = { class: cls, ...(want.priority !== undefined ? { priority: want.priority } : {}) };
      const got = seen.ioPriority;
      const ok = got.class === cls && (want.priority === undefined || got.priority === want.priority);
      return verdict(ok,
        ok ? `I/O priority is ${want.class} ${got.priority}` : `I/O priority is ${got.class === 0 ? 'IOPRIO_CLASS_NONE' : nameOf(IOPRIO_CLASSES, got.class)} ${got.priority}, not ${want.class} ${want.priority ?? ''}`.trimEnd(),
        { expected, actual: got });
    },
  },
  personality: {
    property: 'linux.personality', reported: 'personality(0xffffffff), uname machine', requirement: 'personality',
    compare(_configured, seen, _caller, config) {
      const want = config.linux?.personality;
      if (!want?.domain) return notConfigured('linux.personality');
      const domain = PERSONALITY_DOMAINS[want.domain];
      if (domain === undefined) return unjudged(`domain ${want.domain} is not one config-linux.md lists: nothing to compare`);
      if (seen.personality === undefined || seen.personality === null) return unjudged('the probe could not read its personality');
      const got = seen.personality & PER_MASK;
      const ok = got === domain;
      // config-linux.md supports no flag values: the bits above the domain are reported, not judged.
      return verdict(ok,
        `${ok ? `the execution domain is ${want.domain}` : `the execution domain is ${nameOf(PERSONALITY_DOMAINS, got)}, not ${want.domain}`} (personality 0x${seen.personality.toString(16)}, uname machine ${String(seen.machine)})`,
        { expected: domain, actual: seen.personality });
    },
  },
  apparmorProfile: {
    property: 'process.apparmorProfile', reported: '/proc/self/attr/apparmor/current (else attr/current)', requirement: 'process.apparmor-profile',
    compare(configured, seen) {
      const want = configured.apparmorProfile;
      if (want === undefined) return notConfigured('process.apparmorProfile');
      const label = seen.lsm?.apparmor ?? seen.lsm?.current ?? null;
      if (label === null) return unjudged('the process has no readable security label: no security module answers');
      // AppArmor shows "NAME (MODE)" for a confined process, "unconfined" otherwise.
      const ok = label === want || label.startsWith(`${want} (`);
      return verdict(ok, ok ? `the process is confined by profile ${want} (${label})` : `the process's AppArmor label is ${label}, not profile ${want}`, { expected: want, actual: label });
    },
  },
  selinuxLabel: {
    property: 'process.selinuxLabel', reported: '/proc/self/attr/current', requirement: 'process.selinux-label',
    compare(configured, seen) {
      const want = configured.selinuxLabel;
      if (want === undefined) return notConfigured('process.selinuxLabel');
      const label = seen.lsm?.current ?? null;
      if (label === null) return unjudged('the process has no readable security label: no security module answers');
      const ok = label === want;
      return verdict(ok, ok ? `the process's label is ${want}` : `the process's label is ${label}, not ${want}`, { expected: want, actual: label });
    },
  },
} as const satisfies Readonly<Record<string, ProcessRow>>;

/** Descriptors 0, 1 and 2 as the program found them, or why they cannot be judged. */
function stdioOf(seen: ProbeReport): readonly StdioSeen[] | Unjudged {
  return seen.stdio && seen.stdio.length === 3 ? seen.stdio : unjudged('the probe reported no standard streams');
}

function describeStdio(s: StdioSeen): string {
  if (!s.open) return `${s.fd} is closed`;
  return `${s.fd} is ${s.tty ? 'a terminal' : 'no terminal'} (${s.type} ${s.major}:${s.minor}, file ${s.dev}:${s.ino})`;
}

/** The program's terminal: its stdin when that is one (process.terminal judges whether all three are). */
function terminalOf(stdio: readonly StdioSeen[]): (StdioSeen & { open: true }) | undefined {
  const s = stdio[0];
  return s?.open && s.tty ? s : undefined;
}

export const PROCESS_ROWS = {
  args: {
    property: 'process.args', reported: 'argv', requirement: 'process.args',
    compare(configured, seen) {
      if (!configured.args) return notConfigured('process.args');
      const ok = sameList(configured.args, seen.args);
      return verdict(ok, ok ? 'the program got exactly the configured args' : 'the program got args other than the configured ones',
        { expected: configured.args, actual: seen.args });
    },
  },
  argsPathLookup: {
    property: 'process.args (args[0] without a slash)', reported: 'that it ran, and its argv', requirement: 'process.args.path-lookup',
    compare(configured, seen, caller) {
      const file = configured.args?.[0];
      if (file === undefined || file.includes('/')) return notApplicable('args[0] is absent or has a slash: no PATH search to judge');
      const differ = pathReadingsDiffer(configured.env ?? [], caller.path);
      if (differ !== undefined) return unjudged(differ);
      // A report means some file ran; argv exactly as configured means the runtime searched rather than rewrote the name;
      // the file it runs from must be that name in a directory of a PATH (either reading's), not one found elsewhere.
      const problems: string[] = [];
      if (!sameList(configured.args ?? [], seen.args)) problems.push('it got args other than the configured ones');
      // An empty PATH entry is the working directory: the container's cwd.
      const searched = [...pathDirs(envMap(configured.env ?? []).get('PATH') ?? ''), ...pathDirs(caller.path ?? '')].map((d) => (d === '.' ? tidyPath(configured.cwd ?? '/') : d));
      const exe = seen.exe;
      const exeNote = exe === undefined || exe === null ? ' (the probe did not say which file it runs from)' : '';
      if (exe && !searched.some((d) => exe === `${d === '/' ? '' : d}/${file}`)) problems.push(`it runs from ${exe}, which is not ${file} in a directory of PATH`);
      return verdict(problems.length === 0,
        problems.length === 0 ? `the program ${file} was found through PATH${exe ? ` (${exe})` : ''} and got exactly the configured args${exeNote}` : `a program ran, but ${problems.join('; ')}`,
        { expected: { args: configured.args, exe: `${file} in a directory of PATH` }, actual: { args: seen.args, exe: exe ?? null } });
    },
  },
  env: {
    property: 'process.env', reported: 'environ', requirement: 'process.env',
    compare(configured, seen) {
      if (!configured.env) return notConfigured('process.env');
      const want = envMap(configured.env);
      const got = envMap(seen.env);
      const wrong = [...want].filter(([k, v]) => got.get(k) !== v).map(([k]) => k);
      // config.md says nothing of variables a runtime adds: they are named, not judged.
      const added = [...got.keys()].filter((k) => !want.has(k));
      const extra = added.length > 0 ? `; the runtime added ${added.join(', ')} (config.md is silent on added variables: not judged)` : '';
      return verdict(wrong.length === 0,
        wrong.length === 0 ? `every configured variable has its value${extra}` : `missing or changed: ${wrong.join(', ')}${extra}`,
        { expected: configured.env, actual: seen.env });
    },
  },
  cwd: {
    property: 'process.cwd', reported: 'getcwd', requirement: 'process.cwd',
    compare(configured, seen) {
      if (configured.cwd === undefined) return notConfigured('process.cwd');
      const ok = seen.cwd !== null && tidyPath(seen.cwd) === tidyPath(configured.cwd);
      return verdict(ok, ok ? `the working directory is ${configured.cwd}` : `the working directory is ${String(seen.cwd)}, not ${configured.cwd}`,
        { expected: configured.cwd, actual: seen.cwd });
    },
  },
  uid: {
    property: 'process.user.uid', reported: 'getuid, geteuid', requirement: 'process.user.uid',
    compare(configured, seen) {
      const want = configured.user?.uid;
      if (want === undefined) return notConfigured('process.user.uid');
      const ok = seen.uid === want && seen.euid === want;
      return verdict(ok, ok ? `uid and euid are ${want}` : `uid ${seen.uid}, euid ${seen.euid}; configured ${want}`,
        { expected: want, actual: { uid: seen.uid, euid: seen.euid } });
    },
  },
  gid: {
    property: 'process.user.gid', reported: 'getgid, getegid', requirement: 'process.user.gid',
    compare(configured, seen) {
      const want = configured.user?.gid;
      if (want === undefined) return notConfigured('process.user.gid');
      const ok = seen.gid === want && seen.egid === want;
      return verdict(ok, ok ? `gid and egid are ${want}` : `gid ${seen.gid}, egid ${seen.egid}; configured ${want}`,
        { expected: want, actual: { gid: seen.gid, egid: seen.egid } });
    },
  },
  umask: {
    property: 'process.user.umask', reported: 'Umask of /proc/self/status', requirement: 'process.user.umask',
    compare(configured, seen) {
      const want = configured.user?.umask;
      // Left unset, the umask "should not be changed" (lower case, no requirement): nothing to judge.
      if (want === undefined) return notConfigured('process.user.umask');
      if (seen.umask === undefined || seen.umask === null) return unjudged('the kernel reports no Umask line in /proc/self/status');
      const ok = seen.umask === want;
      return verdict(ok, ok ? `umask is 0${want.toString(8)}` : `umask is 0${seen.umask.toString(8)}, not 0${want.toString(8)}`,
        { expected: want, actual: seen.umask });
    },
  },
  additionalGids: {
    property: 'process.user.additionalGids', reported: 'getgroups', requirement: 'process.user.additional-gids',
    compare(configured, seen) {
      const want = configured.user?.additionalGids;
      if (want === undefined) return notConfigured('process.user.additionalGids');
      const missing = want.filter((g) => !seen.groups.includes(g));
      // config.md: the gids are "added to the process"; it does not say no other may be there.
      const others = seen.groups.filter((g) => !want.includes(g) && g !== configured.user?.gid);
      const extra = others.length > 0 ? `; also in groups ${others.join(', ')} (not judged: config.md only says the gids are added)` : '';
      return verdict(missing.length === 0,
        missing.length === 0 ? `the process is in every additional group${extra}` : `not in groups ${missing.join(', ')}${extra}`,
        { expected: want, actual: seen.groups });
    },
  },
  capabilities: {
    property: 'process.capabilities', reported: 'CapBnd, CapEff, CapPrm, CapInh, CapAmb of /proc/self/status', requirement: 'process.capabilities',
    compare(configured, seen) {
      const want = configured.capabilities;
      if (!want) return notConfigured('process.capabilities');
      if (!seen.capabilities) return unjudged('the probe reported no capability sets');
      const problems: string[] = [];
      const actual: Partial<Record<CapabilitySet, string[] | null>> = {};
      for (const set of CAPABILITY_SETS) {
        const names = want[set];
        if (!names) continue;
        const bits = seen.capabilities[set];
        const got = bits === null ? null : bits.map(capabilityName);
        actual[set] = got;
        if (got === null) {
          problems.push(`${set}: unreadable`);
          continue;
        }
        const missing = names.filter((n) => !got.includes(n));
        const extra = got.filter((n) => !names.includes(n));
        if (missing.length + extra.length > 0) {
          problems.push(`${set}: ${[missing.length ? `lacks ${missing.join(', ')}` : '', extra.length ? `has unasked ${extra.join(', ')}` : ''].filter(Boolean).join(' and ')}`);
        }
      }
      return verdict(problems.length === 0,
        problems.length === 0 ? 'every configured capability set is exactly as listed' : problems.join('; '),
        { expected: want, actual });
    },
  },
  rlimits: {
    property: 'process.rlimits', reported: 'getrlimit of each type', requirement: 'process.rlimits',
    compare(configured, seen) {
      const want = configured.rlimits;
      if (!want) return notConfigured('process.rlimits');
      if (!seen.rlimits) return unjudged('the probe reported no rlimits');
      const problems: string[] = [];
      for (const r of want) {
        const got = seen.rlimits[r.type];
        if (got === undefined || got === null) {
          problems.push(`${r.type}: getrlimit ${got === null ? 'failed' : 'not reported by the probe'}`);
          continue;
        }
        const soft = r.soft >= RLIM_INFINITY ? null : r.soft;
        const hard = r.hard >= RLIM_INFINITY ? null : r.hard;
        if (got.soft !== soft || got.hard !== hard) {
          problems.push(`${r.type}: soft ${rlimitValue(got.soft)}, hard ${rlimitValue(got.hard)}; configured ${rlimitValue(soft)}, ${rlimitValue(hard)}`);
        }
      }
      const actual = Object.fromEntries(want.map((r) => [r.type, seen.rlimits?.[r.type] ?? null]));
      return verdict(problems.length === 0, problems.length === 0 ? 'every configured rlimit has its soft and hard value' : problems.join('; '),
        { expected: want, actual });
    },
  },
  noNewPrivileges: {
    property: 'process.noNewPrivileges', reported: 'prctl(PR_GET_NO_NEW_PRIVS)', requirement: 'process.no-new-privileges',
    compare(configured, seen) {
      if (configured.noNewPrivileges === undefined) return notConfigured('process.noNewPrivileges');
      // Only `true` asks for something; config.md says nothing of false or unset.
      if (configured.noNewPrivileges !== true) return unjudged('noNewPrivileges is not true: config.md asks nothing then');
      if (seen.noNewPrivs === undefined || seen.noNewPrivs === null) return unjudged('the probe could not read no_new_privs');
      return verdict(seen.noNewPrivs, seen.noNewPrivs ? 'no_new_privs is set' : 'no_new_privs is not set', { expected: true, actual: seen.noNewPrivs });
    },
  },
  oomScoreAdj: {
    property: 'process.oomScoreAdj', reported: '/proc/self/oom_score_adj', requirement: 'process.oom-score-adj',
    compare(configured, seen) {
      if (configured.oomScoreAdj === undefined) return notConfigured('process.oomScoreAdj');
      const ok = seen.oomScoreAdj === configured.oomScoreAdj;
      return verdict(ok, ok ? `oom_score_adj is ${configured.oomScoreAdj}` : `oom_score_adj is ${String(seen.oomScoreAdj)}, not ${configured.oomScoreAdj}`,
        { expected: configured.oomScoreAdj, actual: seen.oomScoreAdj });
    },
  },
  oomScoreAdjUnset: {
    property: 'process.oomScoreAdj (unset)', reported: '/proc/self/oom_score_adj and the harness\'s own', requirement: 'process.oom-score-adj.unset',
    compare(configured, seen, caller) {
      if (configured.oomScoreAdj !== undefined) return notApplicable('oomScoreAdj is set: this row judges a config without it');
      if (caller.oomScoreAdj === null) return unjudged('the harness could not read its own oom_score_adj');
      const ok = seen.oomScoreAdj === caller.oomScoreAdj;
      return verdict(ok,
        ok ? `oom_score_adj is ${caller.oomScoreAdj}, as in the process that ran the runtime` : `oom_score_adj is ${String(seen.oomScoreAdj)}; the process that ran the runtime has ${caller.oomScoreAdj}`,
        { expected: caller.oomScoreAdj, actual: seen.oomScoreAdj });
    },
  },
  ...SCHEDULING_ROWS,
  terminal: {
    property: 'process.terminal', reported: 'isatty and fstat of descriptors 0, 1 and 2', requirement: 'process.terminal',
    compare(configured, seen) {
      if (configured.terminal !== true) return notApplicable('terminal is not true: this row judges a config that asks for one');
      const stdio = stdioOf(seen);
      if ('skip' in stdio) return stdio;
      const first = stdio[0]!;
      const same = stdio.every((s) => s.open && s.tty && first.open && s.dev === first.dev && s.ino === first.ino);
      return verdict(same, same ? `stdin, stdout and stderr are one terminal (${first.open ? `${first.major}:${first.minor}` : ''})`
        : `stdin, stdout and stderr are not one terminal: ${stdio.map(describeStdio).join('; ')}`, { expected: 'one terminal on 0, 1 and 2', actual: stdio });
    },
  },
  terminalOff: {
    property: 'process.terminal (false or unset)', reported: 'isatty of descriptors 0, 1 and 2', requirement: 'process.terminal.off',
    compare(configured, seen) {
      if (configured.terminal === true) return notApplicable('terminal is true: this row judges a config without one');
      const stdio = stdioOf(seen);
      if ('skip' in stdio) return stdio;
      const ttys = stdio.filter((s) => s.open && s.tty);
      return verdict(ttys.length === 0, ttys.length === 0 ? 'no standard stream is a terminal' : `a terminal is attached: ${ttys.map(describeStdio).join('; ')}`,
        { expected: 'no terminal on 0, 1 and 2', actual: stdio });
    },
  },
  consoleSize: {
    property: 'process.consoleSize', reported: 'TIOCGWINSZ on the terminal', requirement: 'process.console-size',
    compare(configured, seen) {
      if (configured.terminal !== true) return notApplicable('terminal is not true: consoleSize is then ignored (process.console-size.ignored)');
      const want = configured.consoleSize;
      if (!want) return notConfigured('process.consoleSize');
      const stdio = stdioOf(seen);
      if ('skip' in stdio) return stdio;
      const tty = terminalOf(stdio);
      if (!tty) return unjudged('the program has no terminal to measure (process.terminal judges that)');
      const got = tty.winsize;
      const ok = got !== null && got.rows === want.height && got.cols === want.width;
      return verdict(ok, ok ? `the terminal is ${want.height} rows by ${want.width} columns`
        : `the terminal is ${got ? `${got.rows} rows by ${got.cols} columns` : 'of no size (TIOCGWINSZ failed)'}, not ${want.height} by ${want.width}`,
      { expected: { rows: want.height, cols: want.width }, actual: got });
    },
  },
  devConsole: {
    property: '/dev/console (terminal true)', reported: 'stat of /dev/console and fstat of descriptor 0', requirement: 'process.terminal.dev-console',
    compare(configured, seen) {
      if (configured.terminal !== true) return notApplicable('terminal is not true: config-linux.md sets up /dev/console only with a terminal');
      const stdio = stdioOf(seen);
      if ('skip' in stdio) return stdio;
      const tty = terminalOf(stdio);
      if (!tty) return unjudged('the program has no terminal to compare /dev/console with (process.terminal judges that)');
      const c = seen.console;
      if (c === undefined) return unjudged('the probe reported nothing of /dev/console');
      const ok = c !== null && c.dev === tty.dev && c.ino === tty.ino;
      return verdict(ok, ok ? `/dev/console is the program's terminal (${tty.major}:${tty.minor}, bind-mounted: the same file)`
        : c === null ? '/dev/console does not exist' : `/dev/console is ${c.type} ${c.major}:${c.minor} (file ${c.dev}:${c.ino}), not the program's terminal ${tty.major}:${tty.minor} (file ${tty.dev}:${tty.ino})`,
      { expected: { dev: tty.dev, ino: tty.ino }, actual: c });
    },
  },
  seccomp: {
    property: 'linux.seccomp', reported: 'Seccomp of /proc/self/status', requirement: 'seccomp.applied',
    compare(_configured, seen, _caller, config) {
      const profile = config.linux?.seccomp;
      if (!profile) return notConfigured('linux.seccomp');
      // A filter that allows every call changes nothing a program can see: whether one is loaded is the runtime's choice.
      if (allowsEveryCall(profile)) return unjudged('the profile allows every call: no filter need be loaded for it');
      if (seen.seccompMode === undefined || seen.seccompMode === null) return unjudged('the kernel reports no Seccomp line in /proc/self/status');
      const ok = seen.seccompMode === SECCOMP_MODE_FILTER;
      return verdict(ok, ok ? 'a seccomp filter is in force (Seccomp: 2)' : `Seccomp is ${seen.seccompMode}, not 2 (filter): no filter is in force`,
        { expected: SECCOMP_MODE_FILTER, actual: seen.seccompMode });
    },
  },
} as const satisfies Readonly<Record<string, ProcessRow>>;

/** A seccomp profile whose default and every rule is SCMP_ACT_ALLOW. */
export function allowsEveryCall(profile: NonNullable<NonNullable<ConfigRead['linux']>['seccomp']>): boolean {
  return profile.defaultAction === 'SCMP_ACT_ALLOW' && (profile.syscalls ?? []).every((r) => r.action === 'SCMP_ACT_ALLOW');
}

export type ProcessProperty = keyof typeof PROCESS_ROWS;
export const PROCESS_PROPERTIES = Object.keys(PROCESS_ROWS) as ProcessProperty[];

/** Findings for the named rows, each message prefixed with its property. */
export function judgeRows(properties: readonly ProcessProperty[], configured: ProcessRead, seen: ProbeReport, caller: CallerFacts, config: ConfigRead = { process: configured }): Finding[] {
  return properties.map((p) => {
    const row: ProcessRow = PROCESS_ROWS[p];
    const f = row.compare(configured, seen, caller, config);
    return 'skip' in f ? unjudged(`${row.property}: ${f.skip}`) : { ...f, message: `${row.property}: ${f.message}` };
  });
}
