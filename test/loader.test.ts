import t from 'tap';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCatalogue, type Catalogue } from '../src/catalogue.js';
import { loadCaseFile, loadCases, selectCases } from '../src/cases/load.js';
import { CHECKS } from '../src/checks/index.js';
import type { Case } from '../src/cases/types.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const casesDir = join(root, 'cases');
const catalogue: Catalogue = await loadCatalogue(join(root, 'catalogue', 'requirements.yaml'));

/** A well-formed case; every bad case below differs from something like it in one way. */
const GOOD = `
summary: a good case that sits next to the bad ones
requirements:
  - { id: state.status.created, level: MUST }
  - { id: cli.exit-status, level: MUST }
containers:
  second: { idOf: main }
steps:
  - op: create
    exitStatus: cli.exit-status
  - check: state-status
    is: created
    requirement: state.status.created
  - op: create
    container: second
    expect: error
    exitStatus: cli.exit-status
    noEffect: state.status.created
`;

interface Bad {
  /** File name under the temp dir (relative path, as the message must show it). */
  readonly file: string;
  readonly yaml: string;
  /** Substrings the message must contain (besides the relative path). */
  readonly expect: readonly string[];
}

const BAD: readonly Bad[] = [
  {
    file: 'bad/unknown-host-value.yaml',
    yaml: `summary: s\nrequirements:\n  - { id: state.id, level: MUST }\nconfig:\n  linux: { resources: { blockIO: { throttleReadBpsDevice: [{ major: "\${disk.major}", minor: 0, rate: 1 }] } } }\nsteps:\n  - check: state-id\n    requirement: state.id\n`,
    expect: ['unknown host value ${disk.major}', '${block.major}'],
  },
  {
    file: 'bad/unknown-controller.yaml',
    yaml: `summary: s\nneeds:\n  - { controller: gpu }\nrequirements:\n  - { id: state.id, level: MUST }\nsteps:\n  - check: state-id\n    requirement: state.id\n`,
    expect: ['needs.0'],
  },
  {
    file: 'bad/yaml-syntax.yaml',
    yaml: `summary: [unclosed\nrequirements:\n  - { id: state.id, level: MUST }\nsteps:\n  - op: create\n`,
    expect: ['not valid YAML'],
  },
  {
    file: 'bad/duplicate-key.yaml',
    yaml: `summary: one\nsummary: two\nrequirements:\n  - { id: state.id, level: MUST }\nsteps:\n  - check: state-id\n    requirement: state.id\n`,
    expect: ['not valid YAML', 'unique'],
  },
  {
    file: 'bad/unknown-top-level.yaml',
    yaml: `summary: s\ncolour: red\nrequirements:\n  - { id: state.id, level: MUST }\nsteps:\n  - check: state-id\n    requirement: state.id\n`,
    expect: ['the file', 'unknown field "colour"'],
  },
  {
    file: 'bad/unknown-op-field.yaml',
    yaml: `summary: s\nrequirements:\n  - { id: state.id, level: MUST }\nsteps:\n  - op: create\n    flavour: vanilla\n  - check: state-id\n    requirement: state.id\n`,
    expect: ['field steps.0', 'unknown field "flavour"'],
  },
  {
    file: 'bad/missing-summary.yaml',
    yaml: `requirements:\n  - { id: state.id, level: MUST }\nsteps:\n  - check: state-id\n    requirement: state.id\n`,
    expect: ['missing field "summary"'],
  },
  {
    file: 'bad/unknown-requirement.yaml',
    yaml: `summary: s\nrequirements:\n  - { id: state.colour, level: MUST }\nsteps:\n  - check: state-id\n    requirement: state.colour\n`,
    expect: ['field requirements.0.id', 'unknown requirement id "state.colour"'],
  },
  {
    file: 'bad/wrong-level.yaml',
    yaml: `summary: s\nrequirements:\n  - { id: state.annotations, level: SHOULD }\nsteps:\n  - check: state-annotations\n    requirement: state.annotations\n`,
    expect: ['field requirements.0.level', 'state.annotations is MUST in the catalogue, not SHOULD'],
  },
  {
    file: 'bad/wrong-versions.yaml',
    yaml: `summary: s\nrequirements:\n  - { id: state.id, level: MUST }\n  - { id: state.annotations, level: MUST, versions: ">=1.1.0" }\nsteps:\n  - check: state-id\n    requirement: state.id\n  - check: state-annotations\n    requirement: state.annotations\n`,
    expect: ['field requirements.1.versions', '">=1.1.0"', '">=1.0.0"'],
  },
  {
    file: 'bad/unjudged-requirement.yaml',
    yaml: `summary: s\nrequirements:\n  - { id: state.id, level: MUST }\n  - { id: state.bundle, level: MUST }\nsteps:\n  - check: state-id\n    requirement: state.id\n`,
    expect: ['field requirements', 'state.bundle listed but judged by no step'],
  },
  {
    file: 'bad/unlisted-requirement.yaml',
    yaml: `summary: s\nrequirements:\n  - { id: state.id, level: MUST }\nsteps:\n  - check: state-id\n    requirement: state.id\n  - check: state-bundle\n    requirement: state.bundle\n`,
    expect: ['field steps.1', 'requirement "state.bundle" is not listed'],
  },
  {
    file: 'bad/unlisted-no-effect.yaml',
    yaml: `summary: s\nrequirements:\n  - { id: state.id, level: MUST }\nsteps:\n  - check: state-id\n    requirement: state.id\n  - op: start\n    expect: error\n    noEffect: start.not-created\n`,
    expect: ['field steps.1', 'requirement "start.not-created" is not listed'],
  },
  {
    file: 'bad/unknown-check.yaml',
    yaml: `summary: s\nrequirements:\n  - { id: state.id, level: MUST }\nsteps:\n  - check: state-colour\n    requirement: state.id\n`,
    expect: ['field steps.0.check', 'unknown check "state-colour"'],
  },
  {
    file: 'bad/check-bad-enum.yaml',
    yaml: `summary: s\nrequirements:\n  - { id: state.status.created, level: MUST }\nsteps:\n  - op: create\n  - check: state-status\n    is: bogus\n    requirement: state.status.created\n`,
    expect: ['field steps.1.is', 'must be one of', '"created"'],
  },
  {
    file: 'bad/check-unknown-param.yaml',
    yaml: `summary: s\nrequirements:\n  - { id: state.status.created, level: MUST }\nsteps:\n  - op: create\n  - check: state-status\n    was: created\n    requirement: state.status.created\n`,
    expect: ['parameters of state-status', 'unknown field "was"'],
  },
  {
    file: 'bad/check-param-on-no-params.yaml',
    yaml: `summary: s\nrequirements:\n  - { id: state.id, level: MUST }\nsteps:\n  - check: state-id\n    strict: true\n    requirement: state.id\n`,
    expect: ['parameters of state-id', 'unknown field "strict"'],
  },
  {
    file: 'bad/check-missing-param.yaml',
    yaml: `summary: s\nrequirements:\n  - { id: kill.sends-signal, level: MUST }\nsteps:\n  - op: create\n  - op: start\n  - op: kill\n    signal: TERM\n  - check: signal-received\n    requirement: kill.sends-signal\n`,
    expect: ['parameters of signal-received', 'missing field "signal"'],
  },
  {
    file: 'bad/check-wrong-type.yaml',
    yaml: `summary: s\nrequirements:\n  - { id: cli.run-exit-status, level: MAY }\nprogram: { exit: 3 }\nsteps:\n  - op: run\n    expect: any\n  - check: run-exit-status\n    code: three\n    requirement: cli.run-exit-status\n`,
    expect: ['field steps.1.code', 'must be integer'],
  },
  {
    file: 'bad/undeclared-container.yaml',
    yaml: `summary: s\nrequirements:\n  - { id: state.id, level: MUST }\nsteps:\n  - op: create\n    container: other\n  - check: state-id\n    requirement: state.id\n`,
    expect: ['field steps.0.container', 'no container "other"'],
  },
  {
    file: 'bad/idof-unknown.yaml',
    yaml: `summary: s\nrequirements:\n  - { id: state.id, level: MUST }\ncontainers:\n  second: { idOf: ghost }\nsteps:\n  - op: create\n  - check: state-id\n    requirement: state.id\n`,
    expect: ['field containers.second.idOf', 'no container "ghost"'],
  },
  {
    file: 'bad/signal-on-start.yaml',
    yaml: `summary: s\nrequirements:\n  - { id: state.id, level: MUST }\nsteps:\n  - op: create\n  - op: start\n    signal: TERM\n  - check: state-id\n    requirement: state.id\n`,
    expect: ['field steps.1.signal', 'only kill takes a signal'],
  },
  {
    file: 'bad/no-effect-on-success.yaml',
    yaml: `summary: s\nrequirements:\n  - { id: start.runs-program, level: MUST }\nsteps:\n  - op: create\n  - op: start\n    noEffect: start.runs-program\n`,
    expect: ['field steps.1.noEffect', 'only an operation expected to fail'],
  },
  {
    file: 'bad/exit-status-without-no-effect.yaml',
    yaml: `summary: s\nrequirements:\n  - { id: start.not-created, level: MUST }\n  - { id: cli.exit-status, level: MUST }\nsteps:\n  - op: start\n    expect: error\n    requirement: start.not-created\n    exitStatus: cli.exit-status\n`,
    expect: ['field steps.0.exitStatus', 'noEffect is needed'],
  },
  {
    file: 'bad/expect-any-judged.yaml',
    yaml: `summary: s\nrequirements:\n  - { id: start.runs-program, level: MUST }\nsteps:\n  - op: create\n  - op: start\n    expect: any\n    requirement: start.runs-program\n`,
    expect: ['field steps.1', 'expect: any judges nothing'],
  },
  {
    file: 'bad/bundle-on-start.yaml',
    yaml: `summary: s\nrequirements:\n  - { id: state.id, level: MUST }\nsteps:\n  - op: create\n  - op: start\n    bundle: missing\n  - check: state-id\n    requirement: state.id\n`,
    expect: ['field steps.1.bundle', 'only create and run take a bundle'],
  },
  {
    file: 'bad/id-omitted-on-success.yaml',
    yaml: `summary: s\nrequirements:\n  - { id: state.id, level: MUST }\nsteps:\n  - op: create\n    id: omitted\n  - check: state-id\n    requirement: state.id\n`,
    expect: ['field steps.0.id', 'expected to fail'],
  },
  {
    file: 'bad/bundle-unknown-kind.yaml',
    yaml: `summary: s\nrequirements:\n  - { id: state.id, level: MUST }\nsteps:\n  - op: create\n    bundle: elsewhere\n  - check: state-id\n    requirement: state.id\n`,
    expect: ['steps.0.bundle'],
  },
  {
    file: 'bad/program-exit-out-of-range.yaml',
    yaml: `summary: s\nrequirements:\n  - { id: state.id, level: MUST }\nprogram: { exit: 300 }\nsteps:\n  - check: state-id\n    requirement: state.id\n`,
    expect: ['field program.exit', '255'],
  },
  {
    file: 'bad/unknown-op.yaml',
    yaml: `summary: s\nrequirements:\n  - { id: state.id, level: MUST }\nsteps:\n  - op: pause\n  - check: state-id\n    requirement: state.id\n`,
    expect: ['field steps.0.op', 'must be one of'],
  },
  {
    file: 'bad/empty-file.yaml',
    yaml: '',
    expect: ['the file', 'must be object'],
  },
  {
    file: 'bad/hook-label-twice.yaml',
    yaml: `summary: s\nrequirements:\n  - { id: hooks.args, level: MUST }\nhooks:\n  prestart: [{ label: a }]\n  poststop: [{ label: a }]\nsteps:\n  - check: hooks-argv\n    types: [prestart]\n    requirement: hooks.args\n`,
    expect: ['field hooks.poststop', 'label "a" is used twice'],
  },
  {
    file: 'bad/unknown-hook-type.yaml',
    yaml: `summary: s\nrequirements:\n  - { id: hooks.args, level: MUST }\nhooks:\n  preStart: [{ label: a }]\nsteps:\n  - check: hooks-argv\n    types: [prestart]\n    requirement: hooks.args\n`,
    expect: ['field hooks', 'unknown field "preStart"'],
  },
  {
    file: 'bad/hook-check-without-selector.yaml',
    yaml: `summary: s\nrequirements:\n  - { id: hooks.args, level: MUST }\nhooks:\n  prestart: [{ label: a }]\nsteps:\n  - check: hooks-argv\n    requirement: hooks.args\n`,
    expect: ['field steps.0', 'hooks-argv'],
  },
  {
    file: 'bad/case-versions.yaml',
    yaml: `summary: s\nversions: soon\nrequirements:\n  - { id: state.id, level: MUST }\nsteps:\n  - check: state-id\n    requirement: state.id\n`,
    expect: ['field versions', 'not a version range'],
  },
  {
    file: 'bad/join-twice.yaml',
    yaml: `summary: s\nrequirements:\n  - { id: namespaces.join, level: MUST }\njoinNamespaces: [{ type: uts }, { type: uts, of: ipc }]\nsteps:\n  - check: namespaces-as-configured\n    rule: join\n    types: [uts]\n    requirement: namespaces.join\n`,
    expect: ['field joinNamespaces', 'uts is listed twice'],
  },
  {
    file: 'bad/join-unknown-type.yaml',
    yaml: `summary: s\nrequirements:\n  - { id: namespaces.join, level: MUST }\njoinNamespaces: [{ type: utsname }]\nsteps:\n  - check: namespaces-as-configured\n    rule: join\n    types: [uts]\n    requirement: namespaces.join\n`,
    expect: ['field joinNamespaces.0.type'],
  },
];

