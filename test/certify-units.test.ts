/**
 * The pieces of certification bundles, without root or a runtime: the
 * SHA256SUMS format (read back by sha256sum -c where installed), the system
 * facts' parsers, the environment made from a results document, the counts
 * each report must agree on, the directory --certify accepts, and verify on
 * a bundle written from a hand-made run, whole and tampered with.
 */
import t from 'tap';
import { execFile } from 'node:child_process';
import { appendFile, chmod, mkdir, mkdtemp, readFile, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCatalogue } from '../src/catalogue.js';
import { loadSentences } from '../src/sentences.js';
import { listingDigest } from '../src/cases/digest.js';
import { isPlainName, parseSums, renderSums } from '../src/certify/checksums.js';
import { junitProblems, summaryProblems, tapProblems } from '../src/certify/counts.js';
import { environmentOf, featuresLibseccomp } from '../src/certify/environment.js';
import { renderReadme } from '../src/certify/readme.js';
import { bundleDir, discardIfEmpty, prepareCertifyDir } from '../src/certify/target.js';
import { documentProblems, verifyBundle, verifyCertification } from '../src/certify/verify.js';
import { bundleFiles, writeBundle, type BundleReports } from '../src/certify/write.js';
import { dpkgLibseccomp, isUserNamespace, parseLsm, parseOsRelease } from '../src/host/system.js';
import { renderJUnit } from '../src/report/junit.js';
import { memoryTapReporter } from '../src/report/tee.js';
import { summarize, type CaseResult, type RequirementResult, type RunDocument } from '../src/results.js';
import { sha256Hex } from '../src/util/sha256.js';
import { onPath, ROOT } from './helpers/suite.js';

const catalogue = await loadCatalogue(join(ROOT, 'catalogue', 'requirements.yaml'));
const sources = { catalogue, sentences: await loadSentences(join(ROOT, 'catalogue', 'sentences.yaml')) };

const r = (c: string, requirement: string, level: RequirementResult['level'], status: RequirementResult['status'], extra: Partial<RequirementResult> = {}): RequirementResult => ({ case: c, requirement, level, status, message: status, ...extra });

/** One of each: pass, failed MUST, failed SHOULD, a listed MUST failure, a skip; and a case file not loaded. */
const cases: CaseResult[] = [
  { case: 'lifecycle/create-start', file: 'cases/lifecycle/create-start.yaml', summary: 'create then start', calls: [], durationMs: 40, cleanupProblems: [], results: [r('lifecycle/create-start', 'state.status.created', 'MUST', 'pass'), r('lifecycle/create-start', 'cli.exit-status', 'MUST', 'fail', { expectation: 'unexpected-fail' })] },
  { case: 'kill/term', file: 'cases/kill/term.yaml', summary: 'kill TERM', calls: [], durationMs: 30, cleanupProblems: [], results: [r('kill/term', 'kill.sends-signal', 'MUST', 'fail', { expectation: 'expected-fail', deviation: 'known' }), r('kill/term', 'state.status.stopped', 'SHOULD', 'fail', { expectation: 'unexpected-fail' }), r('kill/term', 'cli.exit-status', 'MUST', 'skip', { expectation: 'expected' })] },
];
const results = cases.flatMap((c) => c.results);
const caseFiles = [{ path: 'kill/term.yaml', sha256: sha256Hex('a') }, { path: 'lifecycle/create-start.yaml', sha256: sha256Hex('b') }, { path: 'broken.yaml', sha256: sha256Hex('c') }];

