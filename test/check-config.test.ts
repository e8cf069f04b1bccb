/**
 * `ocicomply check-config CONFIG.json --runtime R` as a user runs it: configs
 * written by hand (a production-like profile: a non-root user with
 * capabilities, rlimits, env, cwd, noNewPrivileges, oomScoreAdj and a seccomp
 * profile; and a root one with umask and without oomScoreAdj) give one pass
 * per property against runc and crun; a broken runtime makes exactly its
 * property fail; a config the runtime refuses exits 4 with every property
 * skipped; bad input exits 2 with one message; the results document merges in
 * `report` and is read by `list --rerun-failed`. Needs root, runc (and crun).
 */
import t from 'tap';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunDocument } from '../src/results.js';
import { cgroupMode } from '../src/host/cgroups.js';
import { freshDir, onPath, RUNTIMES, start } from './helpers/suite.js';

/** A production-like profile. */
const PROD = {
  ociVersion: '1.0.2',
  process: {
    terminal: true,
    user: { uid: 1000, gid: 1000, additionalGids: [5, 6] },
    args: ['/usr/bin/myapp', '--serve'],
    env: ['PATH=/usr/bin:/bin', 'APP_MODE=production'],
    cwd: '/srv/app',
    capabilities: {
      bounding: ['CAP_NET_BIND_SERVICE', 'CAP_KILL'],
      effective: ['CAP_NET_BIND_SERVICE'],
      permitted: ['CAP_NET_BIND_SERVICE'],
      inheritable: ['CAP_NET_BIND_SERVICE'],
      ambient: ['CAP_NET_BIND_SERVICE'],
    },
    rlimits: [{ type: 'RLIMIT_NOFILE', soft: 4096, hard: 8192 }, { type: 'RLIMIT_NPROC', soft: 300, hard: 400 }],
    noNewPrivileges: true,
    oomScoreAdj: 500,
  },
  root: { path: '/var/lib/images/myapp', readonly: true },
  hostname: 'myapp',
  mounts: [
    { destination: '/proc', type: 'proc', source: 'proc' },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    { destination: '/tmp', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev'] },
  ],
  hooks: { prestart: [{ path: '/usr/bin/setup-network' }] },
  linux: {
    namespaces: [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }, { type: 'network' }],
    cgroupsPath: '/system.slice/myapp',
    resources: { pids: { limit: 100 } },
    maskedPaths: ['/proc/kcore'],
    readonlyPaths: ['/proc/sys'],
    seccomp: { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['reboot', 'kexec_load'], action: 'SCMP_ACT_ERRNO' }] },
  },
};

const PROD_JUDGED = [
  'process.capabilities', 'process.cwd', 'process.env', 'process.no-new-privileges', 'process.oom-score-adj', 'process.rlimits',
  'process.user.additional-gids', 'process.user.gid', 'process.user.uid', 'seccomp.applied',
];

/** A root profile with a umask and no oomScoreAdj (which the runtime must then leave as it was) and no terminal. */
const ROOT_PROFILE = {
  ociVersion: '1.1.0',
  process: { user: { uid: 0, gid: 0, umask: 23 }, args: ['/init'], cwd: '/', env: ['PATH=/bin'] },
  root: { path: 'rootfs' },
  mounts: [{ destination: '/proc', type: 'proc', source: 'proc' }],
  linux: { namespaces: [{ type: 'pid' }, { type: 'mount' }] },
};

const ROOT_JUDGED = ['process.cwd', 'process.env', 'process.oom-score-adj.unset', 'process.terminal.off', 'process.user.gid', 'process.user.uid', 'process.user.umask'];

const dir = await freshDir('check-config');
t.teardown(() => rm(dir, { recursive: true, force: true }));

interface Checked {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly doc: RunDocument | undefined;
  readonly json: string;
}

