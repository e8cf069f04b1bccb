/**
 * Runs ocicomply the way a user does (bin/ocicomply.js, so through the
 * subreaper) and collects what it produced.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
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

/** The stderr of a run that wrote no results, for an assertion's diagnostics. */
export function whyNoResults(r: Outcome): { stderr?: string } {
  return r.doc ? {} : { stderr: r.stderr.slice(-4000) };
}

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
    const left = await readdir(join(dir, 'work')).catch(() => []);
    if (left.length > 0) throw new Error(`the run left ${left.join(', ')} in its work dir`);
    // Tests run one at a time: any cgroup named like ours now is this run's leak.
    const cgroups = await cgroupDirs();
    if (cgroups.length > 0) throw new Error(`the run left cgroup directories: ${cgroups.slice(0, 5).join(', ')}`);
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