const doc: RunDocument = {
  ocicomply: '0.1.0',
  run: {
    startedAt: '2026-12-05T07:00:00.000Z', endedAt: '2026-12-05T07:00:05.000Z', ocicomply: { version: '0.1.0', commit: null }, node: 'v20.0.0',
    options: { runtime: './my-runc', runtimeArgs: ['--log-format=json'], specVersion: '1.1.0', specVersionFrom: 'given', only: ['lifecycle', 'kill'], skip: [], jobs: 2, timeouts: { callMs: 10000, waitMs: 5000, settleMs: 150 }, vm: null },
    cases: { digest: listingDigest(caseFiles), files: caseFiles },
    profile: { name: 'default', baseConfig: { ociVersion: '1.0.2' } },
    system: {
      kernel: { release: '6.1.0-1-amd64', version: '#1 SMP Debian' }, architecture: 'x86_64',
      distribution: { id: 'debian', versionId: '12', prettyName: 'Debian GNU/Linux 12 (bookworm)', from: '/etc/os-release' },
      securityModules: ['lockdown', 'capability', 'apparmor'], user: { uid: 0, userNamespace: false, rootless: false },
      libseccomp: [{ version: '2.5.4-1+deb12u1', from: '/var/lib/dpkg/status: package libseccomp2:amd64' }],
    },
  },
  runtime: { path: '/opt/my-runc', args: ['--log-format=json'], version: 'runc version 1.1.5', versionOutput: 'runc version 1.1.5\nspec: 1.0.2-dev\n', features: { ociVersionMax: '1.0.2-dev', annotations: { 'io.github.seccomp.libseccomp.version': '2.5.4' } } },
  specVersion: '1.1.0',
  host: { kernel: '6.1.0-1-amd64', cgroup: 'v2', controllers: ['cpu', 'memory', 'pids'], blockDevice: null },
  results,
  summary: summarize(results),
  loadErrors: [{ file: 'cases/broken.yaml', message: 'broken.yaml: not valid YAML' }],
  leftovers: [],
  timing: { wallMs: 100, runtimeCalls: 3, runtimeMs: 50, jobs: 2 },
  expectations: { file: 'expectations/runc.yaml', runtime: 'runc' },
};

async function tapOf(d: RunDocument): Promise<string> {
  const tap = memoryTapReporter();
  tap.reporter.start({ total: cases.length, runtime: d.runtime, specVersion: d.specVersion, host: d.host });
  for (const e of d.loadErrors) tap.reporter.loadError(e);
  for (const c of cases) tap.reporter.caseDone(c);
  await tap.reporter.end(d);
  return tap.text();
}

const reports: BundleReports = { doc, junit: renderJUnit(doc, cases), tap: await tapOf(doc) };

async function scratch(t: Tap): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ocicomply-certify-units-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}
type Tap = Parameters<Parameters<typeof t.test>[1]>[0];

t.test('SHA256SUMS: written sorted as sha256sum prints it, read back, bad lines refused', async (t) => {
  const text = renderSums([{ name: 'tap.log', sha256: sha256Hex('x') }, { name: 'README.md', sha256: sha256Hex('y') }]);
  t.equal(text, `${sha256Hex('y')}  README.md\n${sha256Hex('x')}  tap.log\n`, 'sorted by name, two spaces');
  t.same(parseSums(text), { entries: [{ sha256: sha256Hex('y'), name: 'README.md' }, { sha256: sha256Hex('x'), name: 'tap.log' }], problems: [] });
  t.same(parseSums(`${sha256Hex('y')} *README.md\n`).entries.map((e) => e.name), ['README.md'], 'binary-mode marker read too');
  for (const bad of [`${sha256Hex('y')}  ../etc/passwd`, `${sha256Hex('y')}  sub/file`, `${sha256Hex('y')}  ..`, 'abc  README.md', `${sha256Hex('y')}README.md`]) {
    t.equal(parseSums(`${bad}\n`).problems.length, 1, `refused: ${bad.slice(-20)}`);
  }
  t.match(parseSums(`${text}${sha256Hex('z')}  tap.log\n`).problems, [/lists tap\.log twice/]);
  t.match(parseSums('').problems, [/lists no file/]);
  t.notOk(isPlainName('a/b'));
  t.ok(isPlainName('results.json'));
});

