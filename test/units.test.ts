import t from 'tap';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IN_CONTAINER, baseConfig, mergeConfig, probeArgs, hooksConfig } from '../src/bundle/config.js';
import { fingerprintBundle, fingerprintDiff } from '../src/bundle/fingerprint.js';
import { writeBundle } from '../src/bundle/write.js';
import { parseState } from '../src/engine/state-document.js';
import { annotationsVerdict, statePidVerdict } from '../src/checks/state.js';
import { missingFile } from '../src/checks/cgroups.js';
import { withJoinPaths, type NamespaceHolder } from '../src/engine/ns-holder.js';
import { cgroupDirsCreatedFor, cgroupDirsOf, cgroupMounts, exists } from '../src/host/cgroups.js';
import { runPool } from '../src/run/pool.js';
import { freeSpaceProblem, neededBytes } from '../src/util/harness-fault.js';
import { findBlockDevice } from '../src/host/block.js';
import { linux32Machine, pickApparmorProfile } from '../src/host/security.js';
import { caseSkipReason } from '../src/engine/run-case.js';
import { caseTokens, missingFact, resolveCase, substitute, tokensIn } from '../src/cases/host-tokens.js';
import type { Case } from '../src/cases/types.js';
import type { HostFacts } from '../src/results.js';
import { DEFAULT_SPEC_VERSION, inRange, isValidRange, releaseOf } from '../src/spec/version.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// ---- mergeConfig -------------------------------------------------------------

t.test('hooksConfig: host path for runtime-namespace hooks and createContainer, rootfs path for startContainer, types by version', async (t) => {
  const hooks = {
    prestart: [{ label: 'p', exit: 0, sleepMs: 0, env: ['A=1'], timeout: 3 }],
    createContainer: [{ label: 'cc', exit: 2, sleepMs: 5 }],
    startContainer: [{ label: 'sc', exit: 0, sleepMs: 0 }],
    poststop: [{ label: 'rel', exit: 0, sleepMs: 0, path: 'relative' as const }],
  };
  const paths = { hostProbe: '/host/probe', hostLog: '/host/hooks.log' };
  const cfg = hooksConfig(hooks, paths, '1.1.0') as Record<string, Array<Record<string, unknown>>>;
  t.same(cfg['prestart'], [{ path: '/host/probe', args: ['ocicomply-hook-p', 'hook', 'p', '/host/hooks.log', '--exit', '0', '--sleep-ms', '0'], env: ['A=1'], timeout: 3 }]);
  t.equal(cfg['createContainer']![0]!['path'], '/host/probe', 'createContainer resolves in the runtime namespace');
  t.same((cfg['createContainer']![0]!['args'] as string[]).slice(4), ['--exit', '2', '--sleep-ms', '5']);
  t.equal(cfg['startContainer']![0]!['path'], '/ocicomply-probe', 'startContainer resolves in the container');
  t.equal((cfg['startContainer']![0]!['args'] as string[])[3], '/ocicomply/hooks.log');
  t.equal(cfg['poststop']![0]!['path'], 'ocicomply-probe', 'a relative path on purpose');
  const old = hooksConfig(hooks, paths, '1.0.0') as Record<string, unknown>;
  t.same(Object.keys(old).sort(), ['poststop', 'prestart'], '1.0.0 has no createContainer or startContainer');
  t.equal(hooksConfig({}, paths, '1.3.0'), undefined, 'no hooks: no hooks object');
});