/** At most three runs at once: each is a Node.js start, a probe container and the case, on a shared 2-core machine. */
let running = 0;
const waiting: (() => void)[] = [];
async function slot<T>(f: () => Promise<T>): Promise<T> {
  if (running >= 3) await new Promise<void>((res) => waiting.push(res));
  running++;
  try {
    return await f();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

let n = 0;
function checkConfig(runtime: string, config: unknown, extra: readonly string[] = []): Promise<Checked> {
  return slot(() => checkConfigNow(runtime, config, extra));
}

async function checkConfigNow(runtime: string, config: unknown, extra: readonly string[]): Promise<Checked> {
  const name = `config-${++n}`;
  const file = join(dir, `${name}.json`);
  const json = join(dir, `${name}-results.json`);
  await writeFile(file, typeof config === 'string' ? config : JSON.stringify(config));
  const r = await start(['check-config', file, '--runtime', runtime, '--json', json, ...extra]).done;
  const doc = await readFile(json, 'utf8').then((s) => JSON.parse(s) as RunDocument, () => undefined);
  return { ...r, doc, json };
}

function statuses(doc: RunDocument | undefined): Record<string, string> {
  return Object.fromEntries((doc?.results ?? []).map((r) => [r.requirement, r.status]));
}

function allPass(ids: readonly string[]): Record<string, string> {
  return Object.fromEntries(ids.map((id) => [id, 'pass']));
}

const crun = onPath('crun') ? ((await cgroupMode()) === 'hybrid' ? join(RUNTIMES, 'crun-hybrid') : 'crun') : undefined;

// Every run starts now, three at a time; each test waits for its own.
const refusedConfig = { ...PROD, process: { ...PROD.process, rlimits: [...PROD.process.rlimits, { type: 'RLIMIT_NOTREAL', soft: 1, hard: 1 }] } };
const runs = onPath('runc') ? {
  prod: checkConfig('runc', PROD), root: checkConfig('runc', ROOT_PROFILE, ['--reporter', 'human']),
  crunProd: crun ? checkConfig(crun, PROD) : undefined, crunRoot: crun ? checkConfig(crun, ROOT_PROFILE) : undefined,
  wrongUid: checkConfig(join(RUNTIMES, 'broken-process/wrong-uid'), PROD), dropSeccomp: checkConfig(join(RUNTIMES, 'broken-seccomp/drop-seccomp'), PROD),
  refused: checkConfig('runc', refusedConfig),
  // The profile denies execve: the container cannot start its program, through the config alone.
  noExec: checkConfig('runc', { ...PROD, linux: { ...PROD.linux, seccomp: { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['execve'], action: 'SCMP_ACT_ERRNO' }] } } }, ['--wait-timeout', '2000']),
} : undefined;

