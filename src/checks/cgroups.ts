/**
 * Checks on the container's cgroups, read from the host's cgroupfs: where the
 * container process was placed, and what the runtime wrote into its files.
 * A case names the files and values for both cgroup versions; the host's mode
 * picks the ones that apply (a hybrid host is judged as v1, where the
 * controllers are).
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { cgroupControllers, cgroupDirsAtPath, cgroupDirsEndingWith, cgroupDirsForPath, cgroupDirsOf, cgroupMode, exists } from '../host/cgroups.js';
import type { CheckStep } from '../cases/types.js';
import type { CaseContext, Container } from '../engine/context.js';
import { readAction } from '../engine/actions.js';
import { isAlive } from '../host/proc.js';
import { pollUntil } from '../util/poll.js';
import { legacyCreateRefusal, judge, NO_PARAMS, legacyCheck } from './check.js';

/** File -> value; an empty map: not judged on that cgroup version. */
const fileValues = { type: 'object', additionalProperties: { type: 'string' } } as const;

/** The files and values of the step that apply to this host (a hybrid host is judged as v1). */
async function wanted(step: CheckStep): Promise<{ v2: boolean; want: Record<string, string> }> {
  const v2 = (await cgroupMode()) === 'v2';
  return { v2, want: step.params[v2 ? 'v2' : 'v1'] as Record<string, string> };
}

/**
 * The first of the alternative files `a|b` that the kernel has in `dir`, with
 * the matching one of the alternative values `x|y` (or the only value).
 * Alternatives cover kernel-dependent files (hugetlb's rsvd limits, BFQ's
 * weight).
 */
async function firstFile(dir: string, files: string, values: string): Promise<{ file: string; value: string; content: string } | undefined> {
  const names = files.split('|');
  const choices = values.split('|');
  for (const [i, file] of names.entries()) {
    const content = await readFile(join(dir, file), 'utf8').then((t) => t.trim(), () => undefined);
    if (content !== undefined) return { file, value: choices.length === names.length ? choices[i]! : values, content };
  }
  return undefined;
}

/** The container's cgroup directory that holds `file` (v1: the hierarchy of its controller). */
function dirFor(dirs: ReadonlyMap<string, string>, file: string, v2: boolean): string | undefined {
  if (v2) return dirs.get('unified');
  const controller = file.split('.')[0]!;
  for (const [key, dir] of dirs) if (key.split(',').includes(controller)) return dir;
  return undefined;
}

/**
 * The container's cgroup directories as the host sees them, keyed like
 * cgroupDirsOf: those at its absolute cgroupsPath, else those its process
 * (named by state) sits in. The limits are judged there, not through the
 * container's own view: a runtime that runs the container under a kernel of
 * its own has no host process of the container, but its cgroup on the host
 * still carries the limits. Where the runtime put the container elsewhere
 * than cgroupsPath, cgroups.path.* carries that failure and the limits are
 * judged where it did put them.
 */
async function containerCgroupDirs(c: Container): Promise<{ dirs: ReadonlyMap<string, string>; none?: string }> {
  const path = (c.config['linux'] as { cgroupsPath?: string } | undefined)?.cgroupsPath ?? '';
  if (path.startsWith('/')) {
    const atPath = await cgroupDirsAtPath(path);
    if (atPath.size > 0) return { dirs: atPath };
  }
  if (c.process) return { dirs: await cgroupDirsOf(c.process.pid) };
  return {
    dirs: new Map(),
    none: `cannot be judged: the host has no cgroup at cgroupsPath ${path || '(unset)'} and no state named a container process on the host (see cgroups.path.absolute and state.pid)`,
  };
}