t.test('mergeConfig', async (t) => {
  const base: Record<string, unknown> = {
    ociVersion: '1.0.2',
    process: { args: ['a', 'b'], env: ['PATH=/'], cwd: '/', user: { uid: 0, gid: 0 } },
    mounts: [{ destination: '/proc' }, { destination: '/dev' }],
    hostname: 'h',
    annotations: { keep: 'k', drop: 'd' },
  };
  const patch = {
    process: { args: ['c'], cwd: '/tmp', user: { uid: 1000 } },
    mounts: [{ destination: '/sys' }],
    hostname: null,
    annotations: { drop: null, added: 'x' },
    linux: { namespaces: [{ type: 'pid' }] },
  };
  const baseBefore = structuredClone(base);
  const patchBefore = structuredClone(patch);

  const out = mergeConfig(base, patch);
  t.same(out, {
    ociVersion: '1.0.2',
    process: { args: ['c'], env: ['PATH=/'], cwd: '/tmp', user: { uid: 1000, gid: 0 } },
    mounts: [{ destination: '/sys' }],
    annotations: { keep: 'k', added: 'x' },
    linux: { namespaces: [{ type: 'pid' }] },
  }, 'objects merge key by key (deeply), arrays replace, null deletes');
  t.notOk('hostname' in out, 'null removes the key itself, not just its value');
  t.notOk('drop' in (out['annotations'] as object), 'null deletes nested keys too');

  t.same(base, baseBefore, 'base not mutated');
  t.same(patch, patchBefore, 'patch not mutated');

  // what the patch brought in is a copy: changing the result leaves the patch alone
  (out['mounts'] as unknown[]).push('extra');
  ((out['linux'] as { namespaces: unknown[] }).namespaces).push('extra');
  t.same(patch, patchBefore, 'the result does not share arrays or objects with the patch');

  t.same(mergeConfig({ a: 1 }, {}), { a: 1 }, 'empty patch: a copy of base');
  t.same(mergeConfig({ a: 1 }, { b: null }), { a: 1 }, 'null for an absent key is a no-op');
  t.same(mergeConfig({ a: 'scalar' }, { a: { x: 1 } }), { a: { x: 1 } }, 'an object replaces a scalar');
  t.same(mergeConfig({ a: { x: 1 } }, { a: [1] }), { a: [1] }, 'an array replaces an object');
  t.same(mergeConfig({ a: [1, 2] }, { a: { x: 1 } }), { a: { x: 1 } }, 'an object replaces an array (no index merge)');
  t.same(mergeConfig({ a: { x: 1 } }, { a: 'y' }), { a: 'y' }, 'a scalar replaces an object');
  t.same(mergeConfig({ a: 1 }, { a: 0 }), { a: 0 }, 'falsy scalars still replace');
  t.same(mergeConfig({ a: true }, { a: false }), { a: false });
});

t.test('mergeConfig over baseConfig, as a case patch is applied', async (t) => {
  const base = baseConfig({ ociVersion: '1.0.2', sharedDir: '/s', cgroupsPath: '/ocicomply/x', program: { wait: true }, token: 'tok', hooks: {}, hookPaths: { hostProbe: '/p', hostLog: '/l' }, specVersion: '1.0.2', cgroupMount: 'none' });
  const merged = mergeConfig(base, { annotations: { 'org.example': 'v' }, linux: { cgroupsPath: null } });
  t.same(merged['annotations'], { 'org.ocicomply.token': 'tok', 'org.example': 'v' });
  const linux = merged['linux'] as Record<string, unknown>;
  t.notOk('cgroupsPath' in linux, 'a nested key can be removed');
  t.same(linux['namespaces'], (base['linux'] as Record<string, unknown>)['namespaces'], 'siblings kept');
  t.equal((base['linux'] as Record<string, unknown>)['cgroupsPath'], '/ocicomply/x', 'base keeps its cgroupsPath');
});

// ---- probeArgs -------------------------------------------------------------

t.test('probeArgs', async (t) => {
  const common = [IN_CONTAINER.probe, 'run', '--report', IN_CONTAINER.report, '--signals', IN_CONTAINER.signals, '--hook-log', IN_CONTAINER.hookLog];
  t.same(probeArgs({ wait: true }), [...common, '--wait'], 'wait: the probe waits for a signal');
  t.same(probeArgs({ exit: 0 }), [...common, '--exit', '0'], 'exit 0 is passed, not dropped');
  t.same(probeArgs({ exit: 42 }), [...common, '--exit', '42']);
  t.notOk(probeArgs({ exit: 42 }).includes('--wait'));
  const cfg = baseConfig({ ociVersion: '1.0.2', sharedDir: '/s', cgroupsPath: '/c', program: { exit: 7 }, token: 't', hooks: {}, hookPaths: { hostProbe: '/p', hostLog: '/l' }, specVersion: '1.0.2', cgroupMount: 'none' });
  t.same((cfg['process'] as { args: string[] }).args, probeArgs({ exit: 7 }), 'baseConfig runs the probe with those args');
});

// ---- spec versions -----------------------------------------------------------

