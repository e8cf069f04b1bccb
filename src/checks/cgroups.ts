/**
 * Checks on the container's cgroups, read from the host's cgroupfs: where the
 * container process was placed, and what the runtime wrote into its files.
 * A case names the files and values for both cgroup versions; the host's mode
 * picks the ones that apply (a hybrid host is judged as v1, where the
 * controllers are). The reading is src/engine/observers/cgroups.ts's.
 */
import type { HostFacts } from '../results.js';
import type { CgroupPathSeen, InsideRead } from '../engine/observers/cgroups.js';
import { observeCgroupOwners, observeCgroupParent, observeCgroupPath, observeCgroupValues, observeCgroupVisible, observeNothingCreated } from '../engine/observers/cgroups.js';
import { createRefusal, defineCheck, fail, NO_PARAMS, unjudged, verdict, type Finding } from './check.js';

/** File -> value; an empty map: not judged on that cgroup version. */
const fileValues = { type: 'object', additionalProperties: { type: 'string' } } as const;

/** The host is judged as v2 only when it is purely v2 (a hybrid host's controllers are v1). */
const isV2 = (host: HostFacts): boolean => host.cgroup === 'v2';

/** Why a container's cgroup cannot be found on the host. */
function notLocated(cgroupsPath: string): Finding {
  return unjudged(`cannot be judged: the host has no cgroup at cgroupsPath ${cgroupsPath || '(unset)'} and no state named a container process on the host (see cgroups.path.absolute and state.pid)`);
}

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

/** The value an alternative file is compared with: the matching one of `x|y`, or the only value. */
function valueFor(files: string, file: string, values: string): string {
  const names = files.split('|');
  const choices = values.split('|');
  return choices.length === names.length ? choices[names.indexOf(file)]! : values;
}

export const cgroupValue = defineCheck({
  name: 'cgroup-value',
  description: "The container's cgroup files on the host's cgroupfs (at its absolute cgroupsPath, else where the process state names sits) hold the expected values (v1 files on a v1 or hybrid host, v2 files on a v2 host); `a|b` names alternative files, the first the kernel has is judged (with the matching value of `x|y`); multi-line files are compared as sets of lines; a file the host lacks skips the requirement with the reason. What the container sees of them is cgroup-visible's to judge.",
  params: {
    type: 'object', additionalProperties: false, required: ['v1', 'v2'],
    properties: {
      v1: fileValues, v2: fileValues,
      // runtime.md (create): a property the runtime cannot apply is an error; such a refusal is no verdict.
      refusable: { type: 'boolean' },
    },
  } as const,
  observe: (ctx, params, c) => observeCgroupValues(ctx, c, params),
  judge(params, seen, at) {
    const refused = params.refusable === true ? createRefusal(seen.create) : undefined;
    if (refused) return [unjudged(refused)];
    const v2 = isV2(at.host);
    const want = params[v2 ? 'v2' : 'v1'];
    if (Object.keys(want).length === 0) return [unjudged(`not judged on a ${v2 ? 'v2' : 'v1'} host`)];
    if (!seen.located) return [notLocated(seen.cgroupsPath)];
    const problems: string[] = [];
    const found: string[] = [];
    for (const [files, values] of Object.entries(want)) {
      const file = seen.files[files];
      if (!file?.dir) return [unjudged(`this ${v2 ? 'v2' : 'v1'} host has no ${files.split('.')[0]} controller for the container`)];
      if (!file.found) {
        const missing = missingFile(files, file.dir, v2 ? { host: at.host.controllers, cgroup: file.controllers ?? [] } : undefined);
        if (missing.skip) return [unjudged(missing.message)];
        problems.push(missing.message);
        continue;
      }
      const value = valueFor(files, file.found.file, values);
      found.push(`${file.found.file} = ${file.found.content}`);
      if (!sameContent(file.found.content, value)) problems.push(`${file.found.file} is ${JSON.stringify(file.found.content)}, not ${JSON.stringify(value)}`);
    }
    return [verdict(problems.length === 0, problems.length === 0 ? found.join(', ') : problems.join('; '), { expected: want, actual: found })];
  },
});

