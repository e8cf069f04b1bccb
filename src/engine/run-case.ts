/**
 * Runs one case from start to end: writes its bundles, performs its steps,
 * turns assertions into one verdict per requirement, and always tears down
 * every container it created.
 */
import { join } from 'node:path';
import { baseConfig, mergeConfig } from '../bundle/config.js';
import { writeBundle } from '../bundle/write.js';
import type { Case, Step } from '../cases/types.js';
import { CHECKS } from '../checks/index.js';
import type { CaseResult, RequirementResult } from '../results.js';
import type { RuntimeDriver } from '../runtime/driver.js';
import { teardown } from '../run/teardown.js';
import type { Workspace } from '../run/workspace.js';
import { inRange } from '../spec/version.js';
import type { Container, Timing } from './context.js';
import { CaseAborted, CaseContext } from './context.js';
import { editConfig, runOp } from './ops.js';

export interface CaseEnvironment {
  readonly driver: RuntimeDriver;
  readonly workspace: Workspace;
  readonly probeBinary: string;
  readonly timing: Timing;
  /** The spec version whose expectations apply. */
  readonly specVersion: string;
  /** The ociVersion written into every config.json. */
  readonly configOciVersion: string;
  /** Aborted on SIGINT/SIGTERM: the case stops, its teardown still runs. */
  readonly signal: AbortSignal;
}

export async function runCase(testCase: Case, env: CaseEnvironment): Promise<CaseResult> {
  const started = performance.now();
  const applicable = testCase.requirements.filter((r) => inRange(env.specVersion, r.versions));
  if (testCase.versions !== undefined && !inRange(env.specVersion, testCase.versions)) {
    const message = `the scenario belongs to spec ${testCase.versions}; the target is ${env.specVersion}`;
    return finish(testCase, started, testCase.requirements.map((r) => ({ case: testCase.id, requirement: r.id, level: r.level, status: 'skip', message })), [], []);
  }
  if (applicable.length === 0) {
    return finish(testCase, started, verdicts(testCase, env.specVersion, [], new Map(), undefined), [], []);
  }

  const dir = await env.workspace.caseDir(testCase.id);
  const containers = await prepareContainers(testCase, env, dir);
  const journal = async (c: Container): Promise<void> =>
    env.workspace.journal({ id: c.id, cgroupsPath: cgroupsPathOf(c), ...(c.process ? { process: c.process } : {}) });
  const ctx = new CaseContext(testCase, containers, env.driver, env.timing, env.specVersion, env.signal, journal);

  let abort: Abort | undefined;
  try {
    for (const step of testCase.steps) {
      ctx.currentStep = step;
      if (env.signal.aborted) throw new CaseAborted('the run was interrupted');
      if (step.kind === 'op') await runOp(ctx, step);
      else if (step.kind === 'edit-config') await editConfig(ctx, step);
      else await CHECKS.get(step.check)!.run(ctx, step, ctx.container(step.container));
    }
  } catch (e) {
    const reason = e instanceof CaseAborted ? e.message : `internal error in step ${ctx.currentStep?.index ?? '?'}: ${(e as Error).stack ?? String(e)}`;
    abort = { reason, atStep: ctx.currentStep?.index ?? 0 };
  }

  const cleanupProblems: string[] = [];
  // Containers sharing an id are torn down one after the other, never concurrently.
  const byId = new Map<string, Container[]>();
  for (const c of containers.values()) if (c.bundleFingerprint !== undefined) byId.set(c.id, [...(byId.get(c.id) ?? []), c]);
  await Promise.all([...byId.values()].map(async (group) => {
    for (const c of group) {
      // Record the process for a run killed during teardown, then remove everything.
      if (c.process) await journal(c);
      cleanupProblems.push(...(await teardown(env.driver, { id: c.id, cgroupsPath: cgroupsPathOf(c), process: c.process, cgroupDirs: c.cgroupDirs }, env.timing)));
    }
  }));
  await env.workspace.removeCaseDir(dir);
  // An interrupted case saw its calls cut short: nothing it observed is a verdict.
  const results = env.signal.aborted
    ? testCase.requirements.map((r): RequirementResult => ({ case: testCase.id, requirement: r.id, level: r.level, status: 'skip', message: 'not judged: the run was interrupted' }))
    : verdicts(testCase, env.specVersion, ctx.assertions, ctx.skipped, abort);
  return finish(testCase, started, results, ctx.calls, cleanupProblems);
}