t.test('releaseOf / inRange', async (t) => {
  t.equal(releaseOf('1.0.2-dev'), '1.0.2', 'a pre-release counts as its release');
  t.equal(releaseOf('1.1.0-rc.1'), '1.1.0');
  t.equal(releaseOf('1.2.0'), '1.2.0');
  t.equal(releaseOf(' 1.0.2 \n'), '1.0.2', 'surrounding whitespace is ignored');
  t.equal(releaseOf('1.0.2+build.5'), '1.0.2', 'build metadata is dropped');
  t.equal(releaseOf('not a version'), undefined);
  t.equal(releaseOf(''), undefined);
  t.equal(releaseOf(DEFAULT_SPEC_VERSION), DEFAULT_SPEC_VERSION);

  t.ok(inRange('1.0.2-dev', '>=1.0.2'), 'pre-release satisfies a range its release satisfies (plain semver would not)');
  t.ok(inRange('1.0.2-dev', '1.0.2'));
  t.ok(inRange('1.1.0', '>=1.0.0'));
  t.notOk(inRange('1.0.2', '>=1.1.0'));
  t.notOk(inRange('1.3.0', '<1.3.0'));
  t.ok(inRange('1.2.9', '<1.3.0'));
  t.notOk(inRange('garbage', '*'), 'not a version: in no range');

  t.ok(isValidRange('>=1.0.0'));
  t.ok(isValidRange('>=1.0.0 <1.2.0'));
  t.notOk(isValidRange('not a range'));
});

// ---- parseState --------------------------------------------------------------

t.test('parseState', async (t) => {
  const good = { ociVersion: '1.0.2', id: 'c1', status: 'running', pid: 1234, bundle: '/b', annotations: { a: 'b' } };

  const v = parseState(JSON.stringify(good));
  t.equal(v.kind, 'valid');
  if (v.kind === 'valid') t.same(v.doc, good);

  const stopped = parseState(JSON.stringify({ ociVersion: '1.0.2', id: 'c1', status: 'stopped', bundle: '/b' }));
  t.equal(stopped.kind, 'valid', 'pid and annotations are optional');

  const { ociVersion: _o, ...noVersion } = good;
  const a = parseState(JSON.stringify(noVersion));
  t.equal(a.kind, 'invalid', 'missing ociVersion is invalid');
  if (a.kind === 'invalid') {
    t.ok(a.errors.some((e) => e.includes('ociVersion')), `errors name ociVersion: ${a.errors.join('; ')}`);
    t.equal(a.doc.id, 'c1', 'what could be read is still there');
    t.equal(a.doc.status, 'running');
  }

  const b = parseState(JSON.stringify({ ...good, status: 'paused-ish' }));
  t.equal(b.kind, 'invalid', 'unknown status is invalid');
  if (b.kind === 'invalid') {
    t.ok(b.errors.some((e) => e.startsWith('/status') && e.includes('"stopped"')), `errors name /status and the allowed values: ${b.errors.join('; ')}`);
  }

  const c = parseState(JSON.stringify({ ...good, pid: -1, annotations: { n: 1 } }));
  t.equal(c.kind, 'invalid');
  if (c.kind === 'invalid') {
    t.ok(c.errors.some((e) => e.startsWith('/pid')), 'negative pid reported');
    t.ok(c.errors.some((e) => e.startsWith('/annotations')), 'non-string annotation reported (allErrors)');
  }

  const arr = parseState('[1, 2]');
  t.equal(arr.kind, 'invalid');
  if (arr.kind === 'invalid') t.same(arr.doc, {}, 'a JSON array gives an empty doc');
  const nul = parseState('null');
  t.equal(nul.kind, 'invalid');
  if (nul.kind === 'invalid') t.same(nul.doc, {});

  const n = parseState('time="2024" level=error msg="container does not exist"');
  t.equal(n.kind, 'not-json');
  if (n.kind === 'not-json') {
    t.match(n.error, /^state output is not JSON/);
    t.match(n.error, 'container does not exist', 'the output is quoted');
  }
  const empty = parseState('');
  t.equal(empty.kind, 'not-json', 'empty output is not JSON');
  const long = parseState('x'.repeat(10_000));
  t.ok(long.kind === 'not-json' && long.error.length < 600, 'quoted output is truncated');
});

// ---- runPool -----------------------------------------------------------------

