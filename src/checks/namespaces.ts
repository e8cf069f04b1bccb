/**
 * config-linux.md, Namespaces: a type listed without a path is a new
 * namespace, with a path exactly the namespace at that path, and a type not
 * listed the runtime's own. Judged by inode, as the program reports its
 * /proc/self/ns entries, against the harness's own (the runtime namespaces:
 * the harness runs the runtime) and the namespaces it holds for joining.
 * Inodes compare only within one kernel: a container on a kernel of its own
 * (a sandboxed runtime) is not judged, and the verdict says why.
 *
 * config.md, Hostname and Domainname: the program sees the configured names.
 */
import { observeIdMaps, observeNamespaces, observeUtsNames, type NamespacesReported, type NamespacesSeen } from '../engine/observers/namespaces.js';
import { NAMESPACE_TYPE_NAMES, NAMESPACE_TYPES, type NamespaceType } from '../spec/namespaces.js';
import { createRefusal, defineCheck, fail, NO_PARAMS, unjudged, verdict, type Finding } from './check.js';

const RULES = ['new', 'join', 'shared', 'supported'] as const;
type Rule = (typeof RULES)[number];

/** Why the program's and the host's inodes cannot be compared, or undefined when they can. */
function otherKernel(report: { readonly bootId: string | null }, runtime: NamespacesSeen['runtime']): string | undefined {
  if (report.bootId === null) return 'the program could not read its kernel\'s boot id, so whether it runs on this kernel (where namespace inodes compare) is unknown';
  if (runtime.bootId === null) return 'the harness could not read this kernel\'s boot id, so whether the program runs on it is unknown';
  if (report.bootId !== runtime.bootId) return `the program runs on another kernel (boot id ${report.bootId}; this host's is ${runtime.bootId}): its namespaces cannot be compared with the host's`;
  return undefined;
}

function inodeOf(r: NamespacesReported, proc: string): number | null {
  return 'missing' in r ? null : r.namespaces[proc] ?? null;
}

function judgeType(rule: Rule, type: NamespaceType, seen: NamespacesSeen, report: Extract<NamespacesReported, { namespaces: unknown }>): Finding {
  const proc = NAMESPACE_TYPES[type].proc;
  const runtime = seen.runtime.namespaces[proc] ?? null;
  const mine = report.namespaces[proc] ?? null;
  const entries = seen.configured.filter((e) => e.type === type);
  if (runtime === null) return unjudged(`${type}: this kernel has no ${type} namespaces`);
  if (mine === null) return unjudged(`${type}: the program could not read /proc/self/ns/${proc}`);
  if (rule === 'shared') {
    if (entries.length > 0) return unjudged(`${type}: the config lists it, so this step cannot judge its absence`);
    const ok = mine === runtime;
    return verdict(ok, ok ? `${type}: not listed, the runtime's own (${runtime})` : `${type}: not listed, yet a namespace (${mine}) other than the runtime's (${runtime})`,
      { expected: runtime, actual: mine });
  }
  if (rule === 'join') {
    const held = seen.held.find((h) => h.type === type);
    if (!held) return unjudged(`${type}: the harness held no namespace for it`);
    const ok = mine === held.inode;
    const what = mine === runtime ? 'the runtime\'s own' : 'another one';
    return verdict(ok, ok ? `${type}: the namespace at ${held.path} (${held.inode})` : `${type}: ${what} (${mine}), not the one at ${held.path} (${held.inode})`,
      { expected: held.inode, actual: mine });
  }
  if (entries.length !== 1 || entries[0]!.path !== undefined) return unjudged(`${type}: the config does not list it once without a path`);
  const shared = seen.others.filter((o) => inodeOf(o.report, proc) === mine).map((o) => o.container);
  const missing = seen.others.filter((o) => 'missing' in o.report).map((o) => `${o.container} (${'missing' in o.report ? o.report.missing : ''})`);
  if (mine === runtime) return verdict(false, `${type}: the runtime's own (${runtime}), not a new one`, { expected: `not ${runtime}`, actual: mine });
  if (shared.length > 0) return verdict(false, `${type}: the same namespace (${mine}) as container ${shared.join(', ')}, not a new one`, { actual: mine });
  if (missing.length > 0) return fail(`${type}: cannot be compared with the other containers: ${missing.join(', ')}`);
  const than = seen.others.length > 0 ? ` and every other container's` : '';
  return verdict(true, `${type}: a new namespace (${mine}), not the runtime's (${runtime})${than}`, { actual: mine });
}

