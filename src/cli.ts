/**
 * ocicomply's command line: run, check-config, list, report, coverage, doctor, clean, build-probe. Every
 * value is checked, every output place opened and every case chosen before a
 * run starts, so bad input costs no container.
 * Exit status: 0 no MUST failed (with --expectations: no MUST failed that
 * the file does not list), 1 a MUST failed, 2 usage or environment
 * error (or a case file that could not be loaded), 130/143 interrupted.
 */
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { realpath } from 'node:fs/promises';
import { COMMANDS, commandHelp, isCommand, parseCommand, USAGE, type Given } from './cli/commands.js';
import { knownSpecVersions, loadCatalogue, type Catalogue } from './catalogue.js';
import { loadExpectations, unknownIds } from './expectations/file.js';
import { doctor } from './doctor.js';
import { PACKAGE_ROOT } from './paths.js';
import { ensureProbe } from './probe/build.js';
import { openReportOutput, type ReportOutput } from './report/output.js';
import { runtimeCommand } from './runtime/resolve.js';
import { cleanStaleRuns } from './run/clean.js';
import { selectRun, type Selection } from './run/selection.js';
import { namedRuntimes, isInterruptStatus, termsFor, worstStatus } from './run/several.js';
import { runSuite } from './run/suite.js';
import { checkConfig } from './run/check-config.js';
import { loadProfile } from './bundle/profile-file.js';
import { inProfile, PROFILE_AREAS } from './bundle/profile.js';
import { defaultWorkDir } from './run/private-dir.js';
import { loadSentences } from './sentences.js';
import { knownRelease, sortVersions } from './spec/version.js';
import { requireRoot, SetupError } from './util/errors.js';
import { requireDirectory, requireDirectoryPlace } from './util/places.js';
import { VERSION } from './version.js';
import { runInVm } from './vm/run.js';
import { caseListJson } from './cases/list-json.js';
import { coverage } from './report/coverage-command.js';
import { report } from './report/matrix-command.js';
import { caseSetRecord } from './cases/digest.js';
import { bundleDir, discardIfEmpty, prepareCertifyDir, type CertifyTarget } from './certify/target.js';
import { writeBundle, type BundleReports } from './certify/write.js';
import { verifyCertification } from './certify/verify.js';

function positiveInt(name: string, v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new SetupError(`--${name} wants a positive whole number, not "${v}"`);
  return n;
}

/** --reporter, or its default: human on a terminal, TAP otherwise. */
function reporterOf(o: Given): 'tap' | 'human' {
  const reporter = o.reporter ?? (process.stdout.isTTY ? 'human' : 'tap');
  if (reporter !== 'tap' && reporter !== 'human') throw new SetupError(`--reporter is tap or human, not "${reporter}"`);
  return reporter;
}

/** The deadlines of --timeout, --wait-timeout and --settle. */
function timingOf(o: Given): { callTimeoutMs: number; waitTimeoutMs: number; settleMs: number } {
  return {
    callTimeoutMs: positiveInt('timeout', o.timeout, 10_000),
    waitTimeoutMs: positiveInt('wait-timeout', o['wait-timeout'], 5_000),
    settleMs: positiveInt('settle', o.settle, 150),
  };
}

const BUILTIN_CASES = join(PACKAGE_ROOT, 'cases');
const CATALOGUE = join(PACKAGE_ROOT, 'catalogue', 'requirements.yaml');
const SENTENCES = join(PACKAGE_ROOT, 'catalogue', 'sentences.yaml');

/** --runtime-arg belongs to the runtime --runtime names: alone it would apply to a runtime nobody chose. */
function runtimeArgs(command: string, o: Given): string[] {
  const args = o['runtime-arg'] ?? [];
  if (args.length > 0 && o.runtime === undefined) throw new SetupError(`${command}: --runtime-arg needs --runtime (the options are that runtime's)`);
  if (args.length > 0 && (o.runtime?.length ?? 0) > 1) throw new SetupError(`${command}: --runtime-arg applies to one runtime, and ${o.runtime!.length} --runtime are given`);
  return args;
}

/** doctor and clean look at one runtime. */
function oneRuntime(command: string, o: Given): string | undefined {
  if ((o.runtime?.length ?? 0) > 1) throw new SetupError(`${command} takes one --runtime, not ${o.runtime!.length}`);
  return o.runtime?.[0];
}