/** How the program's read of a cgroup file is shown next to the host's value. */
function insideText(r: InsideRead | undefined): string {
  if (!r) return '(the program did not read it)';
  return 'content' in r ? r.content : `(unreadable: errno ${r.errno})`;
}

export const cgroupVisible = defineCheck({
  name: 'cgroup-visible',
  description: "Every cgroup file the program read from its cgroup mount at /sys/fs/cgroup (its `cgroup:` actions) was readable and holds what the host's cgroupfs holds for the container's cgroup: the mount is there and shows the container's own cgroup.",
  params: NO_PARAMS,
  observe: (ctx, _params, c) => observeCgroupVisible(ctx, c),
  judge(_params, seen) {
    if (seen.files.length === 0) return [fail('the program was asked to read no cgroup file (a `cgroup:` action)')];
    if (!seen.located) return [notLocated(seen.cgroupsPath)];
    const problems: string[] = [];
    const same: string[] = [];
    for (const { file, onHost, inside } of seen.files) {
      // The limit itself is cgroup-value's to judge; without it on the host there is nothing to compare.
      if (onHost === null) continue;
      const got = insideText(inside);
      if (got !== onHost) problems.push(`inside the container ${file} reads ${JSON.stringify(got)}, on the host ${JSON.stringify(onHost)}`);
      else same.push(`${file} = ${onHost}`);
    }
    if (problems.length === 0 && same.length === 0) return [unjudged(`cannot be judged: the host has none of ${seen.files.map((f) => f.file).join(', ')} for the container`)];
    return [verdict(problems.length === 0,
      problems.length === 0 ? `the container sees its own cgroup at /sys/fs/cgroup: ${same.join(', ')}` : problems.join('; '),
      { expected: 'the host\'s values', actual: problems.length === 0 ? same : problems })];
  },
});

/** The hierarchies where the container process sits elsewhere than cgroupsPath names. */
function misplaced(seen: CgroupPathSeen): Array<[string, string]> {
  const absolute = seen.cgroupsPath.startsWith('/');
  return Object.entries(seen.placed ?? {}).filter(([, path]) => (absolute ? path !== seen.cgroupsPath : !path.endsWith(`/${seen.cgroupsPath}`)));
}

export const cgroupPath = defineCheck({
  name: 'cgroup-path',
  description: "The container sits in the cgroup its cgroupsPath names: a cgroup that holds a process at exactly that path under a hierarchy's root (absolute), or at a path ending with it (relative), and the process state names, where it is a host process, in no cgroup of its own elsewhere. Judged on the host's cgroupfs, so it holds for a runtime whose container process is no host process (a sandbox).",
  params: { type: 'object', additionalProperties: false, properties: {} } as const,
  observe: (_ctx, _params, c) => observeCgroupPath(c),
  judge(_params, seen) {
    // The cgroup itself, as the host's cgroupfs shows it, decides; the process state names only adds where it is.
    // A state pid that is no process of the container is state.pid's failure, not this one.
    const { cgroupsPath: wanted, dirs, held, process } = seen;
    // A container whose process already ran to its end (a runtime that starts at create) holds nothing to look at.
    if (held.length === 0 && !process?.alive && (process || dirs.length > 0)) {
      return [unjudged(`cannot be judged: the container process is gone already${dirs.length > 0 ? ` (${dirs[0]} holds no process)` : ` (pid ${process!.pid})`}`)];
    }
    const wrong = misplaced(seen);
    const ok = held.length > 0 && wrong.length === 0;
    const message = wrong.length > 0 ? `cgroupsPath ${wanted}, but the container process is in ${wrong.map(([k, p]) => `${k || 'unified'}:${p}`).join(', ')}`
      : ok ? `processes in ${held.join(', ')}`
      : `no cgroup ${wanted.startsWith('/') ? 'at' : 'ending with'} ${wanted} holds a process`;
    return [verdict(ok, message, { expected: wanted, actual: wrong.length > 0 ? Object.fromEntries(wrong) : held })];
  },
});

