/**
 * `ocicomply doctor [--runtime R]`: what this machine has for a run and for
 * --vm, and what is missing. Each runtime it looks at runs one probe container
 * (the smoke test every run starts with); with --runtime it also shows the
 * runtime's version and features and which cases a run would skip, and why.
 */
import { loadCatalogue } from './catalogue.js';
import { loadCases } from './cases/load.js';
import { CHECKS } from './checks/index.js';
import { caseSkipReason } from './engine/run-case.js';
import { hostFacts } from './host/facts.js';
import { nodeVersionProblem } from './host/node-version.js';
import { ensureProbe } from './probe/build.js';
import type { HostFacts } from './results.js';
import { smokeTest, type SmokeResult } from './run/smoke.js';
import { freeBytesFor, freeSpaceProblem, MIB, neededBytes } from './util/harness-fault.js';
import { Workspace } from './run/workspace.js';
import { RuntimeDriver, type RuntimeCommand } from './runtime/driver.js';
import { probeRuntime, type RuntimeFacts } from './runtime/info.js';
import { resolveRuntime, runtimeCommand } from './runtime/resolve.js';
import { DEFAULT_SPEC_VERSION, releaseOf } from './spec/version.js';
import { SetupError } from './util/errors.js';
import { findVmHost } from './vm/host.js';

export interface DoctorOptions {
  /** The runtime to look at closely; without it, runc and crun where installed. */
  readonly runtime: string | undefined;
  /** Global options given before every command of the runtime (--runtime-arg). */
  readonly runtimeArgs: readonly string[];
  readonly workDir: string;
  readonly caseDirs: readonly string[];
  readonly catalogueFile: string;
  readonly callTimeoutMs: number;
  /** The --jobs of the run to check for: each case running at once needs its own room in the work directory. */
  readonly jobs: number;
}

type Mark = 'ok' | 'missing' | 'absent' | 'fails' | 'skipped';

function line(mark: Mark, what: string): void {
  process.stdout.write(`${mark.padEnd(7)} ${what}\n`);
}

/** Indented lines under the one before. */
function detail(text: string): void {
  process.stdout.write(`${' '.repeat(8)}${text}\n`);
}

export async function doctor(opts: DoctorOptions): Promise<number> {
  let problems = 0;
  const nodeProblem = nodeVersionProblem(process.version);
  line(nodeProblem ? 'missing' : 'ok', nodeProblem ?? `Node.js ${process.version}`);
  if (nodeProblem) problems++;
  const root = process.getuid?.() === 0;
  line(root ? 'ok' : 'missing', root ? 'running as root' : 'root (runs need it)');
  if (!root) problems++;
  const host = await hostFacts();
  line('ok', `host cgroups: ${host.cgroup}, controllers: ${host.controllers.join(' ') || 'none'}`);
  // Not a problem: the block I/O throttle cases are skipped without one.
  line(host.blockDevice ? 'ok' : 'absent', `block device for the block I/O cases${host.blockDevice ? `: ${host.blockDevice.name} (${host.blockDevice.major}:${host.blockDevice.minor})` : ' (those cases are skipped)'}`);
  // Not problems either: the cases of security labels and of LINUX32 are skipped without them.
  const sec = host.security;
  line(sec?.apparmorProfile ? 'ok' : 'absent', `AppArmor profile for process/apparmor-profile${sec?.apparmorProfile ? `: ${sec.apparmorProfile}` : ' (AppArmor not enabled or no usable profile loaded: skipped)'}`);
  line(sec?.selinuxLabel ? 'ok' : 'absent', `SELinux label for process/selinux-label${sec?.selinuxLabel ? `: ${sec.selinuxLabel}` : ' (SELinux not enabled or the label unknown to its policy: skipped)'}`);
  line(sec?.linux32Machine ? 'ok' : 'absent', `32-bit programs for process/personality${sec?.linux32Machine ? ` (LINUX32 shows ${sec.linux32Machine})` : ' (not known to run here: skipped)'}`);
  let probeBinary: string | undefined;
  try {
    probeBinary = await ensureProbe();
    line('ok', `probe: ${probeBinary}`);
  } catch (e) {
    line('missing', e instanceof SetupError ? e.message : String(e));
    problems++;
  }
  const canSmoke = root && probeBinary !== undefined;
  const free = await freeBytesFor(opts.workDir).catch(() => undefined);
  const spaceProblem = free === undefined ? undefined : freeSpaceProblem(opts.workDir, free, opts.jobs);
  if (free === undefined) line('missing', `work directory ${opts.workDir}: its free space cannot be read`);
  else line(spaceProblem ? 'missing' : 'ok', spaceProblem ?? `work directory ${opts.workDir}: ${(free / MIB).toFixed(0)} MiB free, a run with --jobs ${opts.jobs} needs ${neededBytes(opts.jobs) / MIB} MiB`);
  if (free === undefined || spaceProblem) problems++;

  if (opts.runtime !== undefined) {
    const runtime = await runtimeCommand(opts.runtime, opts.runtimeArgs);
    const looked = await lookAt(runtime, canSmoke ? probeBinary : undefined, opts, [runtime.path, ...runtime.args].join(' '));
    if (!looked.works) problems++;
    else if (looked.facts) await reportSkips(looked.facts, host, opts);
  } else {
    // Absent or failing runtimes are no problem while one of them works: any runtime can be given with --runtime.
    let found = 0;
    let working = 0;
    for (const name of ['runc', 'crun']) {
      const path = await resolveRuntime(name).catch(() => undefined);
      if (!path) {
        line('absent', `${name} (optional: any runtime can be given with --runtime)`);
        continue;
      }
      found++;
      if ((await lookAt({ path, args: [] }, canSmoke ? probeBinary : undefined, opts, name)).works) working++;
    }
    if (found > 0 && working === 0 && canSmoke) problems++;
  }

  const vm = await findVmHost();
  if (vm.host) line('ok', `--vm: qemu ${vm.host.qemu}, kernel ${vm.host.kernelVersion}, ${vm.host.modules.length} modules, busybox ${vm.host.busybox}`);
  for (const m of vm.missing) line('missing', `--vm: ${m.what} (${m.fix})`);
  return problems > 0 ? 1 : 0;
}

