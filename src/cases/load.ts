/**
 * Loads case files: YAML, validated with ajv, checked against the catalogue
 * and the check registry. A bad file becomes a LoadError naming the file and
 * the field, and the other files load as usual.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { parseDocument } from 'yaml';
import type { Catalogue } from '../catalogue.js';
import type { LoadError } from '../results.js';
import { caseSchema, type CaseFile } from './schema.js';
import type { Case, ContainerSpec, HookSpec, HookSpecs, HookType, NamespaceJoin, Need, Program, Step } from './types.js';
import { RUNTIME_OPS } from './types.js';
import { isValidRange } from '../spec/version.js';
import { HOST_TOKENS, tokensIn } from './host-tokens.js';

const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
const validateCase = ajv.compile<CaseFile>(caseSchema);

/** What the loader needs of the check registry: each check's name and the JSON schema of its parameters. */
export type CheckSchemas = ReadonlyMap<string, { readonly params: Readonly<Record<string, unknown>> }>;

/** Parameter validators, compiled once per registry. */
const validatorsOf = new WeakMap<CheckSchemas, Map<string, ValidateFunction>>();
function checkValidators(checks: CheckSchemas): Map<string, ValidateFunction> {
  let v = validatorsOf.get(checks);
  if (!v) validatorsOf.set(checks, (v = new Map([...checks].map(([name, def]) => [name, ajv.compile(def.params)]))));
  return v;
}

class CaseFileError extends Error {}

function describe(e: ErrorObject | undefined): string {
  if (!e) return 'is invalid';
  const where = e.instancePath === '' ? 'the file' : `field ${e.instancePath.slice(1).replaceAll('/', '.')}`;
  if (e.keyword === 'additionalProperties') return `${where}: unknown field "${String(e.params['additionalProperty'])}"`;
  if (e.keyword === 'required') return `${where}: missing field "${String(e.params['missingProperty'])}"`;
  if (e.keyword === 'enum') return `${where}: must be one of ${JSON.stringify(e.params['allowedValues'])}`;
  return `${where}: ${e.message ?? 'is invalid'}`;
}

/**
 * The error worth showing: the deepest path (not the first branch ajv tried),
 * and at equal depth a misspelt or unknown field before anything else.
 */
function mostSpecific(errors: readonly ErrorObject[] | null | undefined): ErrorObject | undefined {
  const useful = (errors ?? []).filter((e) => e.keyword !== 'if' && e.keyword !== 'oneOf');
  const rank = (e: ErrorObject): number => e.instancePath.length * 2 + (e.keyword === 'additionalProperties' ? 1 : 0);
  return [...useful].sort((a, b) => rank(b) - rank(a))[0] ?? errors?.[0];
}

function list(v: string | readonly string[] | undefined): string[] {
  return v === undefined ? [] : typeof v === 'string' ? [v] : [...v];
}

type HookList = NonNullable<CaseFile['hooks']>[string];

function toHooks(raw: CaseFile['hooks']): HookSpecs {
  const out: Partial<Record<HookType, HookSpec[]>> = {};
  const seen = new Set<string>();
  for (const [type, hooks] of Object.entries(raw ?? {}) as [HookType, HookList][]) {
    out[type] = (hooks ?? []).map((h) => {
      if (seen.has(h.label)) throw new CaseFileError(`field hooks.${type}: label "${h.label}" is used twice; every hook needs its own`);
      seen.add(h.label);
      return {
        label: h.label, exit: h.exit ?? 0, sleepMs: h.sleepMs ?? 0,
        ...(h.timeout !== undefined ? { timeout: h.timeout } : {}),
        ...(h.env !== undefined ? { env: h.env } : {}),
        ...(h.path === 'relative' ? { path: 'relative' as const } : {}),
      };
    });
  }
  return out;
}

function toJoins(raw: CaseFile['joinNamespaces']): NamespaceJoin[] {
  const joins = (raw ?? []).map((j) => ({ type: j.type, of: j.of ?? j.type, relative: j.path === 'relative' }));
  const twice = joins.find((j, i) => joins.findIndex((k) => k.type === j.type) !== i);
  if (twice) throw new CaseFileError(`field joinNamespaces: type ${twice.type} is listed twice; one path per entry type`);
  return joins;
}