export const cgroupValue = legacyCheck({
  name: 'cgroup-value',
  description: "The container's cgroup files on the host's cgroupfs (at its absolute cgroupsPath, else where the process state names sits) hold the expected values (v1 files on a v1 or hybrid host, v2 files on a v2 host); `a|b` names alternative files, the first the kernel has is judged (with the matching value of `x|y`); multi-line files are compared as sets of lines; a file the host lacks skips the requirement with the reason. What the container sees of them is cgroup-visible's to judge.",
  params: {
    type: 'object', additionalProperties: false, required: ['v1', 'v2'],
    properties: {
      v1: fileValues, v2: fileValues,
      // runtime.md (create): a property the runtime cannot apply is an error; such a refusal is no verdict.
      refusable: { type: 'boolean' },
    },
  },
  async run(ctx, step, c) {
    const refused = step.params['refusable'] === true ? legacyCreateRefusal(ctx, c) : undefined;
    if (refused) return ctx.skipRequirements(step.requirements, refused);
    const { v2, want } = await wanted(step);
    if (Object.keys(want).length === 0) return ctx.skipRequirements(step.requirements, `not judged on a ${v2 ? 'v2' : 'v1'} host`);
    const { dirs, none } = await containerCgroupDirs(c);
    if (none) return ctx.skipRequirements(step.requirements, none);
    const problems: string[] = [];
    const seen: string[] = [];
    for (const [files, values] of Object.entries(want)) {
      const dir = dirFor(dirs, files, v2);
      if (!dir) return ctx.skipRequirements(step.requirements, `this ${v2 ? 'v2' : 'v1'} host has no ${files.split('.')[0]} controller for the container`);
      const found = await firstFile(dir, files, values);
      if (!found) {
        const missing = missingFile(files, dir, v2 ? { host: await cgroupControllers('v2'), cgroup: await cgroupControllers('v2', dir) } : undefined);
        if (missing.skip) return ctx.skipRequirements(step.requirements, missing.message);
        problems.push(missing.message);
        continue;
      }
      const { file, value, content: got } = found;
      seen.push(`${file} = ${got}`);
      if (!sameContent(got, value)) problems.push(`${file} is ${JSON.stringify(got)}, not ${JSON.stringify(value)}`);
    }
    judge(ctx, step, problems.length === 0, problems.length === 0 ? seen.join(', ') : problems.join('; '), { expected: want, actual: seen });
  },
});

/**
 * What a cgroup file missing from the container's cgroup means. On v2 a file
 * of a controller the host offers but the container's cgroup does not have
 * enabled is the runtime's doing ("The OCI runtime MUST ensure that the needed
 * cgroup controllers are enabled for the cgroup", config-linux.md, Unified);
 * otherwise this kernel lacks the file, and nothing is judged.
 */
export function missingFile(files: string, dir: string, v2?: { host: readonly string[]; cgroup: readonly string[] }): { skip: boolean; message: string } {
  const controller = files.split('.')[0]!;
  if (v2 && v2.host.includes(controller) && !v2.cgroup.includes(controller)) {
    return { skip: false, message: `${files.split('|').join(' or ')} is missing: the ${controller} controller is not enabled for the container's cgroup (its cgroup.controllers: ${v2.cgroup.join(' ') || 'none'})` };
  }
  return { skip: true, message: `this host's kernel has no ${files.split('|').join(' or ')} (in ${dir})` };
}

/** Multi-line files (io.max, devices.list) are compared as sets of lines. */
function sameContent(got: string, want: string): boolean {
  if (!got.includes('\n') && !want.includes('\n')) return got === want;
  const lines = (t: string): string => JSON.stringify(t.split('\n').map((l) => l.trim()).sort());
  return lines(got) === lines(want);
}

export const cgroupVisible = legacyCheck({
  name: 'cgroup-visible',
  description: "Every cgroup file the program read from its cgroup mount at /sys/fs/cgroup (its `cgroup:` actions) was readable and holds what the host's cgroupfs holds for the container's cgroup: the mount is there and shows the container's own cgroup.",
  params: NO_PARAMS,
  async run(ctx, step, c) {
    const v2 = (await cgroupMode()) === 'v2';
    const files = (c.spec.program.do ?? []).filter((a) => a.startsWith('cgroup:')).map((a) => a.split(':')[v2 ? 2 : 1]!);
    if (files.length === 0) return judge(ctx, step, false, 'the program was asked to read no cgroup file (a `cgroup:` action)');
    const { dirs, none } = await containerCgroupDirs(c);
    if (none) return ctx.skipRequirements(step.requirements, none);
    const problems: string[] = [];
    const seen: string[] = [];
    for (const file of files) {
      const dir = dirFor(dirs, file, v2);
      const onHost = dir === undefined ? undefined : await readFile(join(dir, file), 'utf8').then((t) => t.trim(), () => undefined);
      // The limit itself is cgroup-value's to judge; without it on the host there is nothing to compare.
      if (onHost === undefined) continue;
      const inside = (await insideValue(ctx, c, file, v2))!;
      if (inside !== onHost) problems.push(`inside the container ${file} reads ${JSON.stringify(inside)}, on the host ${JSON.stringify(onHost)}`);
      else seen.push(`${file} = ${onHost}`);
    }
    if (problems.length === 0 && seen.length === 0) return ctx.skipRequirements(step.requirements, `cannot be judged: the host has none of ${files.join(', ')} for the container`);
    judge(ctx, step, problems.length === 0,
      problems.length === 0 ? `the container sees its own cgroup at /sys/fs/cgroup: ${seen.join(', ')}` : problems.join('; '),
      { expected: 'the host\'s values', actual: problems.length === 0 ? seen : problems });
  },
});

