/**
 * check-config's derivation, without root or a runtime: which rows of the
 * process table a config gets judged by (every row whose property it sets,
 * found from the table alone), what the harness changes in the config, what
 * it lists as not judged, the config file's checks (JSON, object, ociVersion,
 * the schema of that release) and the config the bundle gets.
 */
import t from 'tap';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withHarnessPieces } from '../src/bundle/config.js';
import { knownSpecVersions, loadCatalogue } from '../src/catalogue.js';
import { PROCESS_PROPERTIES, PROCESS_ROWS } from '../src/checks/process-table.js';
import { nothingJudgedStatus, NOTHING_JUDGED_STATUS, readUserConfig } from '../src/run/check-config.js';
import { configCaseId, planCheckConfig } from '../src/run/check-config-case.js';
import { configSchemaProblems, schemaReleases } from '../src/spec/config-schema.js';
import { RELEASED_SPEC_VERSIONS } from '../src/spec/version.js';
import type { CaseResult } from '../src/results.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const catalogue = await loadCatalogue(join(ROOT, 'catalogue', 'requirements.yaml'));

const MINIMAL = { ociVersion: '1.0.2', process: { cwd: '/', args: ['/app'], user: { uid: 0, gid: 0 } }, root: { path: 'rootfs' } };

const judgedProperties = (config: Record<string, unknown>): string[] =>
  planCheckConfig(config, 'x.json', catalogue).testCase.steps.flatMap((s) => (s.kind === 'check' ? (s.params['properties'] as string[]) : []));

t.test('a row is judged when the config sets its property, found from the table alone', async (t) => {
  t.same(judgedProperties(MINIMAL).sort(), ['cwd', 'gid', 'oomScoreAdjUnset', 'terminalOff', 'uid'],
    'cwd, uid, gid; unset oomScoreAdj and terminal are judged as what a config without them asks; args are the probe\'s');
  const full = {
    ...MINIMAL,
    process: {
      ...MINIMAL.process, env: ['A=1'], user: { uid: 1, gid: 2, umask: 18, additionalGids: [3] },
      capabilities: { bounding: ['CAP_KILL'] }, rlimits: [{ type: 'RLIMIT_NOFILE', soft: 1, hard: 2 }], noNewPrivileges: true, oomScoreAdj: 5,
    },
    linux: { seccomp: { defaultAction: 'SCMP_ACT_ERRNO' } },
  };
  // Every row of the table whose property this config sets; a new row is picked up the same way.
  const expected = PROCESS_PROPERTIES.filter((p) => p !== 'args' && (PROCESS_ROWS[p] as { judgedWhen?: string }).judgedWhen !== 'unset');
  t.same(judgedProperties(full).filter((p) => (expected as string[]).includes(p)), judgedProperties(full), 'no row outside the table');
  for (const p of ['env', 'cwd', 'uid', 'gid', 'umask', 'additionalGids', 'capabilities', 'rlimits', 'noNewPrivileges', 'oomScoreAdj', 'seccomp']) {
    t.ok(judgedProperties(full).includes(p), `${p} is judged`);
  }
  t.notOk(judgedProperties(full).includes('oomScoreAdjUnset'), 'oomScoreAdj set: the unset row is not');
});

t.test('the case: a refusable create and start, one step per row under its requirement', async (t) => {
  const plan = planCheckConfig(MINIMAL, '/etc/minimal.json', catalogue);
  const [create, start, ...checks] = plan.testCase.steps;
  t.match(create, { kind: 'op', op: 'create', refused: 'config', requirements: [] });
  t.match(start, { kind: 'op', op: 'start', refused: 'config', requirements: [] });
  for (const s of checks) {
    t.equal(s.kind, 'check');
    if (s.kind === 'check') t.same(s.requirements, [PROCESS_ROWS[(s.params['properties'] as (keyof typeof PROCESS_ROWS)[])[0]!].requirement]);
  }
  t.equal(plan.testCase.id, 'check-config/minimal');
  t.equal(plan.testCase.file, '/etc/minimal.json', 'the case file is the config file');
  t.same(plan.testCase.requirements.map((r) => r.id).sort(), ['process.cwd', 'process.oom-score-adj.unset', 'process.terminal.off', 'process.user.gid', 'process.user.uid']);
  t.same(plan.testCase.containers.get('main')?.whole, { dirs: ['/'] }, 'the cwd is made in the rootfs');
});

