/**
 * What teardown cannot remove is never silent: it is in every report, the
 * run exits 3 and keeps its directory (journal and the runtime's root), and
 * `ocicomply clean` removes it afterwards. An interrupted teardown keeps the
 * directory too.
 */
import t from 'tap';
import { execFileSync, type ChildProcess } from 'node:child_process';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunDocument } from '../src/results.js';
import { freshDir, onPath, RUNTIMES, start, waitFor } from './helpers/suite.js';
import { cgroupDirs, probeProcesses } from './helpers/leftovers.js';

const skip = onPath('runc') ? false : 'runc is not on PATH';
const BROKEN = join(RUNTIMES, 'broken');

const runDirs = async (work: string): Promise<string[]> => (await readdir(work).catch(() => [])).filter((n) => n.startsWith('run-'));

/** Containers the runtime knows in a run directory's root. */
function known(root: string): string[] {
  try {
    return execFileSync('runc', ['--root', root, 'list', '-q'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

/** Alive and not a zombie. */
async function alive(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  return stat !== '' && !/\) [ZX] /.test(stat);
}

/** Processes whose command line names `dir`: runtime calls (`--root DIR/...`) still under way after their run left. */
async function processesNaming(dir: string): Promise<number[]> {
  const out: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const cmd = await readFile(`/proc/${name}/cmdline`, 'utf8').catch(() => '');
    if (cmd.includes(dir) && (await alive(Number(name)))) out.push(Number(name));
  }
  return out;
}

/** `ocicomply clean` with runc removes the kept run and leaves nothing at all. */
async function cleanRemovesEverything(t: Tap, work: string, runs = 1): Promise<void> {
  const r = await start(['clean', '--runtime', 'runc', '--work-dir', work]).done;
  t.equal(r.code, 0, `clean succeeds (${r.stderr.trim()})`);
  t.match(r.stdout, new RegExp(`^${runs} stale run\\(s\\) cleaned`), 'clean found the kept run directories');
  t.same(await runDirs(work), [], 'no run directory is left');
  t.same(await cgroupDirs(), [], 'no ocicomply cgroup directory is left');
  t.same(await probeProcesses(), [], 'no container process is left');
}

type Tap = Parameters<Parameters<typeof t.test>[1]>[0];

/** Whatever a failed assertion left: the test's own containers and directories. */
function cleanUpAfter(t: Tap, dir: string, work: string, child?: ChildProcess): void {
  t.teardown(async () => {
    // A run a failed assertion left running would go on making containers after the clean.
    if (child?.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('close', r));
      process.kill(-child.pid!, 'SIGKILL');
      await exited;
    }
    await start(['clean', '--runtime', 'runc', '--work-dir', work]).done;
    await rm(dir, { recursive: true, force: true });
  });
}

t.test('a runtime whose delete fails: the run reports the leftover, exits 3, keeps its directory for clean', { skip }, async (t) => {
  const dir = await freshDir('left');
  const work = join(dir, 'work');
  cleanUpAfter(t, dir, work);
  const json = join(dir, 'r.json');
  const junit = join(dir, 'r.xml');
  const only = ['--only', 'lifecycle/create-start', '--work-dir', work];

  const tap = await start(['run', '--runtime', join(BROKEN, 'delete-fails'), '--reporter', 'tap', '--json', json, '--junit', junit, ...only]).done;
  t.equal(tap.code, 3, 'exit status 3: the run left something behind');
  const doc = JSON.parse(await readFile(json, 'utf8')) as RunDocument;
  const left = doc.leftovers ?? [];
  t.ok(left.some((l) => l.case === 'lifecycle/create-start' && /still known to the runtime/.test(l.what)), 'the results document names the case and what it left');
  t.ok(left.some((l) => l.case === null && /probe container/.test(l.what)), 'and what the probe container before the cases left');
  t.match(tap.stdout, /^# left behind: lifecycle\/create-start: container ocicomply-\S+ is still known/m, 'TAP says it');
  const points = tap.stdout.split('\n').filter((l) => /^(not )?ok \d+/.test(l)).length;
  t.equal(points, doc.summary.pass + doc.summary.fail + doc.summary.skip, 'TAP counts the same points as the summary');
  const xml = await readFile(junit, 'utf8');
  t.match(xml, /<testsuite name="lifecycle\/create-start"[^]*?<system-err>cleanup: container ocicomply-/, "JUnit has it in the case's system-err");
  t.match(xml, /<testsuite name="left-behind" tests="0"[^>]*>\s*<system-err>cleanup: probe container/, 'and what the run itself left in a testsuite of its own');
  t.match(tap.stderr, /kept \S+run-\S+ for `ocicomply clean`/, 'stderr says the run directory is kept');

  const human = await start(['run', '--runtime', join(BROKEN, 'delete-fails'), '--reporter', 'human', ...only]).done;
  t.equal(human.code, 3, 'exit status 3 with the human report too');
  t.match(human.stdout, /Left behind \(could not be removed; `ocicomply clean` removes it\):\n(\s+\S.*\n)*?\s+lifecycle\/create-start: container ocicomply-/, 'the human summary has a section for it');

  const runs = await runDirs(work);
  // The second run tried the first one's with its own runtime, which cannot delete either.
  t.equal(runs.length, 2, 'both runs kept their directories');
  for (const run of runs) {
    t.ok((await readFile(join(work, run, 'journal'), 'utf8')).length > 0, `${run} keeps its journal`);
    t.ok(known(join(work, run, 'root')).length > 0, `${run} keeps the runtime's root with the containers it knows`);
  }
  await cleanRemovesEverything(t, work, 2);
});

t.test("a process the runtime leaves in a container's cgroups is killed and the cgroups removed", { skip }, async (t) => {
  const dir = await freshDir('leftproc');
  const work = join(dir, 'work');
  const pidFile = join(dir, 'pids');
  const pids = async (): Promise<number[]> => (await readFile(pidFile, 'utf8').catch(() => '')).split('\n').filter(Boolean).map(Number);
  t.teardown(async () => {
    for (const pid of await pids()) if (await alive(pid)) process.kill(pid, 'SIGKILL');
  });
  cleanUpAfter(t, dir, work);
  const json = join(dir, 'r.json');
  const r = await start(['run', '--runtime', join(BROKEN, 'delete-leaves-process'), '--reporter', 'tap', '--json', json, '--only', 'delete/stopped', '--work-dir', work],
    { OCICOMPLY_TEST_PIDFILE: pidFile }).done;
  const doc = JSON.parse(await readFile(json, 'utf8')) as RunDocument;
  t.same(doc.leftovers, [], 'nothing was left behind');
  t.not(r.code, 3, 'the exit status does not say so');
  const started = await pids();
  t.ok(started.length >= 2, `the runtime left processes in the cgroups (${started.length})`);
  for (const pid of started) t.notOk(await alive(pid), `process ${pid} was killed`);
  t.same(await cgroupDirs(), [], 'no ocicomply cgroup directory is left');
  t.same(await runDirs(work), [], 'the run directory was removed');
});

t.test('Ctrl-C during teardown: the second says it is still going, the third leaves at once keeping the journal', { skip }, async (t) => {
  const dir = await freshDir('ctrlc');
  const work = join(dir, 'work');
  const deletes = join(dir, 'deletes');
  const { child, done } = start(['run', '--runtime', join(BROKEN, 'delete-slow'), '--reporter', 'tap', '--jobs', '1', '--only', 'lifecycle', '--work-dir', work],
    { OCICOMPLY_TEST_DELETES: deletes });
  cleanUpAfter(t, dir, work, child);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  // A case deletes its container (the first delete is the probe container's before the cases):
  // cut short or not, the teardown after the signal waits for a slow delete.
  await waitFor("a case's delete", async () => ((await readFile(deletes, 'utf8').catch(() => '')).split('\n').filter(Boolean).length >= 2 ? true : undefined), 60_000);
  // As a terminal does: the whole process group (launcher, subreaper, harness) at once.
  const ctrlC = (): void => process.kill(-child.pid!, 'SIGINT');
  ctrlC();
  await waitFor('the first message', async () => (/stopping, removing every container/.test(stderr) ? true : undefined));
  t.notMatch(stderr, /still removing/, 'one Ctrl-C counts once, though the run hears it up to three times');
  // Pressed again until heard as a second press (signals close together are one press).
  await waitFor('the second message', async () => {
    if (/still removing the containers/.test(stderr)) return true;
    ctrlC();
    await new Promise((r) => setTimeout(r, 200));
    return undefined;
  });
  t.notMatch(stderr, /leaving now/, 'the second press does not leave');
  await waitFor('the third message', async () => {
    if (/leaving now/.test(stderr)) return true;
    ctrlC();
    await new Promise((r) => setTimeout(r, 200));
    return undefined;
  });
  const r = await done;
  t.equal(r.code, 130, `exit status 130 (${stderr.trim()})`);
  const runs = await runDirs(work);
  t.equal(runs.length, 1, 'the run directory is kept');
  t.match(stderr, new RegExp(`kept \\S+${runs[0]}`), 'and named');
  t.ok((await readFile(join(work, runs[0]!, 'journal'), 'utf8')).length > 0, 'with its journal');
  // The delete under way when the run left goes on by itself; clean must not race it.
  await waitFor('the runtime calls under way to end', async () => ((await processesNaming(work)).length === 0 ? true : undefined));
  await cleanRemovesEverything(t, work);
});