t.test('sha256sum -c reads a bundle SHA256SUMS', { skip: onPath('sha256sum') ? false : 'no sha256sum' }, async (t) => {
  const dir = await scratch(t);
  await writeBundle(dir, reports, sources);
  const out = await new Promise<string>((res, rej) => execFile('sha256sum', ['-c', 'SHA256SUMS'], { cwd: dir }, (e, so) => (e ? rej(e) : res(so))));
  t.equal(out.trim().split('\n').length, 7, 'every file OK');
  t.notMatch(out, /FAILED/);
});

t.test('system facts: os-release, the LSM list, user namespaces, dpkg status', async (t) => {
  const os = parseOsRelease('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n# comment\nNAME=\'x\\"y\'\n');
  t.equal(os.get('PRETTY_NAME'), 'Debian GNU/Linux 12 (bookworm)');
  t.equal(os.get('ID'), 'debian');
  t.equal(os.get('VERSION_ID'), '12');
  t.equal(os.get('NAME'), 'x"y');
  t.same(parseLsm('lockdown,capability,landlock,yama,apparmor\n'), ['lockdown', 'capability', 'landlock', 'yama', 'apparmor']);
  t.same(parseLsm(''), []);
  t.notOk(isUserNamespace('         0          0 4294967295\n'), 'the identity map: the initial user namespace');
  t.ok(isUserNamespace('         0       1000          1\n'), 'root mapped to uid 1000: a user namespace');
  const status = [
    'Package: libseccomp2\nStatus: install ok installed\nArchitecture: amd64\nVersion: 2.5.4-1+deb12u1\n',
    'Package: libseccomp2\nStatus: deinstall ok config-files\nArchitecture: i386\nVersion: 2.5.3-1\n',
    'Package: libseccomp-dev\nStatus: install ok installed\nVersion: 2.5.4-1+deb12u1\n',
  ].join('\n');
  t.same(dpkgLibseccomp(status), [{ version: '2.5.4-1+deb12u1', architecture: 'amd64' }], 'installed runtime package only');
});

t.test('the environment is made from the results document alone', async (t) => {
  const env = environmentOf(doc);
  t.equal(env.runtime.name, 'my-runc', 'named as --runtime was given');
  t.equal(env.runtime.path, '/opt/my-runc');
  t.same(env.runtime.args, ['--log-format=json']);
  t.same(env.spec, { version: '1.1.0', chosenBy: 'given' });
  t.equal(env.cases?.digest, listingDigest(caseFiles));
  t.equal(env.profile?.name, 'default');
  t.same(env.host.cgroup, { mode: 'v2', controllers: ['cpu', 'memory', 'pids'] });
  t.same(env.host.libseccomp.map((l) => l.version), ['2.5.4', '2.5.4-1+deb12u1'], "the runtime's own first, then the host package");
  t.match(env.host.libseccomp[0]!.from, /features document/);
  t.equal(env.host.vm, null);
  t.equal(environmentOf({ ...doc, vm: { mode: 'cgroup2', kernel: '6.12', bootMs: 16000, wallMs: 90000 } }).host.vm?.mode, 'cgroup2');
  t.equal(featuresLibseccomp({ annotations: {} }), undefined);
  t.equal(featuresLibseccomp(null), undefined);
  // An older document, without a run record: what it has, the rest null.
  const { run: _run, ...old } = doc;
  const oldEnv = environmentOf(old);
  t.equal(oldEnv.runtime.name, 'my-runc', 'named by its path');
  t.equal(oldEnv.cases, null);
  t.equal(oldEnv.host.kernel.release, '6.1.0-1-amd64');
  t.match(renderReadme(env), /runtime: `\/opt\/my-runc` with `--log-format=json`, runc version 1\.1\.5/);
  t.match(renderReadme(env), /VM: no/);
});