/** Version, features and the smoke test of one runtime. */
async function lookAt(runtime: RuntimeCommand, probeBinary: string | undefined, opts: DoctorOptions, label: string): Promise<{ works: boolean; facts?: RuntimeFacts }> {
  const workspace = await Workspace.open(opts.workDir);
  try {
    const driver = new RuntimeDriver({ runtime, root: workspace.root, scratchDir: workspace.scratch, timeoutMs: opts.callTimeoutMs });
    const facts = await probeRuntime(driver);
    line(facts.version ? 'ok' : 'absent', `${label}: ${facts.version ?? '--version printed nothing'}`);
    detail(featuresSummary(facts));
    if (probeBinary === undefined) {
      line('skipped', `${label}: a probe container (needs root and the probe)`);
      return { works: true, facts };
    }
    const specVersion = releaseOf(facts.newestSpec ?? '') ?? DEFAULT_SPEC_VERSION;
    const smoke = await smokeTest({
      driver, workspace, probeBinary, configOciVersion: facts.configOciVersion, specVersion,
      timing: { callTimeoutMs: opts.callTimeoutMs, waitTimeoutMs: 5_000, settleMs: 150 },
    });
    reportSmoke(label, smoke);
    return { works: smoke.fatal === undefined, facts };
  } finally {
    await workspace.remove();
  }
}

function featuresSummary(facts: RuntimeFacts): string {
  const target = `target spec version by default: ${releaseOf(facts.newestSpec ?? '') ?? DEFAULT_SPEC_VERSION}`;
  if (!facts.features) {
    return facts.source === 'version'
      ? `no features document; --version says spec ${facts.newestSpec}; ${target}`
      : `no features document and no spec version in --version; ${target}`;
  }
  const f = facts.features;
  const list = (v: unknown): string => (Array.isArray(v) ? `${v.length}` : 'not listed');
  const linux = (f['linux'] ?? {}) as Record<string, unknown>;
  const seccomp = (linux['seccomp'] ?? {}) as Record<string, unknown>;
  return `features: spec ${String(f['ociVersionMin'] ?? '?')} to ${String(f['ociVersionMax'] ?? '?')}; hooks ${list(f['hooks'])}, `
    + `mount options ${list(f['mountOptions'])}, namespaces ${list(linux['namespaces'])}, seccomp actions ${list(seccomp['actions'])}; ${target}`;
}

function reportSmoke(label: string, smoke: SmokeResult): void {
  const failed = smoke.steps.filter((s) => s.problem);
  if (smoke.fatal) {
    line('fails', `${label}: cannot run a probe container: its \`${smoke.fatal.op}\` ${smoke.fatal.problem}`);
    for (const l of smoke.fatal.call.stderr.trim().split('\n').filter(Boolean).slice(0, 5)) detail(`stderr: ${l.slice(0, 300)}`);
    detail('a run stops here with exit status 2; in a chroot, its root must be a mount point (README, Set-up)');
  } else {
    line(failed.length ? 'fails' : 'ok', `${label}: a probe container: ${smoke.steps.map((s) => `${s.op} ${s.problem ? 'FAILED' : `${Math.round(s.call.durationMs)} ms`}`).join(', ')}`);
    for (const s of failed) detail(`${s.op} (${s.expect}) ${s.problem}; a run goes on and the cases judge this`);
  }
  for (const p of smoke.cleanupProblems) detail(`left behind: ${p}`);
}

/** Which cases a run at the default target would skip, grouped by reason. */
async function reportSkips(facts: RuntimeFacts, host: HostFacts, opts: DoctorOptions): Promise<void> {
  const catalogue = await loadCatalogue(opts.catalogueFile);
  const { cases } = await loadCases(opts.caseDirs, catalogue, CHECKS);
  const specVersion = releaseOf(facts.newestSpec ?? '') ?? DEFAULT_SPEC_VERSION;
  const byReason = new Map<string, string[]>();
  for (const c of cases) {
    const reason = caseSkipReason(c, { specVersion, features: facts.features, host });
    if (reason !== undefined) byReason.set(reason, [...(byReason.get(reason) ?? []), c.id]);
  }
  const skipped = [...byReason.values()].reduce((n, ids) => n + ids.length, 0);
  line(skipped ? 'skipped' : 'ok', `${skipped} of ${cases.length} cases would be skipped at spec ${specVersion}${skipped ? ', because:' : ''}`);
  for (const [reason, ids] of byReason) detail(`${reason}: ${ids.join(', ')}`);
}