/** With several runtimes, what belongs to one runtime's run is refused, each with what to use instead. */
function refuseForSeveral(o: Given): void {
  const one: [keyof Given, string][] = [
    ['json', 'use --json-dir DIR, which writes one document per runtime'],
    ['junit', 'run each runtime with its own --junit'],
    ['expectations', "an expectations file is one runtime's; run each with its own"],
    ['rerun-failed', "a results document is one runtime's; run each with its own"],
  ];
  for (const [flag, instead] of one) {
    if (o[flag] !== undefined) throw new SetupError(`--${flag} takes one runtime's results, and ${o.runtime!.length} --runtime are given: ${instead}`);
  }
}

/** TERM,TERM given once or more, as one list. */
function terms(values: readonly string[] | undefined): string[] {
  return (values ?? []).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
}

/** The cases --cases, --only, --skip and --rerun-failed choose; every bad value is refused here. */
/** The case directories: --cases, each checked, or the built-in cases. */
async function caseDirsOf(o: Given): Promise<string[]> {
  return o.cases ? Promise.all(o.cases.map((d) => requireDirectory('--cases', d))) : [BUILTIN_CASES];
}

async function selection(o: Given, only = terms(o.only), skip = terms(o.skip)): Promise<Selection & { catalogue: Catalogue }> {
  const caseDirs = await caseDirsOf(o);
  const catalogue = await loadCatalogue(CATALOGUE);
  const chosen = await selectRun(catalogue, { caseDirs, only, skip, rerunFailed: o['rerun-failed'] });
  for (const n of chosen.notes) process.stderr.write(`ocicomply: ${n}\n`);
  return { ...chosen, catalogue };
}

async function list(o: Given): Promise<number> {
  const { cases, loadErrors, nothingToRerun } = await selection(o);
  if (nothingToRerun) process.stderr.write(`ocicomply: ${nothingToRerun}\n`);
  // For list, --json is a switch (see COMMANDS.list.overrides).
  if (o.json !== undefined) process.stdout.write(caseListJson(cases));
  else for (const c of cases) {
    process.stdout.write(`${c.id}  ${c.summary}\n`);
    for (const r of c.requirements) process.stdout.write(`    ${r.level.padEnd(6)} ${r.id}  (${r.doc}#${r.section}, spec ${r.versions})\n`);
  }
  for (const e of loadErrors) process.stderr.write(`ocicomply: ${e.message}\n`);
  return loadErrors.length ? 2 : 0;
}

async function specVersion(v: string | undefined): Promise<string | undefined> {
  if (v === undefined) return undefined;
  const r = knownRelease(v, knownSpecVersions(await loadCatalogue(CATALOGUE)));
  if ('error' in r) throw new SetupError(`--spec-version ${r.error}`);
  return r.release;
}

/** --json and --junit, opened before the run; at most one of them may be standard output. */
async function reportOutputs(o: Given, opened: ReportOutput[]): Promise<{ json?: ReportOutput; junit?: ReportOutput }> {
  if (o.json === '-' && o.junit === '-') throw new SetupError('--json - and --junit - cannot both go to standard output');
  if (o.json !== undefined && o.junit !== undefined && o.json !== '-' && resolve(o.json) === resolve(o.junit)) throw new SetupError(`--json and --junit name the same file, ${o.json}`);
  const out: { json?: ReportOutput; junit?: ReportOutput } = {};
  if (o.json !== undefined) opened.push((out.json = await openReportOutput('--json', o.json)));
  if (o.junit !== undefined) opened.push((out.junit = await openReportOutput('--junit', o.junit)));
  return out;
}

