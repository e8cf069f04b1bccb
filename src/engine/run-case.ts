/**
 * Runs one case from start to end: writes its bundles, performs its steps,
 * turns assertions into one verdict per requirement, and always tears down
 * every container it created.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { cgroupMounts } from '../host/cgroups.js';
import { dirname, join } from 'node:path';
import { harnessFaultOf, HarnessFaultError, type HarnessFault } from '../util/harness-fault.js';
import { pollUntil } from '../util/poll.js';
import { baseConfig, mergeConfig, withHarnessPieces } from '../bundle/config.js';
import { type Profile, profileBase } from '../bundle/profile.js';
import { rootfsOf, writeBundle } from '../bundle/write.js';
import type { Case, Step } from '../cases/types.js';
import type { CheckRegistry } from './check.js';
import { runCheck } from './run-check.js';
import { followsFrom } from './follows-from.js';
import type { CallRecord, CaseResult, CgroupMode, FailedCall, HostFacts, RequirementResult } from '../results.js';
import { caseTokens, missingFact, resolveCase } from '../cases/host-tokens.js';
import type { RuntimeDriver } from '../runtime/driver.js';
import type { ProcessIdentity } from '../host/proc.js';
import { inRange } from '../spec/version.js';
import { readConfig } from '../spec/config.js';
import { IN_CONTAINER } from '../bundle/config.js';
import type { Container, Timing } from './context.js';
import { CaseAborted, CaseContext } from './context.js';
import { editConfig, runOp } from './ops.js';
import { startHolders, stopHolders, withJoinPaths, type NamespaceHolder } from './ns-holder.js';

/** What a container leaves for the run to record (in its journal) and to remove. */
export interface ContainerTrace {
  readonly id: string;
  readonly cgroupsPath: string;
  /** Cgroup directories the harness itself made for the container (a seeded parent). */
  readonly harnessCgroups?: readonly string[];
  readonly process?: ProcessIdentity | undefined;
  /** Cgroup directories observed for the container's process. */
  readonly cgroupDirs?: readonly string[];
}

/** What the engine needs of the run's workspace (the run provides it: src/run/workspace.ts). */
export interface CaseWorkspace {
  readonly dir: string;
  /** A short directory for Unix sockets. */
  readonly socketDir: string;
  nextContainer(): { id: string; cgroupsPath: string };
  caseDir(caseId: string): Promise<string>;
  removeCaseDir(path: string): Promise<void>;
  /** Records a container before it is handed to create, so a killed run's leftovers can be found. */
  journal(entry: ContainerTrace): Promise<void>;
}

export interface CaseEnvironment {
  readonly driver: RuntimeDriver;
  readonly workspace: CaseWorkspace;
  /** Removes a container and all it left (the run's teardown, bound to its driver and deadlines); returns what could not be removed. */
  readonly teardown: (c: ContainerTrace) => Promise<string[]>;
  readonly probeBinary: string;
  readonly timing: Timing;
  /** The spec version whose expectations apply. */
  readonly specVersion: string;
  /** The ociVersion written into every config.json. */
  readonly configOciVersion: string;
  /** The profile whose patch lies between the base config and the case's config. */
  readonly profile?: Profile;
  /** Aborted on SIGINT/SIGTERM: the case stops, its teardown still runs. */
  readonly signal: AbortSignal;
  /** The runtime's `features` document, or null when it has none. */
  readonly features: Readonly<Record<string, unknown>> | null;
  /** The `features` call the run made once, before the cases (the feature checks judge its output). */
  readonly featuresCall?: CallRecord;
  readonly host: HostFacts;
  /** The checks a case's steps name (the loader has validated each step's parameters against them). */
  readonly checks: CheckRegistry;
}

/** The directories whose files are the harness's own: an access error there is a harness fault. */
export function ownDirs(env: Pick<CaseEnvironment, 'workspace' | 'probeBinary'>): string[] {
  return [env.workspace.dir, env.workspace.socketDir, dirname(env.probeBinary)];
}