export const cgroupParent = defineCheck({
  name: 'cgroup-parent',
  description: 'The parent cgroup the harness made for the case still exists and holds the values it was seeded with.',
  params: {
    type: 'object', additionalProperties: false, required: ['v1', 'v2'],
    properties: { v1: fileValues, v2: fileValues },
  } as const,
  observe: (_ctx, params, c) => observeCgroupParent(c, params),
  judge(params, seen, at) {
    if (seen.harnessCgroups.length === 0) return [fail('the case has no seeded parent cgroup (cgroupParent)')];
    const want = params[isV2(at.host) ? 'v2' : 'v1'];
    const problems: string[] = [];
    for (const [file, value] of Object.entries(want)) {
      const got = seen.files[file];
      if (!got?.dir) problems.push(`no parent cgroup holds ${file}`);
      else if (got.content === null) problems.push(`${got.dir} is gone`);
      else if (got.content !== value) problems.push(`${got.dir}/${file} is ${JSON.stringify(got.content)}, not ${JSON.stringify(value)}`);
    }
    return [verdict(problems.length === 0, problems.length === 0 ? `the parent cgroup is there, as seeded` : problems.join('; '), { expected: want })];
  },
});

export const nothingCreated = defineCheck({
  name: 'nothing-created',
  description: "After a create that failed: no directory for the container's cgroupsPath exists in any hierarchy, and no process on the host sits in that cgroup.",
  params: NO_PARAMS,
  observe: (_ctx, _params, c) => observeNothingCreated(c),
  judge(_params, { createdOk, cgroupsPath, dirsLeft, processesIn }) {
    // After a create that succeeded the case's other requirement carries the failure, not this one.
    if (createdOk) return [unjudged('not judged: create did not fail')];
    if (!cgroupsPath.startsWith('/')) return [unjudged('cannot be judged: the container has no absolute cgroupsPath')];
    const problems = [
      ...(dirsLeft.length > 0 ? [`cgroup directories left: ${dirsLeft.join(', ')}`] : []),
      ...(processesIn.length > 0 ? [`processes left in ${cgroupsPath}: ${processesIn.join(', ')}`] : []),
    ];
    return [verdict(problems.length === 0, problems.length === 0 ? `no cgroup and no process for ${cgroupsPath}` : problems.join('; '),
      { expected: [], actual: [...dirsLeft, ...processesIn.map(String)] })];
  },
});

export const cgroupOwner = defineCheck({
  name: 'cgroup-owner',
  description: "Who owns the container's cgroup: `files: delegated` is each cgroup directory with the files /sys/kernel/cgroup/delegate lists (else cgroup.procs, cgroup.subtree_control, cgroup.threads), `others` every other file in it; `owner: user` is the host uid of process.user.uid, `root` is uid 0.",
  params: {
    type: 'object', additionalProperties: false, required: ['files', 'owner'],
    properties: { files: { enum: ['delegated', 'others'] }, owner: { enum: ['user', 'root'] } },
  } as const,
  observe: (_ctx, params, c) => observeCgroupOwners(c, params.files),
  judge(params, seen) {
    if (!seen.process) return [unjudged('cannot be judged: no state named the container process (see state.pid)')];
    if (seen.cgroupDirs === 0) return [fail('the container process is in no cgroup of its own')];
    // No user namespace in these cases: the container's uid is the host's.
    const uid = params.owner === 'user' ? seen.configUid : 0;
    const looked = seen.owners.reduce((n, o) => n + o.count, 0);
    const others = seen.owners.filter((o) => o.uid !== uid);
    const wrongCount = others.reduce((n, o) => n + o.count, 0);
    const wrong = others.flatMap((o) => o.paths.map((p) => `${p} (uid ${o.uid})`)).slice(0, 8);
    return [verdict(wrongCount === 0,
      wrongCount === 0 ? `${looked} ${params.files} path(s) owned by uid ${uid}` : `not owned by uid ${uid}: ${wrong.join(', ')}${wrongCount > 8 ? ` and ${wrongCount - 8} more` : ''}`,
      { expected: uid, actual: wrong })];
  },
});