async function run(o: Given): Promise<number> {
  if (!o.runtime) throw new SetupError('run needs --runtime (a name on PATH such as runc, or a path)');
  const runtimes = namedRuntimes(o.runtime);
  const names = runtimes.map((r) => r.name);
  if (runtimes.length > 1) refuseForSeveral(o);
  const givenArgs = runtimeArgs('run', o);
  const reporter = reporterOf(o);
  if (o.vm !== undefined && o.vm !== 'cgroup2' && o.vm !== 'cgroup1') throw new SetupError(`--vm is cgroup2 or cgroup1, not "${o.vm}"`);
  if (o.json !== undefined && o['json-dir'] !== undefined) throw new SetupError('--json and --json-dir cannot both be given (--json-dir also writes the one runtime\'s document)');
  const jobs = positiveInt('jobs', o.jobs, availableParallelism());
  const timing = timingOf(o);
  const vmTimeoutMs = positiveInt('vm-timeout', o['vm-timeout'], 1_800_000);
  if (o.observations && o.json === undefined && o['json-dir'] === undefined) throw new SetupError('--observations puts the observations into the results document: give --json FILE or --json-dir DIR too');
  const spec = await specVersion(o['spec-version']);
  const profile = await loadProfile(o.profile ?? 'minimal');
  // Read before anything is done: a bad file ends the run before it starts.
  const expectations = o.expectations === undefined ? undefined : await loadExpectations(o.expectations);
  const workDir = await requireDirectoryPlace('--work-dir', o['work-dir'] ?? defaultWorkDir());
  const jsonDir = o['json-dir'] === undefined ? undefined : await requireDirectory('--json-dir', o['json-dir']);
  // Every runtime's cases are chosen before the first runs: a bad term costs no container.
  const chosen: (Selection & { catalogue: Catalogue })[] = [];
  for (const { name } of runtimes) chosen.push(await selection(o, termsFor('--only', terms(o.only), name, names), termsFor('--skip', terms(o.skip), name, names)));
  const inIt = chosen.map((c) => inProfile(profile.name, c.cases));
  const left = chosen[0]!.cases.length - inIt[0]!.length;
  if (left > 0) process.stderr.write(`ocicomply: --profile ${profile.name} runs only the ${PROFILE_AREAS.join(', ')} cases: ${left} other selected case(s) not run\n`);
  if (chosen[0]!.cases.length > 0 && inIt[0]!.length === 0) throw new SetupError(`--profile ${profile.name} runs only the ${PROFILE_AREAS.join(', ')} cases, and none is selected`);
  const badId = expectations && unknownIds(expectations, chosen[0]!.all, chosen[0]!.catalogue);
  if (badId) throw new SetupError(badId);
  if (chosen[0]!.nothingToRerun) {
    process.stderr.write(`ocicomply: ${chosen[0]!.nothingToRerun}\n`);
    return 0;
  }
  const opened: ReportOutput[] = [];
  // Made (or checked) before the run: a bad place costs no container.
  const certifyTarget = o.certify === undefined ? undefined : await prepareCertifyDir(o.certify);
  const writeCertified = certifyTarget && (async (name: string, reports: BundleReports): Promise<void> => {
    await writeBundle(await bundleDir(certifyTarget, name, runtimes.length > 1), reports, { catalogue: chosen[0]!.catalogue, sentences: await loadSentences(SENTENCES) });
  });
  try {
    if (certifyTarget) await refuseInsideCertify(o, certifyTarget.dir);
    const { json, junit } = await reportOutputs(o, opened);
    // One document per runtime, by name; --json is the one runtime's.
    const jsonOf = new Map<string, ReportOutput>();
    if (json) jsonOf.set(names[0]!, json);
    for (const name of jsonDir ? names : []) {
      const out = await openReportOutput('--json-dir', join(jsonDir!, `${name}.json`));
      opened.push(out);
      jsonOf.set(name, out);
    }
    // A report on standard output keeps it clean: the progress goes to standard error.
    const reporterOut = json?.isStdout || junit?.isStdout ? process.stderr : process.stdout;
    if (o.vm === 'cgroup2' || o.vm === 'cgroup1') {
      requireRoot();
      // Everything but where results go is passed on; paths are the host's, which the VM shares.
      const resolved = await Promise.all(runtimes.map((r) => runtimeCommand(r.given, givenArgs)));
      // A resolved path ends in the name given (a PATH entry joined with it, or the path made absolute),
      // so inside the VM the runtimes keep their names, and with them scoped terms and documents.
      const inner = [
        ...resolved.flatMap((r) => ['--runtime', r.path]),
        // With `=`: a value starting with - would otherwise read as an option.
        ...resolved[0]!.args.map((a) => `--runtime-arg=${a}`),
        ...(spec ? ['--spec-version', spec] : []),
        ...(o.only ? ['--only', terms(o.only).join(',')] : []),
        ...(o.skip ? ['--skip', terms(o.skip).join(',')] : []),
        ...(o['rerun-failed'] ? ['--rerun-failed', resolve(o['rerun-failed'])] : []),
        ...(o['fail-fast'] ? ['--fail-fast'] : []),
        ...(o.jobs ? ['--jobs', o.jobs] : []),
        ...(o.timeout ? ['--timeout', o.timeout] : []),
        ...(o['wait-timeout'] ? ['--wait-timeout', o['wait-timeout']] : []),
        ...(o.settle ? ['--settle', o.settle] : []),
        ...(o.cases ?? []).flatMap((d) => ['--cases', resolve(d)]),
        ...(o.verbose ? ['--verbose'] : []),
        ...(o.expectations ? ['--expectations', resolve(o.expectations)] : []),
        ...(o.observations ? ['--observations'] : []),
        ...(o.profile ? ['--profile', o.profile] : []),
      ];
      return await runInVm({ mode: o.vm, innerArgs: inner, reporter, reporterOut, json: jsonOf, junit, timeoutMs: vmTimeoutMs, workDir, ...(writeCertified ? { certify: { names, write: writeCertified } } : {}) });
    }
    const statuses: number[] = [];
    for (const [i, { given, name }] of runtimes.entries()) {
      if (runtimes.length > 1) process.stderr.write(`ocicomply: runtime ${i + 1} of ${runtimes.length}: ${name}\n`);
      const status = await runSuite({
        runtime: given,
        runtimeArgs: givenArgs,
        specVersion: spec,
        cases: inIt[i]!,
        loadErrors: chosen[i]!.loadErrors,
        jobs,
        reporter,
        reporterOut,
        json: jsonOf.get(name),
        junit,
        timing,
        workDir,
        verbose: o.verbose ?? false,
        failFast: o['fail-fast'] ?? false,
        expectations,
        catalogue: chosen[i]!.catalogue,
        observations: o.observations ?? false,
        selectedBy: { only: terms(o.only), skip: terms(o.skip) },
        caseSet: await caseSetRecord(await caseDirsOf(o)),
        profile,
        ...(writeCertified ? { certify: (reports: BundleReports) => writeCertified(name, reports) } : {}),
      }).catch((e: unknown) => {
        // One runtime that cannot be run stops only its own run.
        if (runtimes.length === 1 || !(e instanceof SetupError)) throw e;
        process.stderr.write(`ocicomply: ${name}: ${e.message}\n`);
        return 2;
      });
      statuses.push(status);
      if (isInterruptStatus(status)) break;
    }
    return worstStatus(statuses);
  } finally {
    for (const out of opened) await out.discard();
    if (certifyTarget) await discardIfEmpty(certifyTarget);
  }
}