export async function runCase(written: Case, env: CaseEnvironment): Promise<CaseResult> {
  const started = performance.now();
  const skip = caseSkipReason(written, env);
  if (skip !== undefined) {
    return finish(written, started, written.requirements.map((r) => ({ case: written.id, requirement: r.id, level: r.level, status: 'skip', message: skip })), [], []);
  }
  const testCase = resolveCase(written, env.host);
  const applicable = testCase.requirements.filter((r) => inRange(env.specVersion, r.versions));
  if (applicable.length === 0) {
    return finish(testCase, started, verdicts(testCase, env.specVersion, [], new Map(), undefined), [], []);
  }

  const dir = await env.workspace.caseDir(testCase.id);
  let containers: Map<string, Container>;
  const holders: NamespaceHolder[] = [];
  try {
    containers = await prepareContainers(testCase, env, dir, holders);
  } catch (e) {
    await stopHolders(holders);
    await env.workspace.removeCaseDir(dir);
    throw e;
  }
  const journal = async (c: Container): Promise<void> =>
    env.workspace.journal({ id: c.id, cgroupsPath: cgroupsPathOf(c), harnessCgroups: c.harnessCgroups, ...(c.process ? { process: c.process } : {}) });
  const ctx = new CaseContext(testCase, containers, env.driver, env.timing, env.specVersion, env.signal, journal, env.featuresCall);

  let abort: Abort | undefined;
  let fault: HarnessFault | undefined;
  try {
    for (const step of testCase.steps) {
      ctx.currentStep = step;
      if (env.signal.aborted) throw new CaseAborted('the run was interrupted');
      if (step.kind === 'op') await runOp(ctx, step);
      else if (step.kind === 'edit-config') await editConfig(ctx, step);
      else await runCheck(ctx, step, env.checks.get(step.check)!, { specVersion: env.specVersion, host: env.host });
    }
  } catch (e) {
    fault = harnessFaultOf(e, ownDirs(env));
    const reason = e instanceof CaseAborted ? e.message : `internal error in step ${ctx.currentStep?.index ?? '?'}: ${(e as Error).stack ?? String(e)}`;
    const call = e instanceof CaseAborted ? e.call : ctx.relevantCall();
    abort = { reason, atStep: ctx.currentStep?.index ?? 0, ...(call ? { call } : {}) };
  }

  const cleanupProblems: string[] = [];
  // Containers sharing an id are torn down one after the other, never concurrently.
  const byId = new Map<string, Container[]>();
  for (const c of containers.values()) if (c.bundleFingerprint !== undefined || c.harnessCgroups.length > 0) byId.set(c.id, [...(byId.get(c.id) ?? []), c]);
  await Promise.all([...byId.values()].map(async (group) => {
    for (const c of group) {
      // Record the process for a run killed during teardown, then remove everything.
      if (c.process) await journal(c);
      cleanupProblems.push(...(await env.teardown({ id: c.id, cgroupsPath: cgroupsPathOf(c), process: c.process, cgroupDirs: c.cgroupDirs, harnessCgroups: c.harnessCgroups })));
    }
  }));
  await Promise.all([...containers.values()].flatMap((c) => [stopHelper(c.agent), stopHelper(c.console?.receiver)]));
  await Promise.all([...containers.values()].map((c) => (c.console ? rm(c.console.socket, { force: true }) : undefined)));
  // After the containers: a held pid namespace takes every process in it along when its holder goes.
  await stopHolders(holders);
  await env.workspace.removeCaseDir(dir);
  // The harness's own I/O failed: nothing the case saw is a verdict, and the suite stops.
  if (fault) throw new HarnessFaultError(fault);
  // An interrupted case saw its calls cut short: nothing it observed is a verdict.
  const results = env.signal.aborted
    ? testCase.requirements.map((r): RequirementResult => ({ case: testCase.id, requirement: r.id, level: r.level, status: 'skip', message: 'not judged: the run was interrupted' }))
    : verdicts(testCase, env.specVersion, ctx.assertions, ctx.skipped, abort);
  return finish(testCase, started, results, ctx.calls, cleanupProblems, ctx.observations);
}

/**
 * Why the whole case is skipped before anything runs (its scenario belongs to
 * other spec versions, a need the runtime or the host does not meet, a host
 * fact it names that this host lacks), or undefined when it runs.
 */
export function caseSkipReason(testCase: Case, env: Pick<CaseEnvironment, 'specVersion' | 'features' | 'host'>): string | undefined {
  if (testCase.versions !== undefined && !inRange(env.specVersion, testCase.versions)) {
    return `the scenario belongs to spec ${testCase.versions}; the target is ${env.specVersion}`;
  }
  return unmetNeed(testCase, env.features, env.host) ?? missingFact(caseTokens(testCase), env.host);
}