t.test('runPool respects the jobs limit', async (t) => {
  for (const jobs of [1, 3, 8]) {
    let inFlight = 0;
    let max = 0;
    const items = Array.from({ length: 12 }, (_, i) => i);
    const seen: number[] = [];
    const results = await runPool(items, jobs, new AbortController().signal, async (i) => {
      inFlight++;
      max = Math.max(max, inFlight);
      seen.push(i);
      await sleep(2 + (i % 3) * 3);
      inFlight--;
      return i * 10;
    });
    t.equal(max, jobs, `jobs=${jobs}: exactly ${jobs} in flight at most (and the limit is used)`);
    t.same(seen, items, `jobs=${jobs}: items are taken in order, each once`);
    t.same([...results].sort((x, y) => x - y), items.map((i) => i * 10), `jobs=${jobs}: every result returned`);
  }

  let max = 0, inFlight = 0;
  await runPool([1, 2], 10, new AbortController().signal, async () => {
    inFlight++;
    max = Math.max(max, inFlight);
    await sleep(5);
    inFlight--;
  });
  t.equal(max, 2, 'never more workers than items');

  let ran = 0;
  await runPool([1, 2, 3], 0, new AbortController().signal, async () => {
    inFlight++;
    max = Math.max(max, inFlight);
    ran++;
    await sleep(1);
    inFlight--;
  });
  t.equal(ran, 3, 'jobs 0 still runs everything (one worker)');

  t.same(await runPool([], 4, new AbortController().signal, async () => 1), [], 'no items: no results');
});

t.test('runPool stops taking new items once the signal aborts', async (t) => {
  const abort = new AbortController();
  const started: number[] = [];
  let startedAfterAbort = 0;
  const items = Array.from({ length: 20 }, (_, i) => i);
  const results = await runPool(items, 2, abort.signal, async (i) => {
    if (abort.signal.aborted) startedAfterAbort++;
    started.push(i);
    if (i === 4) abort.abort();
    await sleep(3);
    return i;
  });
  t.equal(startedAfterAbort, 0, 'no task starts after the abort');
  t.ok(started.includes(4));
  t.ok(started.length <= 6, `at most the in-flight items finish (started ${started.join(',')})`);
  t.ok(started.every((i) => i <= 5), 'only items taken before the abort ran');
  t.same([...results].sort((x, y) => x - y), [...started].sort((x, y) => x - y), 'tasks in flight when it aborted still finish and report');

  const pre = new AbortController();
  pre.abort();
  let ran = 0;
  t.same(await runPool(items, 4, pre.signal, async () => ++ran), [], 'an aborted signal: nothing runs');
  t.equal(ran, 0);
});

// ---- fingerprints --------------------------------------------------------------

t.test('fingerprintDiff', async (t) => {
  const before = new Map([['a', 'file 644 1 aa'], ['b', 'file 644 1 bb'], ['d', 'dir 755']]);
  t.same(fingerprintDiff(before, new Map(before)), [], 'equal fingerprints: no difference');
  const after = new Map([['a', 'file 644 1 zz'], ['d', 'dir 755'], ['c', 'file 644 2 cc']]);
  const diff = fingerprintDiff(before, after);
  t.equal(diff.length, 3);
  t.ok(diff.includes('a changed (file 644 1 aa -> file 644 1 zz)'), 'changed content');
  t.ok(diff.includes('b removed'), 'removed file');
  t.ok(diff.includes('c added'), 'added file');
  t.same(fingerprintDiff(new Map(), new Map()), []);
});

t.test('fingerprintBundle + fingerprintDiff on a real directory', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'ocicomply-fp-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'rootfs'));
  await writeFile(join(dir, 'config.json'), '{}');
  await writeFile(join(dir, 'rootfs', 'probe'), 'binary');
  await symlink('probe', join(dir, 'rootfs', 'link'));
  await writeFile(join(dir, 'gone'), 'x');

  const before = await fingerprintBundle(dir);
  t.same([...before.keys()].sort(), ['config.json', 'gone', 'rootfs', 'rootfs/link', 'rootfs/probe']);
  t.match(before.get('rootfs/link'), /^link probe$/);
  t.match(before.get('rootfs'), /^dir /);
  t.same(fingerprintDiff(before, await fingerprintBundle(dir)), [], 'fingerprinting twice: same');

  await writeFile(join(dir, 'config.json'), '{"x":1}');
  await unlink(join(dir, 'gone'));
  await writeFile(join(dir, 'rootfs', 'new'), '');
  await chmod(join(dir, 'rootfs', 'probe'), 0o700);
  const diff = fingerprintDiff(before, await fingerprintBundle(dir));
  t.same(diff.map((d) => d.split(' ').slice(0, 2).join(' ')).sort(),
    ['config.json changed', 'gone removed', 'rootfs/new added', 'rootfs/probe changed'], `content, removal, addition and mode are seen: ${diff.join('; ')}`);

  t.same(await fingerprintBundle(join(dir, 'absent')), new Map(), 'a missing bundle fingerprints as empty');
});