async function checkConfigCommand(o: Given & { readonly positionals: readonly string[] }): Promise<number> {
  if (o.positionals.length !== 1) throw new SetupError(`check-config takes one CONFIG.json, not ${o.positionals.length} (see ocicomply check-config --help)`);
  if (!o.runtime) throw new SetupError('check-config needs --runtime (a name on PATH such as runc, or a path)');
  const runtime = oneRuntime('check-config', o);
  const reporter = reporterOf(o);
  if (o.observations && o.json === undefined) throw new SetupError('--observations puts the observations into the results document: give --json FILE too');
  const timing = timingOf(o);
  const catalogue = await loadCatalogue(CATALOGUE);
  const spec = await specVersion(o['spec-version']);
  const workDir = await requireDirectoryPlace('--work-dir', o['work-dir'] ?? defaultWorkDir());
  const opened: ReportOutput[] = [];
  try {
    const { json, junit } = await reportOutputs(o, opened);
    return await checkConfig({
      file: o.positionals[0]!, runtime: runtime!, runtimeArgs: runtimeArgs('check-config', o), specVersion: spec, knownVersions: knownSpecVersions(catalogue), catalogue,
      reporter, reporterOut: json?.isStdout || junit?.isStdout ? process.stderr : process.stdout, json, junit, timing, workDir,
      verbose: o.verbose ?? false, observations: o.observations ?? false,
    });
  } finally {
    for (const out of opened) await out.discard();
  }
}