t.test('the counts of TAP, JUnit and the summary agree with the document, and a change shows', async (t) => {
  const files = bundleFiles(reports, sources);
  t.same(tapProblems(reports.tap, doc), [], 'TAP');
  t.same(junitProblems(reports.junit, doc), [], 'JUnit');
  t.same(summaryProblems(files['summary.md'], doc), [], 'summary');
  t.match(tapProblems(reports.tap.replace(/^ok (\d+) - kill\/term: cli\.exit-status \(MUST\) # SKIP.*$/m, 'ok $1 - kill/term: cli.exit-status (MUST)'), doc), [/"ok" points/, /"ok # SKIP" points/], 'a skip made a pass');
  t.match(tapProblems(reports.tap.replace(/^1\.\.\d+$/m, '1..99'), doc), [/the plan is 99/]);
  t.match(junitProblems(reports.junit.replace(/(<testsuites[^>]*failures=")\d+/, '$10'), doc), [/<testsuites failures> is 0/]);
  t.match(summaryProblems(files['summary.md'].replace(/^\| 5 \| 1 \| 1 \| 2 \| 1 \| 1 \|$/m, '| 5 | 2 | 0 | 2 | 1 | 1 |'), doc), [/pass is 2/, /failed MUST is 0/]);
  t.match(summaryProblems('no table', doc), [/totals table is missing/]);
});

t.test('documentProblems: a whole bundle agrees; each kind of disagreement is named', async (t) => {
  const files = bundleFiles(reports, sources);
  const texts = (over: Partial<Record<string, string>> = {}): Map<string, Buffer> => new Map(Object.entries({ ...files, ...over }).map(([k, v]) => [k, Buffer.from(v!)]));
  t.same(documentProblems(texts()), [], 'agree');
  const env = JSON.parse(files['environment.json']);
  env.host.kernel.release = '5.10';
  t.match(documentProblems(texts({ 'environment.json': JSON.stringify(env) })), [/environment\.host\.kernel differs/]);
  t.match(documentProblems(texts({ 'README.md': `${files['README.md']}x` })), [/README\.md is not the one/]);
  const badSummary = { ...doc, summary: { ...doc.summary, pass: 9 } };
  t.match(documentProblems(texts({ 'results.json': JSON.stringify(badSummary) })), [/its summary .* is not what its results count/]);
  const otherCase = { ...doc, results: [...doc.results, r('hooks/prestart', 'hooks.prestart', 'MUST', 'pass')], summary: summarize([...doc.results, r('hooks/prestart', 'hooks.prestart', 'MUST', 'pass')]) };
  t.match(documentProblems(texts({ 'results.json': JSON.stringify(otherCase) })).join('\n'), /case\(s\) judged but not in the case set: hooks\/prestart/);
  const badDigest = { ...doc, run: { ...doc.run!, cases: { digest: sha256Hex('other'), files: caseFiles } } };
  t.match(documentProblems(texts({ 'results.json': JSON.stringify(badDigest) })).join('\n'), /is not the digest of its case files/);
  t.match(documentProblems(texts({ 'results.json': '{' })), [/results\.json is not JSON/]);
  t.match(documentProblems(texts({ 'results.json': '{"ocicomply": "0.1.0"}' })), [/not a results document/]);
});

t.test('verify: a written bundle checks out; changed, missing, added and linked files do not', async (t) => {
  const base = await scratch(t);
  const fresh = async (name: string): Promise<string> => {
    const dir = join(base, name);
    await mkdir(dir);
    await writeBundle(dir, reports, sources);
    return dir;
  };
  t.same((await verifyBundle(await fresh('whole'))).problems, [], 'whole');
  const changed = await fresh('changed');
  await appendFile(join(changed, 'tap.log'), '# one more line\n');
  t.match((await verifyBundle(changed)).problems, [/tap\.log: its SHA-256 is not the one SHA256SUMS lists/]);
  const missing = await fresh('missing');
  await unlink(join(missing, 'junit.xml'));
  t.match((await verifyBundle(missing)).problems, [/junit\.xml is listed in SHA256SUMS but missing/]);
  const added = await fresh('added');
  await writeFile(join(added, 'extra.txt'), 'x');
  t.match((await verifyBundle(added)).problems, [/extra\.txt is not listed in SHA256SUMS/]);
  const linked = await fresh('linked');
  const target = join(base, 'elsewhere.md');
  await writeFile(target, await readFile(join(linked, 'summary.md')));
  await unlink(join(linked, 'summary.md'));
  await symlink(target, join(linked, 'summary.md'));
  t.match((await verifyBundle(linked)).problems, [/summary\.md is a symbolic link \(not followed\)/]);
  const sumsLinked = await fresh('sums-linked');
  await writeFile(target, await readFile(join(sumsLinked, 'SHA256SUMS')));
  await unlink(join(sumsLinked, 'SHA256SUMS'));
  await symlink(target, join(sumsLinked, 'SHA256SUMS'));
  t.match((await verifyBundle(sumsLinked)).problems, [/SHA256SUMS is a symbolic link/]);

  // A directory of bundles (several runtimes): each verified; a stray file or link is named.
  const several = join(base, 'several');
  await mkdir(several);
  const one = { dir: several, created: false };
  await writeBundle(await bundleDir(one, 'runc', true), reports, sources);
  await writeBundle(await bundleDir(one, 'crun', true), reports, sources);
  t.same((await verifyCertification(several)).map((v) => v.problems), [[], []], 'both bundles');
  await symlink(changed, join(several, 'link'));
  t.match((await verifyCertification(several))[0]!.problems, [/link is a symbolic link/]);
  await t.rejects(verifyCertification(join(base, 'nowhere')), /no such directory/);
  await symlink(join(base, 'whole'), join(base, 'whole-link'));
  await t.rejects(verifyCertification(join(base, 'whole-link')), /is a symbolic link/);
  const empty = join(base, 'empty');
  await mkdir(empty);
  t.match((await verifyCertification(empty))[0]!.problems, [/empty/]);
});

t.test('--certify DIR: made 0755, or an empty private one; everything else refused', async (t) => {
  const base = await scratch(t);
  const uid = process.geteuid!();
  const made = await prepareCertifyDir(join(base, 'new'), uid);
  t.same(made, { dir: join(base, 'new'), created: true });
  t.equal((await import('node:fs')).statSync(made.dir).mode & 0o7777, 0o755, 'mode 0755');
  await discardIfEmpty(made);
  t.notOk((await import('node:fs')).existsSync(made.dir), 'an empty directory it made is removed again');
  await mkdir(join(base, 'empty'), { mode: 0o700 });
  t.same(await prepareCertifyDir(join(base, 'empty'), uid), { dir: join(base, 'empty'), created: false }, 'an empty private one is taken');
  await mkdir(join(base, 'full'));
  await writeFile(join(base, 'full', 'x'), '');
  await t.rejects(prepareCertifyDir(join(base, 'full'), uid), /is not empty/);
  await symlink(join(base, 'empty'), join(base, 'link'));
  await t.rejects(prepareCertifyDir(join(base, 'link'), uid), /is a symbolic link/);
  await mkdir(join(base, 'open'));
  await chmod(join(base, 'open'), 0o777);
  await t.rejects(prepareCertifyDir(join(base, 'open'), uid), /is writable by every user/);
  await t.rejects(prepareCertifyDir(join(base, 'empty'), uid + 1), /is owned by uid/);
  await writeFile(join(base, 'file'), '');
  await t.rejects(prepareCertifyDir(join(base, 'file'), uid), /not a directory/);
  await t.rejects(prepareCertifyDir(join(base, 'no', 'such'), uid), /does not exist/);
  await mkdir(join(base, 'shared'));
  await chmod(join(base, 'shared'), 0o777);
  await t.rejects(prepareCertifyDir(join(base, 'shared', 'mine'), uid), /writable by other users and not sticky/, 'reached through a directory others can change');
  await t.rejects(prepareCertifyDir('/proc/ocicomply', uid), /proc filesystem/);
});