// ---- cgroups -----------------------------------------------------------------

t.test('cgroups of this process', { skip: process.platform !== 'linux' && 'Linux only' }, async (t) => {
  const mounts = await cgroupMounts();
  for (const m of mounts) {
    t.ok(await exists(m.mountPoint), `mount point ${m.mountPoint} exists`);
    t.ok(m.version === 2 ? m.controllers.length === 0 : m.controllers.length > 0, `${m.mountPoint}: v${m.version} with controllers [${m.controllers.join(',')}]`);
    t.notOk(m.controllers.some((c) => c === 'rw' || c === 'ro'), 'mount flags are not controllers');
  }

  const dirs = await cgroupDirsOf('self');
  if (mounts.length === 0) {
    t.equal(dirs.size, 0, 'no cgroup mounts: no directories');
    return;
  }
  t.ok(dirs.size > 0, `found ${dirs.size} cgroup directories`);
  for (const [key, dir] of dirs) {
    t.ok(await exists(dir), `${key}: ${dir} exists`);
    t.ok(mounts.some((m) => dir === m.mountPoint || dir.startsWith(`${m.mountPoint}/`)), `${dir} is under a cgroup mount`);
    t.ok(await exists(join(dir, 'cgroup.procs')), `${dir} is a cgroup directory`);
  }
  const mine = await cgroupDirsOf(process.pid);
  t.same(mine, dirs, 'by pid: the same as self');
  t.same(await cgroupDirsCreatedFor(process.pid), [], 'a process shares all of its own cgroups');
  t.same(await cgroupDirsOf(2 ** 22 + 12345), new Map(), 'a pid that does not exist has no cgroups');
});

// ---- host values in case files -------------------------------------------------

const HOST: HostFacts = { kernel: 'k', cgroup: 'v2', controllers: ['io'], blockDevice: { name: 'vda', major: 254, minor: 16 } };

t.test('substitute: a whole-string token becomes the number, a token in text its digits', async (t) => {
  const config = { blockIO: { throttleReadBpsDevice: [{ major: '${block.major}', minor: '${block.minor}', rate: 5 }] } };
  t.same(substitute(config, HOST), { blockIO: { throttleReadBpsDevice: [{ major: 254, minor: 16, rate: 5 }] } });
  t.same(substitute({ 'io.max': '${block.major}:${block.minor} rbps=1' }, HOST), { 'io.max': '254:16 rbps=1' });
  t.same(substitute({ '${block.major}': 'key' }, HOST), { '254': 'key' }, 'keys too');
  t.same([...tokensIn({ a: ['x ${block.minor}', { b: '${block.major}' }] })].sort(), ['block.major', 'block.minor']);
});

t.test('missingFact: a host without a block device skips the case with the reason', async (t) => {
  t.equal(missingFact(['block.major'], HOST), undefined);
  t.equal(missingFact(['block.major'], { ...HOST, blockDevice: null }), 'needs a block device; this host has none');
  t.equal(missingFact([], { ...HOST, blockDevice: null }), undefined, 'a case without tokens needs nothing');
});

t.test('resolveCase: containers and check parameters, nothing else', async (t) => {
  const c = {
    id: 'x', file: 'x.yaml', summary: 's', needs: [], cgroupsPath: 'absolute', mountCgroup: 'none', rootPath: 'relative', requirements: [],
    containers: new Map([['main', { alias: 'main', config: { n: '${block.minor}' }, program: { wait: true }, hooks: {} }]]),
    steps: [{ kind: 'check', index: 1, container: 'main', requirements: [], check: 'cgroup-value', params: { v1: {}, v2: { 'io.max': '${block.major}:0' } } }],
  } as unknown as Case;
  t.same([...caseTokens(c)].sort(), ['block.major', 'block.minor']);
  const r = resolveCase(c, HOST);
  t.same(r.containers.get('main')!.config, { n: 16 });
  t.same((r.steps[0] as { params: unknown }).params, { v1: {}, v2: { 'io.max': '254:0' } });
  t.equal(c.containers.get('main')!.config['n'], '${block.minor}', 'the loaded case is left as it was');
});