t.test('bad input: one message, exit 2, nothing run', async (t) => {
  const bad: [string, unknown, RegExp][] = [
    ['not JSON', '{"ociVersion": ', /not JSON/],
    ['not an object', '[]', /not a JSON object/],
    ['no ociVersion', { process: {} }, /has no ociVersion/],
    ['an ociVersion without a schema', { ociVersion: '0.9.0' }, /not a runtime-spec release ocicomply has the schema of/],
    ['against the schema of its version', { ...ROOT_PROFILE, process: { ...ROOT_PROFILE.process, user: { uid: -1, gid: 0 } } }, /does not conform to the config schema of runtime-spec 1\.1\.0: \/process\/user\/uid/],
    ['a mount over the report directory', { ...ROOT_PROFILE, mounts: [{ destination: '/ocicomply', type: 'tmpfs', source: 'tmpfs' }] }, /would hide the probe's report directory/],
  ];
  await Promise.all(bad.map(async ([what, config, message]) => {
    const r = await checkConfig('runc', config);
    t.equal(r.code, 2, `${what}: exit 2`);
    t.match(r.stderr, message, `${what}: says why`);
    t.equal(r.stderr.trim().split('\n').length, 1, `${what}: in one line`);
    t.notOk(r.doc, `${what}: no results document`);
  }));
  const missing = await start(['check-config', join(dir, 'no-such.json'), '--runtime', 'runc']).done;
  t.equal(missing.code, 2, 'a missing file: exit 2');
  t.match(missing.stderr, /no such file/);
  const none = await start(['check-config', '--runtime', 'runc']).done;
  t.equal(none.code, 2, 'no config named: exit 2');
});

t.test('runc: every property the config sets passes', { skip: onPath('runc') ? false : 'runc is not on PATH' }, async (t) => {
  const [prod, root] = await Promise.all([runs!.prod, runs!.root]);
  t.equal(prod.code, 0, 'exit 0', { stderr: prod.stderr });
  t.same(statuses(prod.doc), allPass(PROD_JUDGED), 'one pass per property of the production profile');
  t.equal(prod.doc?.specVersion, '1.0.2', "the spec version is the config's ociVersion");
  t.equal(prod.doc?.run?.options.specVersionFrom, 'config');
  t.equal(prod.doc?.run?.options.command, 'check-config', 'the document records the command');
  t.match(prod.doc?.checkConfig?.config.sha256, /^[0-9a-f]{64}$/, "and the config's digest");
  t.same(prod.doc?.leftovers, [], 'nothing left behind');
  const notJudged = prod.doc?.checkConfig?.notJudged.map((x) => x.property) ?? [];
  t.same(notJudged.sort(), ['hooks', 'hostname', 'linux.maskedPaths', 'linux.namespaces', 'linux.readonlyPaths', 'linux.resources', 'mounts', 'process.terminal', 'root.readonly'],
    'what the config sets and nothing judges is listed');
  t.match(prod.stdout, /# not judged: hooks: dropped/, 'TAP names it in comments');
  t.equal(root.code, 0, 'the root profile: exit 0', { stderr: root.stderr });
  t.same(statuses(root.doc), allPass(ROOT_JUDGED), 'one pass per property of the root profile, and the unset oomScoreAdj left as it was');
  t.match(root.stdout, /not judged:\n/, 'the human report lists what was not judged');

  await t.test('the document merges in report, and list reads it', async (t) => {
    const report = await start(['report', prod.json, root.json, '--markdown', '-']).done;
    t.equal(report.code, 0, 'report exit 0', { stderr: report.stderr });
    t.match(report.stdout, /check-config/, 'the check-config area is in the matrix');
    const list = await start(['list', '--rerun-failed', prod.json]).done;
    t.equal(list.code, 0, 'list --rerun-failed takes it (no failure: nothing to run)', { stderr: list.stderr });
  });
});

t.test('crun: every property the config sets passes', { skip: crun && runs ? false : 'crun (or runc) is not on PATH' }, async (t) => {
  const [prod, root] = await Promise.all([runs!.crunProd!, runs!.crunRoot!]);
  t.equal(prod.code, 0, 'exit 0', { stderr: prod.stderr });
  t.same(statuses(prod.doc), allPass(PROD_JUDGED), 'one pass per property of the production profile');
  t.equal(root.code, 0, 'the root profile: exit 0', { stderr: root.stderr });
  t.same(statuses(root.doc), allPass(ROOT_JUDGED), 'one pass per property of the root profile');
});

t.test('a broken runtime fails exactly the property it breaks', { skip: onPath('runc') ? false : 'runc is not on PATH' }, async (t) => {
  const broken: [string, string, Promise<Checked>][] = [['broken-process/wrong-uid', 'process.user.uid', runs!.wrongUid], ['broken-seccomp/drop-seccomp', 'seccomp.applied', runs!.dropSeccomp]];
  await Promise.all(broken.map(async ([runtime, requirement, run]) => {
    const r = await run;
    t.equal(r.code, 1, `${runtime}: exit 1`, { stderr: r.stderr });
    t.same(statuses(r.doc), { ...allPass(PROD_JUDGED), [requirement]: 'fail' }, `${runtime}: only ${requirement} fails`);
  }));
});

t.test('a config the runtime refuses, or under which the program cannot report, is a result: every property skipped, exit 4', { skip: onPath('runc') ? false : 'runc is not on PATH' }, async (t) => {
  const r = await runs!.refused;
  t.equal(r.code, 4, 'exit 4');
  t.match(r.stderr, /no property of .* was judged/, 'says so');
  t.ok(r.doc, 'the results document is written');
  t.same(Object.values(statuses(r.doc)).filter((s) => s !== 'skip'), [], 'every property is skipped');
  t.match(r.doc?.results[0]?.message, /^not judged: the runtime refused the config: create exited 1/, 'saying the runtime refused it');
  t.same(r.doc?.leftovers, [], 'nothing left behind');
  // runc's start may fail, or exit 0 before the program's execve is denied: either way nothing is blamed on the runtime.
  const noExec = await runs!.noExec;
  t.equal(noExec.code, 4, 'a profile that denies execve: exit 4');
  t.same(Object.values(statuses(noExec.doc)).filter((s) => s !== 'skip'), [], 'every property is skipped');
  t.match(noExec.doc?.results[0]?.message, /^not judged: the runtime refused the config: start exited|the config's seccomp profile may deny a call the probe needs/, 'saying why');
});