/** Rule supported: create made the container, or refused types this kernel lacks. */
function judgeSupported(types: readonly NamespaceType[], seen: NamespacesSeen): Finding[] {
  const names = types.join(', ');
  if (seen.create.createdOk) return [verdict(true, `create made a container with new ${names} namespaces`)];
  const lacking = types.filter((t) => seen.runtime.namespaces[NAMESPACE_TYPES[t].proc] === null);
  if (lacking.length > 0) return [unjudged(`this kernel has no ${lacking.join(', ')} namespaces: a runtime cannot support them here`)];
  return [fail(`create refused new ${names} namespaces, which this kernel has (${seen.create.create ?? 'no create call'})`)];
}

export const namespacesAsConfigured = defineCheck({
  name: 'namespaces-as-configured',
  description: 'Each named type is, as the program reports its /proc/self/ns entries, a new namespace (rule new: not the runtime\'s, not another container\'s of distinctFrom), the one the harness held at the path given (join), or the runtime\'s own (shared: not listed). Skipped when the program runs on another kernel than the host (boot ids differ).',
  params: {
    type: 'object', additionalProperties: false, required: ['rule', 'types'],
    properties: {
      rule: { enum: RULES },
      types: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: NAMESPACE_TYPE_NAMES } },
      distinctFrom: { type: 'array', items: { type: 'string', pattern: '^[a-z][a-z0-9-]*$' } },
    },
  } as const,
  observe: (ctx, params, c) => observeNamespaces(ctx, c, params.distinctFrom ?? [], params.rule !== 'supported'),
  judge(params, seen) {
    if (params.rule === 'supported') return judgeSupported(params.types, seen);
    const refused = createRefusal(seen.create);
    if (refused !== undefined) return [unjudged(refused)];
    if ('missing' in seen.report) return [fail(seen.report.missing)];
    const why = otherKernel(seen.report, seen.runtime);
    if (why !== undefined) return [unjudged(why)];
    const report = seen.report;
    return params.types.map((t) => judgeType(params.rule, t, seen, report));
  },
});

const UTS_NAMES = ['hostname', 'domainname'] as const;

export const utsNames = defineCheck({
  name: 'uts-names',
  description: 'The program sees the configured hostname and domainname (gethostname, getdomainname), for each name the step lists.',
  params: {
    type: 'object', additionalProperties: false, required: ['names'],
    properties: { names: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: UTS_NAMES } } },
  } as const,
  observe: (ctx, _params, c) => observeUtsNames(ctx, c),
  judge(params, seen) {
    const report = seen.report;
    if ('missing' in report) return [fail(report.missing)];
    return params.names.map((name) => {
      const want = seen.configured[name];
      if (want === undefined) return unjudged(`${name} is not in the config: nothing to compare`);
      const got = report[name];
      const ok = got === want;
      return verdict(ok, ok ? `the program sees ${name} ${want}` : `the program sees ${name} ${String(got)}, not ${want}`, { expected: want, actual: got });
    });
  },
});

/** "C H S" lines of an id map as sorted "C H S" strings; the kernel pads them with spaces. */
function mapLines(lines: readonly string[]): string[] {
  return lines.map((l) => l.trim().split(/\s+/).join(' ')).filter((l) => l !== '').sort();
}

export const userMappings = defineCheck({
  name: 'user-mappings',
  description: 'The program\'s user namespace maps ids as linux.uidMappings and gidMappings say: /proc/self/uid_map and gid_map hold exactly the configured entries.',
  params: NO_PARAMS,
  observe: (ctx, _params, c) => observeIdMaps(ctx, c),
  judge(_params, seen) {
    const refused = createRefusal(seen.create);
    if (refused !== undefined) return [unjudged(refused)];
    const report = seen.report;
    if ('missing' in report) return [fail(report.missing)];
    return (['uid', 'gid'] as const).map((kind) => {
      const want = seen.configured[`${kind}Mappings`];
      if (want === undefined) return unjudged(`${kind}Mappings is not in the config: nothing to compare`);
      const got = report[`${kind}Map`];
      if (got === null) return fail(`the program could not read /proc/self/${kind}_map`);
      const expected = mapLines(want.map((m) => `${m.containerID} ${m.hostID} ${m.size}`));
      const actual = mapLines(got);
      const ok = expected.length === actual.length && expected.every((l, i) => l === actual[i]);
      return verdict(ok, ok ? `${kind}_map is as configured (${expected.join('; ')})` : `${kind}_map is ${actual.join('; ') || 'empty'}, not ${expected.join('; ')}`, { expected, actual });
    });
  },
});