t.test('findBlockDevice: a disk before virtual devices, empty virtual devices never', async (t) => {
  const sys = await mkdtemp(join(tmpdir(), 'ocicomply-sysblock-'));
  t.teardown(() => rm(sys, { recursive: true, force: true }));
  const dev = async (name: string, devices: string, majmin: string, size: number): Promise<void> => {
    const real = join(sys, devices, name);
    await mkdir(real, { recursive: true });
    await writeFile(join(real, 'dev'), `${majmin}\n`);
    await writeFile(join(real, 'size'), `${size}\n`);
    await symlink(real, join(sys, 'block', name));
  };
  await mkdir(join(sys, 'block'));
  t.equal(await findBlockDevice(join(sys, 'block')), null, 'none at all');
  await dev('loop0', 'devices/virtual/block', '7:0', 0);
  t.equal(await findBlockDevice(join(sys, 'block')), null, 'an unattached loop device is no disk');
  await dev('zram0', 'devices/virtual/block', '253:0', 1024);
  t.same(await findBlockDevice(join(sys, 'block')), { name: 'zram0', major: 253, minor: 0 }, 'a virtual device with a size will do');
  await dev('vda', 'devices/pci0000:00/virtio1/block', '254:0', 1024);
  t.same(await findBlockDevice(join(sys, 'block')), { name: 'vda', major: 254, minor: 0 }, 'a real disk comes first');
});

t.test('state annotations: absent passes (OPTIONAL), present must hold config.json\'s', async (t) => {
  const want = { 'org.example.a': '1', 'org.example.b': '2' };
  t.same(annotationsVerdict(want, undefined).ok, true, 'a state without annotations passes');
  t.same(annotationsVerdict({}, {}).ok, true, 'no annotations in config.json, an empty map in the state');
  t.same(annotationsVerdict(want, { ...want, 'org.runtime.extra': 'x' }).ok, true, 'all of config.json\'s are there');
  const changed = annotationsVerdict(want, { 'org.example.a': '1', 'org.example.b': 'other' });
  t.same(changed, { ok: false, message: "the state's annotations miss or change: org.example.b" });
  t.same(annotationsVerdict(want, {}).ok, false, 'an empty map while config.json has annotations fails');
});

t.test('freeSpaceProblem: each case running at once needs its own room, so --jobs counts', async (t) => {
  const MiB = 1024 * 1024;
  t.equal(freeSpaceProblem('/w', 8 * MiB, 1), undefined, '--jobs 1 fits in 8 MiB');
  t.equal(freeSpaceProblem('/w', 20 * MiB, 4), undefined, '--jobs 4 fits in 20 MiB');
  t.match(freeSpaceProblem('/w', 8 * MiB, 4), /^work directory \/w has 8\.0 MiB free; a run with --jobs 4 needs 20 MiB: /, 'the room for one job is too little for four');
  t.match(freeSpaceProblem('/w', 20 * MiB - 1, 4), /needs 20 MiB/, 'one byte short is too little');
  t.ok(neededBytes(8) > neededBytes(2), 'more jobs need more');
});

