/**
 * Runs ocicomply the way a user does (bin/ocicomply.js, so through the
 * subreaper) and collects what it produced.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { execFileSync } from 'node:child_process';
import type { RunDocument } from '../../src/results.js';
import { cgroupDirs } from './leftovers.js';
import { findVmHost } from '../../src/vm/host.js';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const BIN = join(ROOT, 'bin', 'ocicomply.js');
export const RUNTIMES = join(ROOT, 'test', 'runtimes');

export interface Outcome {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly doc: RunDocument | undefined;
}

export function onPath(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export async function freshDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `ocicomply-test-${prefix}-`));
}

/** The environment a user would have: without the test runner's loader hooks and settings. */
export function userEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_OPTIONS' && !k.startsWith('TAP') && !k.startsWith('_TAPJS')));
  return { ...env, ...extra };
}

export function start(args: readonly string[], env: NodeJS.ProcessEnv = {}): { child: ChildProcess; done: Promise<Omit<Outcome, 'doc'>> } {
  // Through env(1): the test runner re-injects its loader into node children it spawns.
  // A test's own NODE_OPTIONS (a module loaded with --import) is set again after it is dropped.
  const own = env['NODE_OPTIONS'] === undefined ? [] : [`NODE_OPTIONS=${env['NODE_OPTIONS']}`];
  const child = spawn('/usr/bin/env', ['-u', 'NODE_OPTIONS', ...own, process.execPath, BIN, ...args], { cwd: ROOT, env: userEnv(env), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<Omit<Outcome, 'doc'>>((res) => child.on('close', (code, signal) => res({ code, signal, stdout, stderr })));
  return { child, done };
}

/** A VM run's deadline: well inside a test file's time limit. */
const VM_DEADLINE = ['--vm-timeout', '300000'];

/**
 * A whole run with --json; the work dir is the test's own and is removed
 * afterwards. A VM run gets a deadline; an emulated guest whose kernel locked
 * up (the run stops with "no sign of life") is booted once more, and `note`
 * hears of it so the test's output says so.
 */
export async function run(runtime: string, extra: readonly string[] = [], note?: (message: string) => void, env: NodeJS.ProcessEnv = {}): Promise<Outcome> {
  if (!extra.includes('--vm')) return runOnce(runtime, extra, env);
  const args = extra.includes('--vm-timeout') ? extra : [...extra, ...VM_DEADLINE];
  const first = await runOnce(runtime, args);
  if (first.doc || !/gave no sign of life/.test(first.stderr)) return first;
  note?.(`the VM's guest stalled, booted once more; it said:\n${first.stderr.slice(-3000)}`);
  return runOnce(runtime, args);
}

export interface ManyOutcome extends Omit<Outcome, 'doc'> {
  /** Each runtime's results document, by name (the last part of its --runtime). */
  readonly docs: ReadonlyMap<string, RunDocument>;
}

/**
 * One run of several runtimes (--runtime repeated, --json-dir): with --vm one
 * guest boot serves them all. Otherwise as `run`.
 */
export async function runMany(runtimes: readonly string[], extra: readonly string[] = [], note?: (message: string) => void): Promise<ManyOutcome> {
  if (!extra.includes('--vm')) return runManyOnce(runtimes, extra);
  const args = extra.includes('--vm-timeout') ? extra : [...extra, ...VM_DEADLINE];
  const first = await runManyOnce(runtimes, args);
  if (first.docs.size > 0 || !/gave no sign of life/.test(first.stderr)) return first;
  note?.(`the VM's guest stalled, booted once more; it said:\n${first.stderr.slice(-3000)}`);
  return runManyOnce(runtimes, args);
}

/** `runMany`'s document of one runtime, as a one-runtime Outcome for the checks written for `run`. */
export function outcomeOf(many: ManyOutcome, runtime: string): Outcome {
  return { code: many.code, signal: many.signal, stdout: many.stdout, stderr: many.stderr, doc: many.docs.get(basename(runtime)) };
}

/** The case ids of "case requirement" strings (as `failures` gives them), each once. */
export function casesOf(failed: readonly string[]): string[] {
  return [...new Set(failed.map((f) => f.split(' ')[0]!))];
}

/**
 * A reference runtime on the cases `only` names and broken runtimes, each on
 * the cases that judge the rule it breaks, in one run (NAME:TERM terms).
 */
export async function runNarrowed(reference: string, only: readonly string[], broken: readonly { runtime: string; cases: readonly string[] }[], extra: readonly string[] = [], note?: (message: string) => void): Promise<ManyOutcome> {
  const terms = [...only.map((o) => `${basename(reference)}:${o}`), ...broken.flatMap((b) => b.cases.map((c) => `${basename(b.runtime)}:${c}`))];
  return runMany([reference, ...broken.map((b) => b.runtime)], ['--only', terms.join(','), ...extra], note);
}

/** The stderr of a run that wrote no results, for an assertion's diagnostics. */
export function whyNoResults(r: Outcome): { stderr?: string } {
  return r.doc ? {} : { stderr: r.stderr.slice(-4000) };
}

async function runManyOnce(runtimes: readonly string[], extra: readonly string[]): Promise<ManyOutcome> {
  const dir = await freshDir('run');
  try {
    const jsonDir = join(dir, 'json');
    await mkdir(jsonDir);
    const { done } = start(['run', ...runtimes.flatMap((r) => ['--runtime', r]), '--reporter', 'tap', '--json-dir', jsonDir, '--work-dir', join(dir, 'work'), ...extra]);
    const r = await done;
    const docs = new Map<string, RunDocument>();
    for (const name of await readdir(jsonDir)) docs.set(name.replace(/\.json$/, ''), JSON.parse(await readFile(join(jsonDir, name), 'utf8')) as RunDocument);
    await noLeftovers(dir);
    return { ...r, docs };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The checks after every run: its work dir is empty, and no cgroup named
 * like ours is left. Another run on the machine (another test file, another
 * checkout) may have containers at this moment; theirs go within seconds,
 * while a leak stays: only a directory still there after LEAK_MS counts.
 */
async function noLeftovers(dir: string): Promise<void> {
  const left = await readdir(join(dir, 'work')).catch(() => []);
  if (left.length > 0) throw new Error(`the run left ${left.join(', ')} in its work dir`);
  const seen = await cgroupDirs();
  const deadline = Date.now() + LEAK_MS;
  let kept = seen;
  while (kept.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    const now = new Set(await cgroupDirs());
    kept = seen.filter((d) => now.has(d));
  }
  if (kept.length > 0) throw new Error(`the run left cgroup directories: ${kept.slice(0, 5).join(', ')}`);
}

/** How long a cgroup directory named like ours must stay to count as left behind. */
const LEAK_MS = 15_000;

async function runOnce(runtime: string, extra: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Outcome> {
  const dir = await freshDir('run');
  try {
    const json = join(dir, 'results.json');
    const { done } = start(['run', '--runtime', runtime, '--reporter', 'tap', '--json', json, '--work-dir', join(dir, 'work'), ...extra], env);
    const r = await done;
    let doc: RunDocument | undefined;
    try {
      doc = JSON.parse(await readFile(json, 'utf8')) as RunDocument;
    } catch {
      doc = undefined;
    }
    await noLeftovers(dir);
    return { ...r, doc };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** "case requirement" for every failed result (any level). */
export function failures(doc: RunDocument | undefined): string[] {
  return (doc?.results ?? []).filter((r) => r.status === 'fail').map((r) => `${r.case} ${r.requirement}`).sort();
}

/** Why the VM tests cannot run here (runc, then what --vm needs), or false. */
export async function vmSkip(): Promise<string | false> {
  if (!onPath('runc')) return 'runc is not on PATH';
  const { host, missing } = await findVmHost();
  return host ? false : `no VM here: ${missing.map((m) => m.what).join(', ')}`;
}

/** Polls `probe` until it gives a value; throws, naming `what`, after `ms`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * One run with --json in a work dir of its own, the cases `only` names with
 * `args`. Unlike `run` it can run beside another, so it looks for leftovers
 * of its own run only: cgroup directories named after its containers' ids.
 */
export async function runAlone(runtime: string, only: readonly string[], args: readonly string[] = []): Promise<{ doc: RunDocument | undefined; left: string[]; why: { stderr?: string } }> {
  const dir = await freshDir('alone');
  try {
    const json = join(dir, 'results.json');
    const ended = await start(['run', '--runtime', runtime, '--reporter', 'tap', '--json', json, '--work-dir', join(dir, 'work'), ...args, '--only', only.join(',')]).done;
    const text = await readFile(json, 'utf8').catch(() => undefined);
    const runIds = new Set([...(text ?? '').matchAll(/ocicomply-([0-9a-f]{6})-\d+/g)].map((m) => m[1]!));
    const cgroups = (await cgroupDirs()).filter((d) => [...runIds].some((id) => d.includes(`ocicomply-${id}-`)));
    const work = await readdir(join(dir, 'work')).catch(() => []);
    // Without a document, how the run ended says why.
    const why = text === undefined ? { stderr: `exit ${String(ended.code)} ${ended.signal ?? ''}\n${ended.stderr.slice(-4000)}` } : {};
    return { doc: text === undefined ? undefined : JSON.parse(text) as RunDocument, left: [...work, ...cgroups], why };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