/** The first need the runtime's features document or the host does not meet, as a skip reason. */
function unmetNeed(testCase: Case, features: Readonly<Record<string, unknown>> | null, host: HostFacts): string | undefined {
  for (const need of testCase.needs) {
    if ('cgroup' in need) {
      if (!need.cgroup.includes(host.cgroup)) return `needs a ${need.cgroup.join(' or ')} cgroup host; this one is ${host.cgroup}`;
      continue;
    }
    if ('controller' in need) {
      const name = host.cgroup === 'v2' && need.controller === 'blkio' ? 'io' : need.controller;
      if (!host.controllers.includes(name)) return `needs the ${name} cgroup controller; this ${host.cgroup} host offers ${host.controllers.join(', ') || 'none'}`;
      continue;
    }
    if ('host' in need) {
      if (!host.security?.linux32Machine) return 'needs a machine known to run 32-bit programs (the LINUX32 personality); this one is not';
      continue;
    }
    if ('supported' in need) {
      if (featureAt(features, need.supported) === false) return `the runtime's features say it does not support this (${need.supported} is false)`;
      continue;
    }
    if (!features) return `needs the runtime's features document (${need.feature} including ${need.includes}); the runtime has no features command`;
    const at = featureAt(features, need.feature);
    if (!Array.isArray(at)) return `the runtime's features document has no ${need.feature}`;
    if (!at.includes(need.includes)) return `the runtime's features do not list ${need.includes} in ${need.feature}`;
  }
  return undefined;
}

/** The value at a dotted path of the features document (undefined: no document, or nothing there). */
function featureAt(features: Readonly<Record<string, unknown>> | null, path: string): unknown {
  let at: unknown = features ?? undefined;
  for (const key of path.split('.')) at = at && typeof at === 'object' ? (at as Record<string, unknown>)[key] : undefined;
  return at;
}

/**
 * Runs the probe's seccomp agent for a container and waits until it accepts
 * connections. It dies with the harness (PR_SET_PDEATHSIG) and by its own
 * deadline, so not even a run killed with SIGKILL leaves it behind.
 */
async function startAgent(c: Container, socket: string, answer: number, env: CaseEnvironment): Promise<void> {
  c.agent = await startHelper(env, ['seccomp-agent', socket, c.paths.agentLog, '--answer', String(answer)], c.paths.agentLog, `the seccomp agent did not start listening on ${socket}`);
}

/**
 * Runs one of the probe's host helpers (seccomp-agent, console-receiver) and
 * waits until its log says it listens. Its deadline is six call deadlines.
 */
async function startHelper(env: CaseEnvironment, args: readonly string[], log: string, notListening: string): Promise<ChildProcess> {
  const timeoutMs = env.timing.callTimeoutMs * 6;
  const child = spawn(env.probeBinary, [...args, '--timeout-ms', String(timeoutMs)], { stdio: 'ignore' });
  const listening = await pollUntil(async () => ((await readFile(log, 'utf8').catch(() => '')).includes('"listening"') ? true : undefined),
    { timeoutMs: env.timing.waitTimeoutMs });
  if (!listening) {
    await stopHelper(child);
    throw new Error(notListening);
  }
  return child;
}

/**
 * With process.terminal true, the caller must receive the terminal's
 * controller (command line interface, create --console-socket): the probe's
 * console receiver listens on a socket of the run's own, and the program is
 * told to write a marker on its stdout, which must come out of the controller.
 */
async function startConsole(c: Container, socket: string, marker: string, env: CaseEnvironment): Promise<void> {
  // Beside the bundle, not in the directory the container shares: the program cannot write what the receiver saw.
  const log = join(dirname(c.paths.shared), 'console.log');
  const receiver = await startHelper(env, ['console-receiver', socket, log], log, `the console receiver did not start listening on ${socket}`);
  c.console = { socket, log, marker, receiver };
}

/** The probe's own args with the console marker added (a case that runs something else gets none). */
function withMarker(config: Record<string, unknown>, marker: string): Record<string, unknown> {
  const args = readConfig(config).process?.args;
  if (!args || args[0] !== IN_CONTAINER.probe || args[1] !== 'run') return config;
  return mergeConfig(config, { process: { args: [...args.slice(0, 2), '--say', marker, ...args.slice(2)] } });
}

async function stopHelper(helper: ChildProcess | undefined): Promise<void> {
  if (!helper || helper.exitCode !== null || helper.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => helper.once('exit', () => resolve()));
  helper.kill('SIGKILL');
  await exited;
}

/**
 * Creates a parent cgroup and writes the seed values into it: on v2 in the
 * unified hierarchy (with the controllers the files belong to enabled for
 * children), on v1 and hybrid hosts in the hierarchy of each file's controller.
 */