function toCase(id: string, file: string, raw: CaseFile, catalogue: Catalogue, checks: CheckSchemas): Case {
  const requirements = raw.requirements.map((r, i) => {
    const ref = catalogue.get(r.id);
    const at = `field requirements.${i}`;
    if (!ref) throw new CaseFileError(`${at}.id: unknown requirement id "${r.id}" (not in catalogue/requirements.yaml)`);
    if (r.level !== ref.level) throw new CaseFileError(`${at}.level: ${ref.id} is ${ref.level} in the catalogue, not ${r.level}`);
    if (r.versions !== undefined && r.versions !== ref.versions) throw new CaseFileError(`${at}.versions: ${ref.id} applies to "${ref.versions}" in the catalogue, not "${r.versions}"`);
    return ref;
  });
  const known = new Set(requirements.map((r) => r.id));
  if (known.size !== requirements.length) {
    const dup = requirements.find((r, i) => requirements.findIndex((x) => x.id === r.id) !== i)!;
    throw new CaseFileError(`field requirements: ${dup.id} is listed twice`);
  }
  const defaultProgram: Program = raw.program ?? { wait: true };
  const defaultHooks = toHooks(raw.hooks);
  const defaultAgent = raw.seccompAgent;
  const defaultJoins = toJoins(raw.joinNamespaces);
  const containers = new Map<string, ContainerSpec>([['main', {
    alias: 'main', config: raw.config ?? {}, program: defaultProgram, hooks: defaultHooks, joinNamespaces: defaultJoins, ...(defaultAgent ? { seccompAgent: defaultAgent } : {}),
  }]]);
  for (const [alias, spec] of Object.entries(raw.containers ?? {})) {
    const agent = spec.seccompAgent ?? defaultAgent;
    containers.set(alias, {
      alias,
      config: { ...(raw.config ?? {}), ...(spec.config ?? {}) },
      program: spec.program ?? defaultProgram,
      hooks: spec.hooks !== undefined ? toHooks(spec.hooks) : defaultHooks,
      joinNamespaces: spec.joinNamespaces !== undefined ? toJoins(spec.joinNamespaces) : defaultJoins,
      ...(agent ? { seccompAgent: agent } : {}),
      ...(spec.idOf !== undefined ? { idOf: spec.idOf } : {}),
    });
  }
  for (const c of containers.values()) {
    if (c.idOf === undefined) continue;
    const owner = containers.get(c.idOf);
    if (!owner) throw new CaseFileError(`field containers.${c.alias}.idOf: no container "${c.idOf}"`);
    // One level only: the id's owner must have an id of its own.
    if (owner.idOf !== undefined) throw new CaseFileError(`field containers.${c.alias}.idOf: "${c.idOf}" borrows its id too; name the container that owns the id`);
  }
  const used = new Set<string>();
  const steps = raw.steps.map((s, i): Step => {
    const at = `field steps.${i}`;
    const container = s.container ?? 'main';
    if (!containers.has(container)) throw new CaseFileError(`${at}.container: no container "${container}" (declare it under containers)`);
    const use = (reqs: string[]): string[] => {
      for (const r of reqs) {
        if (!known.has(r)) throw new CaseFileError(`${at}: requirement "${r}" is not listed in the case's requirements`);
        used.add(r);
      }
      return reqs;
    };
    const base = (requirements: string[]) => ({ index: i + 1, container, requirements });
    if (s.op !== undefined) {
      const { op } = s;
      const requirements = use(list(s.requirement));
      const noEffect = use(list(s.noEffect));
      const exitStatus = use(list(s.exitStatus));
      const expect = s.expect ?? 'success';
      if (s.noEffect !== undefined && expect !== 'error') throw new CaseFileError(`${at}.noEffect: only an operation expected to fail is judged for having no effect`);
      if (s.exitStatus !== undefined && expect === 'error' && op !== 'state' && s.noEffect === undefined) throw new CaseFileError(`${at}.exitStatus: for an expected error the exit status is judged against the operation's effect, so noEffect is needed too`);
      if (expect === 'any' && (s.requirement !== undefined || s.exitStatus !== undefined)) throw new CaseFileError(`${at}.requirement: an operation with expect: any judges nothing; judge its outcome with a check`);
      if (s.signal !== undefined && op !== 'kill') throw new CaseFileError(`${at}.signal: only kill takes a signal`);
      if (s.bundle !== undefined && op !== 'create' && op !== 'run') throw new CaseFileError(`${at}.bundle: only create and run take a bundle`);
      if (s.id !== undefined && (expect !== 'error' || op === 'run')) throw new CaseFileError(`${at}.id: only create, start, state, kill and delete expected to fail are called without an ID`);
      if (s.refused !== undefined && (op !== 'create' || expect !== 'success')) throw new CaseFileError(`${at}.refused: only a create expected to succeed can be refused as unsupported`);
      return {
        ...base(requirements), kind: 'op', op, expect, noEffect, exitStatus,
        ...(s.bundle !== undefined ? { bundle: s.bundle } : {}),
        ...(s.id !== undefined ? { id: s.id } : {}),
        ...(s.signal !== undefined ? { signal: s.signal } : {}),
        ...(s.refused !== undefined ? { refused: s.refused } : {}),
      };
    }
    if (s['edit-config'] !== undefined) return { ...base([]), kind: 'edit-config', patch: s['edit-config'] };
    const requirements = use(list(s.requirement));
    const name = s.check;
    const validate = checkValidators(checks).get(name);
    if (!validate) throw new CaseFileError(`${at}.check: unknown check "${name}" (known: ${[...checks.keys()].join(', ')})`);
    const { check: _c, container: _n, requirement: _r, ...params } = s;
    if (!validate(params)) {
      const d = describe(mostSpecific(validate.errors));
      throw new CaseFileError(d.startsWith('the file') ? d.replace(/^the file/, `${at}: parameters of ${name}`) : d.replace(/^field /, `${at}.`));
    }
    return { ...base(requirements), kind: 'check', check: name, params };
  });
  for (const t of tokensIn({ config: raw.config, containers: raw.containers, steps: raw.steps })) {
    if (!(t in HOST_TOKENS)) throw new CaseFileError(`unknown host value \${${t}} (known: ${Object.keys(HOST_TOKENS).map((k) => `\${${k}}`).join(', ')})`);
  }
  const unjudged = [...known].filter((r) => !used.has(r));
  if (unjudged.length) throw new CaseFileError(`field requirements: ${unjudged.join(', ')} listed but judged by no step`);
  const { versions } = raw;
  if (versions !== undefined && !isValidRange(versions)) throw new CaseFileError(`field versions: "${versions}" is not a version range`);
  const needs: Need[] = raw.needs ?? [];
  const cgroupsPath = raw.cgroupsPath ?? 'absolute';
  return {
    id, file, summary: raw.summary, ...(versions !== undefined ? { versions } : {}), needs, cgroupsPath,
    mountCgroup: raw.mountCgroup === 'rw' ? 'rw' : raw.mountCgroup === true ? 'ro' : 'none', rootPath: raw.rootPath ?? 'relative',
    ...(raw.cgroupParent ? { cgroupParent: raw.cgroupParent } : {}), ...(raw.probeCopies ? { probeCopies: raw.probeCopies } : {}), requirements, containers, steps,
  };
}

