/**
 * `run --certify DIR` and `verify DIR` end to end: one run of runc and crun
 * (`--only lifecycle,state`) writes a bundle per runtime, verify accepts
 * them, the two merge into one matrix with `report`, and copies tampered
 * with each way (a changed byte, a deleted file, an added file, a file
 * replaced by a symbolic link, results edited so the counts disagree) are
 * refused with exit 1. Bad --certify targets are refused before any
 * container (exit 2).
 */
import t from 'tap';
import { cp, mkdir, readFile, rm, symlink, unlink, writeFile, chmod, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { cgroupMode } from '../src/host/cgroups.js';
import { renderSums } from '../src/certify/checksums.js';
import { summarize, type RunDocument } from '../src/results.js';
import { sha256Hex } from '../src/util/sha256.js';
import { freshDir, onPath, RUNTIMES, start } from './helpers/suite.js';

const skip = !onPath('runc') ? 'runc is not on PATH' : !onPath('crun') ? 'crun is not on PATH' : process.getuid?.() !== 0 ? 'the runs need root' : false;

t.test('run --certify, verify, report', { skip }, async (t) => {
  const base = await freshDir('certify');
  t.teardown(() => rm(base, { recursive: true, force: true }));
  // On a hybrid host crun runs through a wrapper that hides the unified mount (see notes in test/runtimes).
  const crun = (await cgroupMode()) === 'hybrid' ? join(RUNTIMES, 'crun-hybrid') : 'crun';
  const crunName = crun === 'crun' ? 'crun' : 'crun-hybrid';
  const dir = join(base, 'bundles');
  const started = performance.now();
  const r = await start(['run', '--runtime', 'runc', '--runtime', crun, '--only', 'lifecycle,state', '--certify', dir, '--reporter', 'tap']).done;
  t.comment(`run of runc and crun with --certify: ${Math.round(performance.now() - started)} ms`);
  t.equal(r.code, 0, 'the run passes', { stderr: r.stderr.slice(-3000) });
  t.same((await readdir(dir)).sort(), [crunName, 'runc'].sort(), 'one directory per runtime');
  t.same((await readdir(join(dir, 'runc'))).sort(), ['README.md', 'SHA256SUMS', 'environment.json', 'junit.xml', 'report.html', 'results.json', 'summary.md', 'tap.log']);

  const verify = async (d: string) => start(['verify', d]).done;
  const whole = await verify(dir);
  t.equal(whole.code, 0, 'verify accepts both bundles', { stderr: whole.stderr });
  t.match(whole.stdout, /runc: 8 files; checksums and documents agree/);
  const one = await verify(join(dir, 'runc'));
  t.equal(one.code, 0, 'and one bundle alone');

  const doc = JSON.parse(await readFile(join(dir, 'runc', 'results.json'), 'utf8')) as RunDocument;
  const env = JSON.parse(await readFile(join(dir, 'runc', 'environment.json'), 'utf8'));
  t.equal(env.runtime.name, 'runc');
  t.equal(env.cases.digest, doc.run?.cases?.digest, 'the case digest is the run record\'s');
  t.equal(env.host.kernel.release, doc.host.kernel);
  t.same(env.options.only, ['lifecycle', 'state']);
  t.equal(env.profile.name, 'minimal');
  const tap = await readFile(join(dir, 'runc', 'tap.log'), 'utf8');
  t.match(tap, /^TAP version 13\n/, 'the TAP log, whatever the terminal showed');

  // The two bundles merge into one matrix.
  const report = await start(['report', join(dir, 'runc', 'results.json'), join(dir, crunName, 'results.json'), '--markdown', '-']).done;
  t.equal(report.code, 0, 'report merges the bundles', { stderr: report.stderr });
  t.match(report.stdout, /\| 1 \| runc version/);
  t.match(report.stdout, /\| 2 \| (crun-hybrid: )?crun version/);

  // Tampered copies, each refused with exit 1 and the reason.
  const copy = async (name: string): Promise<string> => {
    const d = join(base, name);
    await cp(join(dir, 'runc'), d, { recursive: true });
    return d;
  };
  const refused = async (name: string, d: string, why: RegExp): Promise<void> => {
    const v = await verify(d);
    t.equal(v.code, 1, `${name}: exit 1`);
    t.match(v.stderr, why, `${name}: says why`);
  };
  const byte = await copy('byte');
  const html = await readFile(join(byte, 'report.html'));
  html[100] = html[100]! ^ 1;
  await writeFile(join(byte, 'report.html'), html);
  await refused('a changed byte', byte, /report\.html: its SHA-256 is not the one SHA256SUMS lists/);
  const deleted = await copy('deleted');
  await unlink(join(deleted, 'environment.json'));
  await refused('a deleted file', deleted, /environment\.json is listed in SHA256SUMS but missing/);
  const added = await copy('added');
  await writeFile(join(added, 'notes.txt'), 'more\n');
  await refused('an added file', added, /notes\.txt is not listed in SHA256SUMS/);
  const linked = await copy('linked');
  await rm(join(linked, 'junit.xml'));
  await symlink(join(dir, 'runc', 'junit.xml'), join(linked, 'junit.xml'));
  await refused('a file replaced by a symbolic link', linked, /junit\.xml is a symbolic link \(not followed\)/);
  // Results edited so that one pass is a skip, the summary and SHA256SUMS made to match: only the counts tell.
  const edited = await copy('edited');
  const results = doc.results.map((x, i) => (i === 0 ? { ...x, status: 'skip' as const } : x));
  const text = `${JSON.stringify({ ...doc, results, summary: summarize(results) }, null, 2)}\n`;
  await writeFile(join(edited, 'results.json'), text);
  const sums = (await readFile(join(edited, 'SHA256SUMS'), 'utf8')).split('\n').filter(Boolean).map((l) => ({ sha256: l.slice(0, 64), name: l.slice(66) }));
  await writeFile(join(edited, 'SHA256SUMS'), renderSums(sums.map((s) => (s.name === 'results.json' ? { ...s, sha256: sha256Hex(text) } : s))));
  const v = await verify(edited);
  t.equal(v.code, 1, 'results whose counts disagree: exit 1');
  t.match(v.stderr, /tap\.log: "ok" points is \d+, the results document says \d+/, 'TAP disagrees');
  t.match(v.stderr, /junit\.xml: the sum of <testsuite skipped> is 0, the results document says 1/, 'JUnit disagrees');
  t.match(v.stderr, /summary\.md: pass is \d+, the results document says \d+/, 'the summary disagrees');
  t.notMatch(v.stderr, /SHA-256/, 'the checksums agree: only the counts tell');
});

t.test('bad --certify targets are refused before any container', { skip }, async (t) => {
  const base = await freshDir('certify-bad');
  t.teardown(() => rm(base, { recursive: true, force: true }));
  const full = join(base, 'full');
  await mkdir(full);
  await writeFile(join(full, 'x'), '');
  const open = join(base, 'open');
  await mkdir(open);
  await chmod(open, 0o777);
  await symlink(full, join(base, 'link'));
  for (const [target, why] of [[full, /is not empty/], [open, /is writable by every user/], [join(base, 'link'), /is a symbolic link/], [join(base, 'no', 'dir'), /does not exist/]] as const) {
    const r = await start(['run', '--runtime', 'runc', '--only', 'lifecycle/create-start', '--certify', target]).done;
    t.equal(r.code, 2, `${target}: exit 2`);
    t.match(r.stderr, why, 'one message says why');
    t.notMatch(r.stderr, /runtime 1 of|probe container/, 'nothing was run');
  }
  t.same(await readdir(full), ['x'], 'the non-empty directory is untouched');
  const inside = join(base, 'new');
  const r = await start(['run', '--runtime', 'runc', '--only', 'lifecycle/create-start', '--certify', inside, '--json', join(inside, 'r.json')]).done;
  t.equal(r.code, 2, '--json into the --certify directory: exit 2');
  t.match(r.stderr, /writes into the --certify directory/);
  await t.rejects(readdir(inside), /ENOENT/, 'the directory it made is removed again');
  const missing = await start(['verify', join(base, 'nowhere')]).done;
  t.equal(missing.code, 2, 'verify of a missing directory: exit 2');
  const linkVerify = await start(['verify', join(base, 'link')]).done;
  t.equal(linkVerify.code, 2, 'verify of a symbolic link: exit 2');
});