export const cgroupPath = legacyCheck({
  name: 'cgroup-path',
  description: "The container sits in the cgroup its cgroupsPath names: a cgroup that holds a process at exactly that path under a hierarchy's root (absolute), or at a path ending with it (relative), and the process state names, where it is a host process, in no cgroup of its own elsewhere. Judged on the host's cgroupfs, so it holds for a runtime whose container process is no host process (a sandbox).",
  params: { type: 'object', additionalProperties: false, properties: {} },
  async run(ctx, step, c) {
    const wanted = (c.config['linux'] as { cgroupsPath?: string }).cgroupsPath ?? '';
    const absolute = wanted.startsWith('/');
    // The cgroup itself, as the host's cgroupfs shows it, decides; the process state names only adds where it is.
    // A state pid that is no process of the container is state.pid's failure, not this one.
    const dirs = absolute ? [...(await cgroupDirsAtPath(wanted)).values()] : await cgroupDirsEndingWith(wanted);
    const held = await holdingProcesses(dirs);
    const alive = c.process !== undefined && (await isAlive(c.process));
    // A container whose process already ran to its end (a runtime that starts at create) holds nothing to look at.
    if (held.length === 0 && !alive && (c.process || dirs.length > 0)) {
      return ctx.skipRequirements(step.requirements, `cannot be judged: the container process is gone already${dirs.length > 0 ? ` (${dirs[0]} holds no process)` : ` (pid ${c.process!.pid})`}`);
    }
    let wrong: Array<[string, string]> = [];
    if (c.process && alive) {
      const [theirs, ours] = await Promise.all([cgroupPaths(c.process.pid), cgroupPaths('self')]);
      // Hierarchies the runtime left alone keep the harness's own cgroup.
      const placed = [...theirs].filter(([key, path]) => ours.get(key) !== path);
      wrong = placed.filter(([, path]) => (absolute ? path !== wanted : !path.endsWith(`/${wanted}`)));
    }
    const ok = held.length > 0 && wrong.length === 0;
    const message = wrong.length > 0 ? `cgroupsPath ${wanted}, but the container process is in ${wrong.map(([k, p]) => `${k || 'unified'}:${p}`).join(', ')}`
      : ok ? `processes in ${held.join(', ')}`
      : `no cgroup ${absolute ? 'at' : 'ending with'} ${wanted} holds a process`;
    judge(ctx, step, ok, message, { expected: wanted, actual: wrong.length > 0 ? Object.fromEntries(wrong) : held });
  },
});

/** The cgroup directories that hold a process themselves. */
async function holdingProcesses(dirs: readonly string[]): Promise<string[]> {
  const held: string[] = [];
  for (const dir of dirs) {
    const procs = await readFile(join(dir, 'cgroup.procs'), 'utf8').catch(() => '');
    if (procs.trim() !== '') held.push(dir);
  }
  return held;
}

/**
 * What the program read of `file` from inside (a `cgroup:V1FILE:V2FILE`
 * action), or undefined when it was not asked to read it.
 */
async function insideValue(ctx: CaseContext, c: Container, file: string, v2: boolean): Promise<string | undefined> {
  const actions = c.spec.program.do ?? [];
  const index = actions.findIndex((a) => {
    const [kind, v1file, v2file] = a.split(':');
    return kind === 'cgroup' && (v2 ? v2file : v1file) === file;
  });
  if (index < 0) return undefined;
  const r = await pollUntil(async () => (await readAction(c.paths.actions, index)).result, { timeoutMs: ctx.timing.waitTimeoutMs, signal: ctx.signal });
  if (!r) return '(the program did not read it)';
  return r.content === null || r.content === undefined ? `(unreadable: errno ${r.errno})` : r.content.trim();
}

/** Hierarchy (controller list) -> cgroup path, from /proc/<pid>/cgroup. */
async function cgroupPaths(pid: number | 'self'): Promise<Map<string, string>> {
  const text = await readFile(`/proc/${pid}/cgroup`, 'utf8').catch(() => '');
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^\d+:([^:]*):(.*)$/.exec(line);
    if (m) out.set(m[1]!, m[2]!);
  }
  return out;
}

export const cgroupParent = legacyCheck({
  name: 'cgroup-parent',
  description: 'The parent cgroup the harness made for the case still exists and holds the values it was seeded with.',
  params: {
    type: 'object', additionalProperties: false, required: ['v1', 'v2'],
    properties: { v1: fileValues, v2: fileValues },
  },
  async run(ctx, step, c) {
    if (c.harnessCgroups.length === 0) return judge(ctx, step, false, 'the case has no seeded parent cgroup (cgroupParent)');
    const { v2, want } = await wanted(step);
    const problems: string[] = [];
    for (const [file, value] of Object.entries(want)) {
      const controller = file.split('.')[0]!;
      const dir = c.harnessCgroups.find((d) => v2 || d.split('/').some((part) => part.split(',').includes(controller)));
      if (!dir) {
        problems.push(`no parent cgroup holds ${file}`);
        continue;
      }
      const got = await readFile(join(dir, file), 'utf8').then((s) => s.trim(), () => undefined);
      if (got === undefined) problems.push(`${dir} is gone`);
      else if (got !== value) problems.push(`${join(dir, file)} is ${JSON.stringify(got)}, not ${JSON.stringify(value)}`);
    }
    judge(ctx, step, problems.length === 0, problems.length === 0 ? `the parent cgroup is there, as seeded` : problems.join('; '), { expected: want });
  },
});