async function tempDir(t: { teardown(fn: () => unknown): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ocicomply-loader-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function put(dir: string, rel: string, text: string): Promise<string> {
  const p = join(dir, rel);
  await mkdir(dirname(p), { recursive: true });
  await writeFile(p, text);
  return p;
}

t.test('the good case on its own loads with everything resolved', async (t) => {
  const dir = await tempDir(t);
  await put(dir, 'good/ok.yaml', GOOD);
  const { cases, errors } = await loadCases([dir], catalogue, CHECKS);
  t.same(errors, []);
  t.equal(cases.length, 1);
  const c = cases[0]!;
  t.equal(c.id, 'good/ok');
  t.equal(c.file, join(dir, 'good/ok.yaml'));
  t.same(c.requirements.map((r) => [r.id, r.level]), [['state.status.created', 'MUST'], ['cli.exit-status', 'MUST']]);
  t.same([...c.containers.keys()], ['main', 'second']);
  t.equal(c.containers.get('second')?.idOf, 'main');
  t.same(c.containers.get('main')?.program, { wait: true }, 'the default program waits');
  t.same(c.steps.map((s) => [s.index, s.kind, s.container]), [[1, 'op', 'main'], [2, 'check', 'main'], [3, 'op', 'second']]);
  const check = c.steps[1]!;
  t.ok(check.kind === 'check' && check.check === 'state-status');
  if (check.kind === 'check') t.same(check.params, { is: 'created' }, 'check params exclude check/container/requirement');
  const dup = c.steps[2]!;
  t.ok(dup.kind === 'op');
  if (dup.kind === 'op') {
    t.equal(dup.expect, 'error');
    t.same(dup.noEffect, ['state.status.created']);
    t.same(dup.exitStatus, ['cli.exit-status']);
    t.same(dup.requirements, []);
  }
});

t.test('each malformed case fails that file only, naming the file and the field', async (t) => {
  const dir = await tempDir(t);
  await put(dir, 'good/ok.yaml', GOOD);
  for (const b of BAD) await put(dir, b.file, b.yaml);
  // a file that is not YAML is not a case at all
  await put(dir, 'bad/README.md', 'not a case');

  const { cases, errors } = await loadCases([dir], catalogue, CHECKS);
  t.same(cases.map((c) => c.id), ['good/ok'], 'the good case still loads, and only it');
  t.equal(errors.length, BAD.length, 'one error per bad file, no more');

  for (const b of BAD) {
    t.test(b.file, async (t) => {
      const mine = errors.filter((e) => e.file === join(dir, b.file));
      t.equal(mine.length, 1, 'exactly one LoadError for the file');
      const message = mine[0]?.message ?? '';
      t.ok(message.startsWith(`${b.file}: `), `message starts with the relative path: ${message}`);
      for (const s of b.expect) t.match(message, s, `message names "${s}"`);
    });
  }
});

t.test('loadCaseFile alone returns a LoadError or a Case', async (t) => {
  const dir = await tempDir(t);
  const good = await put(dir, 'x/good.yml', GOOD);
  const bad = await put(dir, 'x/bad.yaml', BAD.find((b) => b.file === 'bad/wrong-level.yaml')!.yaml);
  const g = await loadCaseFile(dir, good, catalogue, CHECKS);
  t.notOk('message' in g, 'good file loads');
  if (!('message' in g)) t.equal(g.id, 'x/good', '.yml is stripped from the id too');
  const e = await loadCaseFile(dir, bad, catalogue, CHECKS);
  t.ok('message' in e);
  if ('message' in e) {
    t.equal(e.file, bad);
    t.match(e.message, /^x\/bad\.yaml: field requirements\.0\.level: /);
  }
  const missing = await loadCaseFile(dir, join(dir, 'x/absent.yaml'), catalogue, CHECKS);
  t.ok('message' in missing, 'an unreadable file is a LoadError, not a throw');
  if ('message' in missing) t.match(missing.message, /^x\/absent\.yaml: .*ENOENT/);
});

t.test('several directories load together; paths are relative to their own root', async (t) => {
  const a = await tempDir(t);
  const b = await tempDir(t);
  await put(a, 'one.yaml', GOOD);
  await put(b, 'deep/er/two.yaml', GOOD.replace('summary: a good case', 'summary: another good case'));
  await put(b, 'deep/bad.yaml', BAD.find((x) => x.file === 'bad/yaml-syntax.yaml')!.yaml);
  const { cases, errors } = await loadCases([a, b], catalogue, CHECKS);
  t.same(cases.map((c) => c.id), ['one', 'deep/er/two']);
  t.equal(errors.length, 1);
  t.match(errors[0]?.message, /^deep\/bad\.yaml: not valid YAML/);
});

// ---- the built-in cases ----------------------------------------------------

async function countYaml(dir: string): Promise<string[]> {
  const names = await readdir(dir, { recursive: true });
  return names.filter((n) => /\.ya?ml$/.test(n)).map((n) => n.replace(/\.ya?ml$/, '')).sort();
}

const builtin = await loadCases([casesDir], catalogue, CHECKS);

t.test('every built-in case loads with zero errors', async (t) => {
  t.same(builtin.errors, [], 'no load errors');
  const files = await countYaml(casesDir);
  t.ok(files.length > 0);
  t.same(builtin.cases.map((c) => c.id).sort(), files, 'one case per YAML file');
  for (const c of builtin.cases) {
    t.ok(c.summary.length > 0, `${c.id} has a summary`);
    t.ok(c.requirements.length > 0, `${c.id} lists requirements`);
    for (const r of c.requirements) t.equal(catalogue.get(r.id), r, `${c.id}: ${r.id} is the catalogue entry`);
  }
});

t.test('selectCases', async (t) => {
  const all = builtin.cases;
  const ids = (cs: readonly Case[]): string[] => cs.map((c) => c.id).sort();

  t.same(ids(selectCases(all, [])), ids(all), 'no terms: everything');

  const errorFiles = (await countYaml(join(casesDir, 'errors'))).map((f) => `errors/${f}`);
  t.ok(errorFiles.length > 1);
  t.same(ids(selectCases(all, ['errors'])), errorFiles, 'an area prefix selects the cases of that area');
  t.same(ids(selectCases(all, ['errors/'])), errorFiles, 'a trailing slash means the same');
  t.same(selectCases(all, ['err']), [], 'a partial area name selects nothing');

  t.same(ids(selectCases(all, ['kill/term'])), ['kill/term'], 'an exact case id selects that case');
  t.same(selectCases(all, ['kill/ter']), [], 'a partial case id selects nothing');

  const bySignal = selectCases(all, ['kill.sends-signal']);
  const expected = all.filter((c) => c.requirements.some((r) => r.id === 'kill.sends-signal'));
  t.ok(bySignal.length >= 2);
  t.same(ids(bySignal), ids(expected), 'a requirement id selects exactly the cases listing it');
  t.ok(ids(bySignal).includes('kill/term'));

  const stateFamily = selectCases(all, ['state.status']);
  t.ok(stateFamily.length > 0);
  t.ok(stateFamily.every((c) => c.requirements.some((r) => r.id.startsWith('state.status.'))), 'a requirement prefix selects its family');

  const union = selectCases(all, ['errors', 'kill/term']);
  t.same(ids(union), [...errorFiles, 'kill/term'].sort(), 'terms are ORed');
  t.equal(new Set(union).size, union.length, 'no case twice');
});