export async function seedParent(
  name: string, seeds: NonNullable<Case['cgroupParent']>, mode: CgroupMode, record: (dirs: string[]) => Promise<void>,
): Promise<{ name: string; dirs: string[] }> {
  const v2 = mode === 'v2';
  const values = Object.entries(seeds[v2 ? 'v2' : 'v1']);
  const mounts = await cgroupMounts();
  const planned = values.map(([file, value]) => {
    const controller = file.split('.')[0]!;
    const mount = v2 ? mounts.find((m) => m.version === 2) : mounts.find((m) => m.version === 1 && m.controllers.includes(controller));
    if (!mount) throw new Error(`no cgroup hierarchy with the ${controller} controller to seed ${file} in`);
    return { file, value, controller, dir: join(mount.mountPoint, name) };
  });
  const dirs = [...new Set(planned.map((p) => p.dir))];
  // Journalled before any is made: a run killed (or failing) from here on leaves nothing teardown and clean cannot find.
  await record(dirs);
  for (const { file, value, controller, dir } of planned) {
    await mkdir(dir, { recursive: true });
    if (v2) await writeFile(join(dir, 'cgroup.subtree_control'), `+${controller}`);
    await writeFile(join(dir, file), value);
  }
  return { name, dirs };
}

function cgroupsPathOf(c: Container): string {
  return readConfig(c.config).linux?.cgroupsPath ?? `/${c.id}`;
}

async function prepareContainers(testCase: Case, env: CaseEnvironment, dir: string, holders: NamespaceHolder[]): Promise<Map<string, Container>> {
  const ids = new Map<string, string>();
  const out = new Map<string, Container>();
  // Containers that borrow an id come after the one they borrow from.
  const specs = [...testCase.containers.values()].sort((a, b) => Number(a.idOf !== undefined) - Number(b.idOf !== undefined));
  for (const spec of specs) {
    const fresh = env.workspace.nextContainer();
    const id = spec.idOf !== undefined ? ids.get(spec.idOf)! : fresh.id;
    ids.set(spec.alias, id);
    const sharedDir = join(dir, spec.alias, 'shared');
    // A seeded parent (or, for `nested`, one the runtime makes) lies above the container's own cgroup.
    const parentName = `${fresh.id}-parent`;
    const cgroupsPath = testCase.cgroupParent || testCase.cgroupsPath === 'nested' ? `/${parentName}${fresh.cgroupsPath}`
      : testCase.cgroupsPath === 'relative' ? fresh.cgroupsPath.slice(1) : fresh.cgroupsPath;
    const parent = testCase.cgroupParent
      ? await seedParent(parentName, testCase.cgroupParent, env.host.cgroup, (harnessCgroups) => env.workspace.journal({ id, cgroupsPath, harnessCgroups }))
      : undefined;
    const base = baseConfig({
      ociVersion: env.configOciVersion, sharedDir, cgroupsPath, program: spec.program, token: fresh.id,
      hooks: spec.hooks, hookPaths: { hostProbe: env.probeBinary, hostLog: join(sharedDir, 'hooks.log') }, specVersion: env.specVersion,
      cgroupMount: testCase.mountCgroup,
    });
    let config = spec.whole ? withHarnessPieces(spec.config, { sharedDir, cgroupsPath, program: spec.program }) : mergeConfig(env.profile ? profileBase(base, env.profile) : base, spec.config);
    if (testCase.rootPath === 'absolute') config = mergeConfig(config, { root: { path: rootfsOf(join(dir, spec.alias)) } });
    // A Unix socket path fits in 108 bytes: the agent's lives in the run's short socket directory, whatever --work-dir is.
    const agentSocket = join(env.workspace.socketDir, `${fresh.id}.sock`);
    if (spec.seccompAgent) config = mergeConfig(config, { linux: { seccomp: { listenerPath: agentSocket, listenerMetadata: fresh.id } } });
    const terminal = readConfig(config).process?.terminal === true;
    const marker = `ocicomply-console-marker-${fresh.id}`;
    if (terminal) config = withMarker(config, marker);
    const held = await startHolders(spec.joinNamespaces, config, env.probeBinary, env.timing.waitTimeoutMs, holders);
    if (held.length > 0) config = withJoinPaths(config, held);
    const copies = testCase.probeCopies ?? [];
    const written = await writeBundle(join(dir, spec.alias), config, env.probeBinary,
      spec.whole ? { dirs: spec.whole.dirs, openShared: true, probeCopies: copies } : copies.length > 0 ? { dirs: [], openShared: false, probeCopies: copies } : undefined);
    const c: Container = {
      spec, id, config, createdOk: false, deleted: false, cgroupDirs: [], harnessCgroups: parent?.dirs ?? [], holders: held,
      paths: {
        bundle: written.bundle, shared: written.shared, probeInRootfs: written.probeInRootfs,
        report: join(written.shared, 'report.json'), signals: join(written.shared, 'signals'), hookLog: join(written.shared, 'hooks.log'), actions: join(written.shared, 'actions'),
        agentLog: join(written.shared, 'agent.log'),
      },
    };
    out.set(spec.alias, c);
    try {
      if (spec.seccompAgent) await startAgent(c, agentSocket, spec.seccompAgent.answer, env);
      if (terminal) await startConsole(c, join(env.workspace.socketDir, `${fresh.id}.tty.sock`), marker, env);
    } catch (e) {
      // No container was created yet: the helpers already running are all there is to stop.
      await Promise.all([...out.values()].flatMap((x) => [stopHelper(x.agent), stopHelper(x.console?.receiver)]));
      throw e;
    }
  }
  return out;
}