export const nothingCreated = legacyCheck({
  name: 'nothing-created',
  description: "After a create that failed: no directory for the container's cgroupsPath exists in any hierarchy, and no process on the host sits in that cgroup.",
  params: NO_PARAMS,
  async run(ctx, step, c) {
    // After a create that succeeded the case's other requirement carries the failure, not this one.
    if (c.createdOk) return ctx.skipRequirements(step.requirements, 'not judged: create did not fail');
    const wanted = (c.config['linux'] as { cgroupsPath?: string } | undefined)?.cgroupsPath;
    if (!wanted?.startsWith('/')) return ctx.skipRequirements(step.requirements, 'cannot be judged: the container has no absolute cgroupsPath');
    const dirs: string[] = [];
    for (const dir of await cgroupDirsForPath(wanted)) if (await exists(dir)) dirs.push(dir);
    const inside = await processesIn(wanted);
    const problems = [
      ...(dirs.length > 0 ? [`cgroup directories left: ${dirs.join(', ')}`] : []),
      ...(inside.length > 0 ? [`processes left in ${wanted}: ${inside.join(', ')}`] : []),
    ];
    judge(ctx, step, problems.length === 0, problems.length === 0 ? `no cgroup and no process for ${wanted}` : problems.join('; '), { expected: [], actual: [...dirs, ...inside.map(String)] });
  },
});

/** Pids of host processes whose cgroup (in any hierarchy) is `path` or below it. */
async function processesIn(path: string): Promise<number[]> {
  const pids = (await readdir('/proc')).filter((n) => /^\d+$/.test(n));
  const found: number[] = [];
  for (const pid of pids) {
    const paths = await cgroupPaths(Number(pid));
    if ([...paths.values()].some((p) => p === path || p.startsWith(`${path}/`))) found.push(Number(pid));
  }
  return found;
}

/** Files a runtime may hand over with a delegated cgroup, when the kernel does not list them (config-linux.md). */
const DELEGATE_FALLBACK = ['cgroup.procs', 'cgroup.subtree_control', 'cgroup.threads'];

async function delegateFiles(): Promise<string[]> {
  const listed = await readFile('/sys/kernel/cgroup/delegate', 'utf8').then((t) => t.split('\n').map((l) => l.trim()).filter(Boolean), () => undefined);
  return listed ?? DELEGATE_FALLBACK;
}

export const cgroupOwner = legacyCheck({
  name: 'cgroup-owner',
  description: "Who owns the container's cgroup: `files: delegated` is each cgroup directory with the files /sys/kernel/cgroup/delegate lists (else cgroup.procs, cgroup.subtree_control, cgroup.threads), `others` every other file in it; `owner: user` is the host uid of process.user.uid, `root` is uid 0.",
  params: {
    type: 'object', additionalProperties: false, required: ['files', 'owner'],
    properties: { files: { enum: ['delegated', 'others'] }, owner: { enum: ['user', 'root'] } },
  },
  async run(ctx, step, c) {
    if (!c.process) return ctx.skipRequirements(step.requirements, 'cannot be judged: no state named the container process (see state.pid)');
    if (c.cgroupDirs.length === 0) return judge(ctx, step, false, 'the container process is in no cgroup of its own');
    // No user namespace in these cases: the container's uid is the host's.
    const uid = step.params['owner'] === 'user' ? ((c.config['process'] as { user?: { uid?: number } }).user?.uid ?? 0) : 0;
    const delegated = new Set(await delegateFiles());
    const wrong: string[] = [];
    let looked = 0;
    for (const dir of c.cgroupDirs) {
      const entries = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name);
      const paths = step.params['files'] === 'delegated'
        ? [dir, ...entries.filter((n) => delegated.has(n)).map((n) => join(dir, n))]
        : entries.filter((n) => !delegated.has(n)).map((n) => join(dir, n));
      for (const p of paths) {
        const owner = (await stat(p)).uid;
        looked++;
        if (owner !== uid) wrong.push(`${p} (uid ${owner})`);
      }
    }
    judge(ctx, step, wrong.length === 0,
      wrong.length === 0 ? `${looked} ${step.params['files']} path(s) owned by uid ${uid}` : `not owned by uid ${uid}: ${wrong.slice(0, 8).join(', ')}${wrong.length > 8 ? ` and ${wrong.length - 8} more` : ''}`,
      { expected: uid, actual: wrong });
  },
});