t.test('statePidVerdict: what can be judged of state.pid from the host, on the host kernel and under a kernel of its own', async (t) => {
  const base = { pid: 4242, alive: true, first: { pid: 4242, same: true } };
  const onHost = { hostKernel: true, inProgramPidNs: true, samePidInside: true, executingProgram: true };
  t.same(statePidVerdict({ ...base, program: onHost }), { ok: true, message: 'pid 4242 is the container process' });
  t.same(statePidVerdict({ ...base, alive: false }).ok, false, 'a pid no live process has fails');
  t.match(statePidVerdict({ ...base, first: undefined }).message, /not in a mount namespace of its own/, 'a process in the host\'s mount namespace fails');
  t.same(statePidVerdict({ ...base, first: { pid: 4000, same: false } }).ok, false, 'another process than the one first reported fails');
  t.same(statePidVerdict(base).ok, true, 'before the program runs: alive, own mount namespace, the same');
  // On the host's kernel the program's report is compared with the process.
  t.match(statePidVerdict({ ...base, program: { ...onHost, inProgramPidNs: false } }), { ok: false, message: /not in the program's pid namespace/ });
  t.match(statePidVerdict({ ...base, program: { ...onHost, samePidInside: false } }), { ok: false, message: /not the program's process in its pid namespace/ });
  t.match(statePidVerdict({ ...base, program: { ...onHost, executingProgram: false } }), { ok: false, message: /not executing the program/ });
  t.same(statePidVerdict({ ...base, program: { ...onHost, executingProgram: undefined } }).ok, true, 'while created the executable is not judged');
  // A sandbox: the program's pid namespace is no host namespace, so nothing of it is compared with the host process.
  const sandbox = statePidVerdict({ ...base, program: { hostKernel: false, inProgramPidNs: false, samePidInside: false, executingProgram: false } });
  t.equal(sandbox.ok, true, 'under a kernel of its own what cannot be compared is not judged');
  t.match(sandbox.message, /kernel of its own.*not judged/, 'and the message says so');
  t.same(statePidVerdict({ ...base, alive: false, program: { hostKernel: false, inProgramPidNs: false, samePidInside: false, executingProgram: false } }).ok, false, 'but its pid must still be a live host process');
});

t.test('missingFile: on v2 a file of a controller the host offers but the cgroup lacks fails; otherwise the kernel lacks it', async (t) => {
  const dir = '/sys/fs/cgroup/p/c';
  const notEnabled = missingFile('pids.max', dir, { host: ['cpu', 'memory', 'pids'], cgroup: ['memory'] });
  t.equal(notEnabled.skip, false, 'a controller left disabled is a failure');
  t.match(notEnabled.message, /the pids controller is not enabled for the container's cgroup \(its cgroup.controllers: memory\)/);
  t.equal(missingFile('pids.max', dir, { host: ['memory'], cgroup: ['memory'] }).skip, true, 'a controller the host lacks is a skip');
  t.equal(missingFile('memory.swap.max', dir, { host: ['memory'], cgroup: ['memory'] }).skip, true, 'an enabled controller without the file: the kernel lacks it');
  t.equal(missingFile('hugetlb.2MB.rsvd.max|hugetlb.2MB.max', dir, { host: ['hugetlb'], cgroup: [] }).skip, false, 'alternatives of a disabled controller fail too');
  t.equal(missingFile('pids.max', dir).skip, true, 'v1: a missing file is the kernel\'s');
});

t.test('readConfig: what the harness reads of a config, typed; an invalid property reads as absent', async (t) => {
  const { readConfig } = await import('../src/spec/config.js');
  const good = { ociVersion: '1.0.2', annotations: { a: 'b' }, process: { args: ['/p'], user: { uid: 1000, gid: 1000 } }, linux: { cgroupsPath: '/x', resources: { pids: { limit: 1 } } } };
  t.same(readConfig(good), good, 'a valid config reads as written (unread parts kept as they are)');
  const bad = { annotations: { a: 1 }, process: { args: ['/p', 2], user: { uid: -1, gid: 0 }, cwd: '/' }, linux: { namespaces: [{ path: '/x' }], cgroupsPath: '/y' } };
  t.same(readConfig(bad), { annotations: {}, process: { user: { gid: 0 }, cwd: '/' }, linux: { cgroupsPath: '/y' } }, 'each invalid property (or map entry) is left out, the rest kept');
  t.same(readConfig(null), {}, 'not an object: nothing to read');
  t.same(bad.process.args, ['/p', 2], 'the config itself is not changed');
});

// ---- security labels and execution domains the host offers -------------------

t.test('pickApparmorProfile: a complain-mode profile, else a container default; never unconfined', async (t) => {
  t.equal(pickApparmorProfile('unconfined (unconfined)\n/usr/sbin/cupsd (enforce)\nocicomply-x (complain)\n'), 'ocicomply-x');
  t.equal(pickApparmorProfile('/usr/sbin/cupsd (enforce)\ndocker-default (enforce)\n'), 'docker-default');
  t.equal(pickApparmorProfile('/usr/sbin/cupsd (enforce)\nunconfined (unconfined)\n'), null, 'a program\'s own profile may deny the probe its report');
  t.equal(pickApparmorProfile(''), null);
  t.equal(linux32Machine('x64'), 'i686');
  t.equal(linux32Machine('arm64'), null, 'unknown: the CPU may lack AArch32');
});

t.test('host security facts name what a case needs, or skip it', async (t) => {
  const host: HostFacts = { ...HOST, security: { apparmorProfile: null, selinuxLabel: 'system_u:system_r:spc_t:s0', linux32Machine: null } };
  t.match(missingFact(['apparmor.profile'], host), /^needs AppArmor enabled/);
  t.equal(missingFact(['selinux.label'], host), undefined);
  t.same(substitute({ selinuxLabel: '${selinux.label}' }, host), { selinuxLabel: 'system_u:system_r:spc_t:s0' });
  t.match(missingFact(['selinux.label'], HOST), /^needs SELinux/, 'a document of an older version has no security facts');
});

t.test('caseSkipReason: a features boolean that is false, and a machine without 32-bit programs', async (t) => {
  const c = (needs: Case['needs']): Case => ({ id: 'x', file: 'x.yaml', summary: 's', needs, cgroupsPath: 'absolute', mountCgroup: 'none', rootPath: 'relative', requirements: [], containers: new Map(), steps: [] });
  const at = (features: Record<string, unknown> | null, linux32: string | null) => ({ specVersion: '1.3.0', features, host: { ...HOST, security: { apparmorProfile: null, selinuxLabel: null, linux32Machine: linux32 } } });
  const aa = c([{ supported: 'linux.apparmor.enabled' }]);
  t.match(caseSkipReason(aa, at({ linux: { apparmor: { enabled: false } } }, null)), /does not support this \(linux\.apparmor\.enabled is false\)/);
  t.equal(caseSkipReason(aa, at({ linux: { apparmor: { enabled: true } } }, null)), undefined);
  t.equal(caseSkipReason(aa, at({}, null)), undefined, 'no entry: the runtime has said nothing');
  t.equal(caseSkipReason(aa, at(null, null)), undefined, 'no features document: the runtime has said nothing');
  t.match(caseSkipReason(c([{ host: 'linux32' }]), at(null, null)), /32-bit programs/);
  t.equal(caseSkipReason(c([{ host: 'linux32' }]), at(null, 'i686')), undefined);
});

t.test('withJoinPaths: a held namespace\'s path goes into the entry of its type, or a new entry; the config given is left as it is', async (t) => {
  const config = { hostname: 'h', linux: { namespaces: [{ type: 'pid' }, { type: 'network' }] } };
  const held = (type: 'network' | 'uts', path: string): NamespaceHolder => ({ join: { type, of: type, relative: false }, path, inode: 1, pid: 2, process: undefined as never });
  const out = withJoinPaths(config, [held('network', '/proc/2/ns/net'), held('uts', '/proc/3/ns/uts')]);
  t.same(out, { hostname: 'h', linux: { namespaces: [{ type: 'pid' }, { type: 'network', path: '/proc/2/ns/net' }, { type: 'uts', path: '/proc/3/ns/uts' }] } });
  t.same(config.linux.namespaces, [{ type: 'pid' }, { type: 'network' }], 'the config given is unchanged');
  t.same(withJoinPaths({}, [held('uts', 'proc/3/ns/uts')]), { linux: { namespaces: [{ type: 'uts', path: 'proc/3/ns/uts' }] } }, 'a config without linux gets one');
});

t.test('writeBundle: probeCopies puts the probe, under its own name and executable, in more rootfs directories', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'ocicomply-copies-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const probe = join(dir, 'probe-binary');
  await writeFile(probe, 'not really a probe');
  const written = await writeBundle(join(dir, 'c'), {}, probe, { dirs: [], openShared: false, probeCopies: ['/usr/bin', '/opt/../sbin/'] });
  for (const d of ['usr/bin', 'sbin']) {
    const copy = join(written.bundle, 'rootfs', d, 'ocicomply-probe');
    t.equal(await readFile(copy, 'utf8'), 'not really a probe', `${d} holds the probe`);
    t.equal((await stat(copy)).mode & 0o777, 0o755, `${d}'s copy is executable`);
  }
});