function verdicts(
  testCase: Case,
  specVersion: string,
  assertions: CaseContext['assertions'],
  skipped: ReadonlyMap<string, string>,
  abort: Abort | undefined,
): RequirementResult[] {
  const causes = followsFrom(assertions);
  return testCase.requirements.map((r): RequirementResult => {
    const base = { case: testCase.id, requirement: r.id, level: r.level };
    if (!inRange(specVersion, r.versions)) {
      return { ...base, status: 'skip', message: `applies to spec ${r.versions}; the target is ${specVersion}` };
    }
    const mine = assertions.filter((a) => a.requirement === r.id);
    const failed = mine.filter((a) => !a.ok);
    const first = failed[0];
    if (first) {
      const cause = causes.get(r.id);
      return { ...base, status: 'fail', message: joinMessages(failed), expected: first.expected, actual: first.actual, ...failedCall(first.call), ...(cause ? { followsFrom: cause } : {}) };
    }
    const skip = skipped.get(r.id);
    if (skip !== undefined) return { ...base, status: 'skip', message: skip };
    // A requirement that a step after the abort would have judged has only part of its evidence: never a pass.
    if (abort && testCase.steps.some((s) => s.index >= abort.atStep && judges(s, r.id))) {
      return { ...base, status: 'fail', message: `not judged to the end: ${abort.reason}`, ...failedCall(abort.call) };
    }
    if (mine.length === 0) return { ...base, status: 'fail', message: 'no step judged this requirement', ...failedCall(abort?.call) };
    return { ...base, status: 'pass', message: joinMessages(mine) };
  });
}

/**
 * The assertions' messages, each once; when more than one step judged the
 * requirement, each message says which step it came from.
 */
export function joinMessages(assertions: readonly Pick<CaseContext['assertions'][number], 'message' | 'step'>[]): string {
  const steps = new Set(assertions.map((a) => a.step));
  const lines = assertions.map((a) => (steps.size > 1 && a.step !== undefined ? `step ${a.step}: ${a.message}` : a.message));
  return [...new Set(lines)].join('; ');
}

interface Abort {
  readonly reason: string;
  /** The step that could not complete (0 when none had begun). */
  readonly atStep: number;
  /** The runtime call that stopped the case, or the last relevant one before it. */
  readonly call?: CallRecord;
}

/** The part of a call record a failure carries into the results (stdout and timing stay with the case). */
function failedCall(call: CallRecord | undefined): { call?: FailedCall } {
  if (!call) return {};
  const { argv, exitCode, signal, timedOut, stderr } = call;
  return { call: { argv, exitCode, signal, timedOut, stderr } };
}

function judges(step: Step, requirement: string): boolean {
  return step.requirements.includes(requirement) || (step.kind === 'op' && (step.noEffect.includes(requirement) || step.exitStatus.includes(requirement)));
}

function finish(testCase: Case, started: number, results: RequirementResult[], calls: CaseResult['calls'], cleanupProblems: string[], observations: CaseResult['observations'] = []): CaseResult {
  return {
    case: testCase.id, file: testCase.file, summary: testCase.summary, results, calls,
    durationMs: Math.round(performance.now() - started), cleanupProblems, ...(observations.length ? { observations } : {}),
  };
}