export async function loadCaseFile(root: string, file: string, catalogue: Catalogue, checks: CheckSchemas): Promise<Case | LoadError> {
  const rel = relative(root, file);
  const id = rel.replace(/\.ya?ml$/, '');
  try {
    const doc = parseDocument(await readFile(file, 'utf8'), { prettyErrors: true, uniqueKeys: true });
    if (doc.errors.length) throw new CaseFileError(`not valid YAML: ${doc.errors[0]!.message.split('\n')[0]}`);
    const raw: unknown = doc.toJS();
    if (!validateCase(raw)) throw new CaseFileError(describe(mostSpecific(validateCase.errors)));
    return toCase(id, file, raw, catalogue, checks);
  } catch (e) {
    if (e instanceof CaseFileError) return { file, message: `${rel}: ${e.message}` };
    return { file, message: `${rel}: ${(e as Error).message}` };
  }
}

export async function yamlFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await yamlFiles(p)));
    else if (/\.ya?ml$/.test(e.name)) out.push(p);
  }
  return out.sort();
}

export interface LoadedCases {
  readonly cases: Case[];
  readonly errors: LoadError[];
}

export async function loadCases(dirs: readonly string[], catalogue: Catalogue, checks: CheckSchemas): Promise<LoadedCases> {
  const cases: Case[] = [];
  const errors: LoadError[] = [];
  for (const dir of dirs) {
    for (const file of await yamlFiles(dir)) {
      const r = await loadCaseFile(dir, file, catalogue, checks);
      if ('message' in r) errors.push(r);
      else cases.push(r);
    }
  }
  return { cases, errors };
}

/**
 * Does `term` (of --only or --skip) name case `c`: its id, an area prefix of
 * its id (`errors`, `errors/`), or a requirement it checks (`kill.sends-signal`)
 * or a family of them (`state.status`)?
 */
export function caseMatches(c: Case, term: string): boolean {
  return c.id === term || c.id.startsWith(term.endsWith('/') ? term : `${term}/`) || c.requirements.some((r) => r.id === term || r.id.startsWith(`${term}.`));
}

/** `--only` filter: the cases some term names; no terms, every case. */
export function selectCases(cases: readonly Case[], only: readonly string[]): Case[] {
  if (only.length === 0) return [...cases];
  return cases.filter((c) => only.some((t) => caseMatches(c, t)));
}

/** `--skip` filter: the cases no term names. */
export function deselectCases(cases: readonly Case[], skip: readonly string[]): Case[] {
  return cases.filter((c) => !skip.some((t) => caseMatches(c, t)));
}