t.test('what is changed, dropped and not judged', async (t) => {
  const config = {
    ...MINIMAL,
    process: { ...MINIMAL.process, terminal: true, consoleSize: { height: 24, width: 80 }, apparmorProfile: 'prod' },
    hooks: { prestart: [{ path: '/usr/bin/evil' }] },
    hostname: 'h',
    mounts: [{ destination: '/tmp', type: 'tmpfs', source: 'tmpfs' }],
    linux: { cgroupsPath: '/system.slice/x', namespaces: [{ type: 'pid' }], resources: { pids: { limit: 5 } } },
  };
  const plan = planCheckConfig(config, 'x.json', catalogue);
  t.same(plan.changed.map((c) => c.property), ['process.args', 'root.path', 'linux.cgroupsPath', 'mounts', 'process.cwd']);
  t.same(plan.notJudged.map((c) => c.property), ['hooks', 'process.terminal', 'process.consoleSize', 'hostname', 'mounts', 'linux.namespaces', 'linux.resources']);
  t.ok(judgedProperties(config).includes('apparmorProfile'), 'a row of the table judges apparmorProfile');
  t.notOk(judgedProperties(config).some((p) => p.startsWith('terminal') || p === 'consoleSize' || p === 'devConsole'), 'no terminal row judges the terminal the harness turned off');
  t.match(plan.notJudged[0]?.why, /dropped: a hook is a program on the host/);
  const written = plan.testCase.containers.get('main')!.config;
  t.equal(written['hooks'], undefined, 'hooks are not handed to the runtime');
  t.match(written['process'], { terminal: false, apparmorProfile: 'prod' }, 'no terminal; the rest of process kept');
  t.notOk('consoleSize' in (written['process'] as object), 'no consoleSize');
  t.same(config.hooks, { prestart: [{ path: '/usr/bin/evil' }] }, 'the given config is not changed');
  const bundle = withHarnessPieces(written, { sharedDir: '/run/x/shared', cgroupsPath: '/ocicomply-1', program: { wait: true } });
  t.match(bundle, {
    root: { path: 'rootfs' }, linux: { cgroupsPath: '/ocicomply-1', namespaces: [{ type: 'pid' }], resources: { pids: { limit: 5 } } },
    mounts: [{ destination: '/tmp' }, { destination: '/ocicomply', type: 'bind', source: '/run/x/shared' }], hostname: 'h',
  });
  t.equal((bundle['process'] as { args: string[] }).args[0], '/ocicomply-probe', 'the probe is the program');
});

t.test('case ids from file names', async (t) => {
  t.equal(configCaseId('/etc/prod.json'), 'check-config/prod');
  t.equal(configCaseId('my config (2).JSON'), 'check-config/my-config-2-');
  t.equal(configCaseId('.json'), 'check-config/config');
});

t.test('the schema of each release', async (t) => {
  t.same(schemaReleases().sort(), [...RELEASED_SPEC_VERSIONS].sort(), 'every published release is shipped');
  for (const release of schemaReleases()) {
    t.same(configSchemaProblems({ ...MINIMAL, ociVersion: release }, release), [], `${release}: a minimal config conforms`);
    t.match(configSchemaProblems({ ...MINIMAL, process: { ...MINIMAL.process, user: { uid: 'root', gid: 0 } } }, release), [/\/process\/user\/uid/], `${release}: a string uid does not`);
  }
  t.same(configSchemaProblems({ ...MINIMAL, process: { ...MINIMAL.process, user: { ...MINIMAL.process.user, umask: 18 } } }, '1.1.0'), [], '1.1.0 has umask');
});

t.test('reading the file: each bad input is one SetupError', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'ocicomply-plan-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const known = knownSpecVersions(catalogue);
  const cases: [string, string, RegExp][] = [
    ['not JSON', '{', /not JSON/],
    ['not an object', '"x"', /not a JSON object/],
    ['no ociVersion', '{}', /has no ociVersion/],
    ['unknown ociVersion', '{"ociVersion":"2.0.0"}', /not a runtime-spec release ocicomply has the schema of/],
    ['schema', JSON.stringify({ ...MINIMAL, process: { cwd: 5 } }), /does not conform to the config schema of runtime-spec 1\.0\.2/],
    ['mount over the root', JSON.stringify({ ...MINIMAL, mounts: [{ destination: '/', type: 'tmpfs', source: 'tmpfs' }] }), /would hide the probe's report directory/],
  ];
  for (const [what, text, message] of cases) {
    const file = join(dir, `${what}.json`);
    await writeFile(file, text);
    await t.rejects(readUserConfig(file, known), { name: 'SetupError', message }, what);
  }
  await t.rejects(readUserConfig(join(dir, 'absent.json'), known), { message: /no such file/ });
  await t.rejects(readUserConfig(dir, known), { message: /not a regular file/ });
  const good = join(dir, 'good.json');
  await writeFile(good, JSON.stringify({ ...MINIMAL, ociVersion: '1.0.2-dev' }));
  const read = await readUserConfig(good, known);
  t.equal(read.release, '1.0.2', 'a pre-release reads as its release');
  t.match(read.sha256, /^[0-9a-f]{64}$/);
});

t.test('status 4 when nothing was judged', async (t) => {
  const result = (statuses: ('pass' | 'fail' | 'skip')[]): CaseResult => ({
    case: 'check-config/x', file: 'x', summary: '', calls: [], durationMs: 1, cleanupProblems: [],
    results: statuses.map((status) => ({ case: 'check-config/x', requirement: 'process.cwd', level: 'MUST', status })),
  });
  t.equal(nothingJudgedStatus([result(['skip', 'skip'])]), NOTHING_JUDGED_STATUS, 'every result a skip');
  t.equal(nothingJudgedStatus([result(['skip', 'pass'])]), undefined, 'one passed');
  t.equal(nothingJudgedStatus([result(['fail', 'skip'])]), undefined, 'one failed');
});