function cgroupsPathOf(c: Container): string {
  const linux = c.config['linux'] as { cgroupsPath?: string } | undefined;
  return linux?.cgroupsPath ?? `/${c.id}`;
}

async function prepareContainers(testCase: Case, env: CaseEnvironment, dir: string): Promise<Map<string, Container>> {
  const ids = new Map<string, string>();
  const out = new Map<string, Container>();
  // Containers that borrow an id come after the one they borrow from.
  const specs = [...testCase.containers.values()].sort((a, b) => Number(a.idOf !== undefined) - Number(b.idOf !== undefined));
  for (const spec of specs) {
    const fresh = env.workspace.nextContainer();
    const id = spec.idOf !== undefined ? ids.get(spec.idOf)! : fresh.id;
    ids.set(spec.alias, id);
    const sharedDir = join(dir, spec.alias, 'shared');
    const base = baseConfig({
      ociVersion: env.configOciVersion, sharedDir, cgroupsPath: fresh.cgroupsPath, program: spec.program, token: fresh.id,
      hooks: spec.hooks, hookPaths: { hostProbe: env.probeBinary, hostLog: join(sharedDir, 'hooks.log') }, specVersion: env.specVersion,
    });
    const config = mergeConfig(base, spec.config);
    const written = await writeBundle(join(dir, spec.alias), config, env.probeBinary);
    out.set(spec.alias, {
      spec, id, config, createdOk: false, deleted: false, cgroupDirs: [],
      paths: {
        bundle: written.bundle, shared: written.shared, probeInRootfs: written.probeInRootfs,
        report: join(written.shared, 'report.json'), signals: join(written.shared, 'signals'), hookLog: join(written.shared, 'hooks.log'), actions: join(written.shared, 'actions'),
      },
    });
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
  return testCase.requirements.map((r): RequirementResult => {
    const base = { case: testCase.id, requirement: r.id, level: r.level };
    if (!inRange(specVersion, r.versions)) {
      return { ...base, status: 'skip', message: `applies to spec ${r.versions}; the target is ${specVersion}` };
    }
    const mine = assertions.filter((a) => a.requirement === r.id);
    const failed = mine.filter((a) => !a.ok);
    const first = failed[0];
    if (first) return { ...base, status: 'fail', message: failed.map((a) => a.message).join('; '), expected: first.expected, actual: first.actual };
    const skip = skipped.get(r.id);
    if (skip !== undefined) return { ...base, status: 'skip', message: skip };
    // A requirement that a step after the abort would have judged has only part of its evidence: never a pass.
    if (abort && testCase.steps.some((s) => s.index >= abort.atStep && judges(s, r.id))) {
      return { ...base, status: 'fail', message: `not judged to the end: ${abort.reason}` };
    }
    if (mine.length === 0) return { ...base, status: 'fail', message: 'no step judged this requirement' };
    return { ...base, status: 'pass', message: mine.map((a) => a.message).join('; ') };
  });
}

interface Abort {
  readonly reason: string;
  /** The step that could not complete (0 when none had begun). */
  readonly atStep: number;
}

function judges(step: Step, requirement: string): boolean {
  return step.requirements.includes(requirement) || (step.kind === 'op' && (step.noEffect.includes(requirement) || step.exitStatus.includes(requirement)));
}

function finish(testCase: Case, started: number, results: RequirementResult[], calls: CaseResult['calls'], cleanupProblems: string[]): CaseResult {
  return {
    case: testCase.id, file: testCase.file, summary: testCase.summary, results, calls,
    durationMs: Math.round(performance.now() - started), cleanupProblems,
  };
}