/** A bundle holds only its own files: --json, --junit or --json-dir writing into DIR would add one. */
async function refuseInsideCertify(o: Given, dir: string): Promise<void> {
  const real = (p: string): Promise<string> => realpath(p).catch(() => p);
  const places: [string, string | undefined][] = [['--json', o.json], ['--junit', o.junit], ['--json-dir', o['json-dir']]];
  for (const [flag, value] of places) {
    if (value === undefined || value === '-') continue;
    const where = flag === '--json-dir' ? resolve(value) : dirname(resolve(value));
    if ((await real(where)) === dir) throw new SetupError(`${flag} ${value} writes into the --certify directory ${dir}, which holds only the bundle's files (the bundle has results.json and junit.xml already)`);
  }
}

/** `verify DIR`: 0 when every bundle in DIR checks out, 1 when one does not (each problem on stderr). */
async function verify(o: Given & { readonly positionals: readonly string[] }): Promise<number> {
  if (o.positionals.length !== 1) throw new SetupError(`verify takes one directory, not ${o.positionals.length} (see ocicomply verify --help)`);
  const verdicts = await verifyCertification(o.positionals[0]!);
  for (const v of verdicts) {
    if (v.problems.length === 0) process.stdout.write(`${v.dir}: ${v.files} files; checksums and documents agree\n`);
    for (const p of v.problems) process.stderr.write(`ocicomply verify: ${v.dir}: ${p}\n`);
  }
  return verdicts.every((v) => v.problems.length === 0) ? 0 : 1;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined) {
    process.stderr.write(USAGE);
    return 2;
  }
  if (command === '--help' || command === '-h' || command === 'help') {
    const topic = rest[0];
    if (topic !== undefined && !isCommand(topic)) throw new SetupError(`no command "${topic}" (commands: ${Object.keys(COMMANDS).join(', ')})`);
    process.stdout.write(topic ? commandHelp(topic) : USAGE);
    return 0;
  }
  if (command === '--version' || command === '-V') {
    process.stdout.write(`ocicomply ${VERSION}\n`);
    return 0;
  }
  if (!isCommand(command)) throw new SetupError(`unknown command "${command}" (commands: ${Object.keys(COMMANDS).join(', ')}; see ocicomply --help)`);
  // --help anywhere wins over every other argument, as in git and most tools.
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(commandHelp(command));
    return 0;
  }
  const o = parseCommand(command, rest);
  switch (command) {
    case 'list':
      return list(o);
    case 'report':
      return report({ files: o.positionals, html: o.html, markdown: o.markdown, catalogue: () => loadCatalogue(CATALOGUE), sentences: () => loadSentences(SENTENCES) });
    case 'coverage':
      return coverage({
        specVersion: (await specVersion(o['spec-version'])) ?? sortVersions(knownSpecVersions(await loadCatalogue(CATALOGUE))).at(-1)!,
        json: o.json !== undefined,
        sentences: () => loadSentences(SENTENCES),
        catalogue: () => loadCatalogue(CATALOGUE),
        print: (text) => process.stdout.write(text),
      });
    case 'doctor':
      return doctor({
        runtime: oneRuntime('doctor', o), runtimeArgs: runtimeArgs('doctor', o), workDir: await requireDirectoryPlace('--work-dir', o['work-dir'] ?? defaultWorkDir()), caseDirs: o.cases ?? [BUILTIN_CASES], catalogueFile: CATALOGUE,
        callTimeoutMs: positiveInt('timeout', o.timeout, 10_000),
        jobs: positiveInt('jobs', o.jobs, availableParallelism()),
      });
    case 'build-probe':
      process.stdout.write(`${await ensureProbe()}\n`);
      return 0;
    case 'clean': {
      const runtime = oneRuntime('clean', o);
      const args = runtimeArgs('clean', o);
      const workDir = await requireDirectoryPlace('--work-dir', o['work-dir'] ?? defaultWorkDir());
      const report = await cleanStaleRuns(workDir, runtime === undefined ? undefined : await runtimeCommand(runtime, args));
      process.stdout.write(`${report.runs} stale run(s) cleaned, ${report.containers} container(s) removed\n`);
      for (const p of report.problems) process.stderr.write(`ocicomply: ${p}\n`);
      return report.problems.length ? 1 : 0;
    }
    case 'run':
      return run(o);
    case 'check-config':
      return checkConfigCommand(o);
    case 'verify':
      return verify(o);
  }
}
