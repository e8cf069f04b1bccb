/**
 * ocicomply's command line: run, list, clean, build-probe.
 * Exit status: 0 no MUST failed (with --expectations: no MUST failed that
 * the file does not list), 1 a MUST failed, 2 usage or environment
 * error (or a case file that could not be loaded), 130/143 interrupted.
 */
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { resolveRuntime } from './runtime/resolve.js';
import { runInVm } from './vm/run.js';
import { doctor } from './doctor.js';
import { parseArgs } from 'node:util';
import { loadCatalogue } from './catalogue.js';
import { loadCases, selectCases } from './cases/load.js';
import { ensureProbe } from './probe/build.js';
import { PACKAGE_ROOT } from './paths.js';
import { cleanStaleRuns } from './run/clean.js';
import { runSuite } from './run/suite.js';
import { DEFAULT_WORK_DIR } from './run/workspace.js';
import { requireRoot, SetupError } from './util/errors.js';
import { VERSION } from './version.js';


const USAGE = `usage: ocicomply <command> [options]

commands:
  run --runtime RUNTIME      run the suite against RUNTIME (a name on PATH or a path)
  list                       print the cases and the requirement ids they check
  doctor                     say what this machine has for runs and for --vm, and what is missing
  clean                      remove what runs that were killed left behind
  build-probe                build the probe (done by npm ci) and print its path

run options:
  --spec-version V           the runtime-spec version whose rules apply
                             (default: the newest the runtime says it supports, else 1.0.2)
  --only TERM[,TERM...]      only the case TERM, the cases of area TERM (such as
                             "lifecycle"), or those that check requirement TERM (or TERM.*)
  --jobs N                   cases run in parallel (default: the number of cores)
  --reporter tap|human       default: human on a terminal, tap otherwise
  --json FILE                write the results document to FILE
  --junit FILE               write JUnit XML to FILE
  --expectations FILE        known deviations (YAML, see expectations/): each result is
                             marked expected or unexpected, and only new MUST failures
                             fail the run
  --timeout MS               deadline for one runtime call (default 10000)
  --wait-timeout MS          deadline for a state change or a report to appear (default 5000)
  --settle MS                window for watching that something does not happen (default 150)
  --cases DIR                case directory (default: the built-in cases; repeatable)
  --work-dir DIR             where runs keep bundles and the runtime's --root
                             (default ${DEFAULT_WORK_DIR})
  --verbose                  human reporter: every requirement, not only failures
  --vm cgroup2|cgroup1       run the suite inside a throwaway VM with a pure cgroup v2
                             (or v1) hierarchy (qemu, Debian's kernel, busybox-static)
  --vm-timeout MS            deadline for the whole VM run (default 1800000)
`;

function positiveInt(name: string, v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new SetupError(`--${name} wants a positive whole number, not "${v}"`);
  return n;
}

const BUILTIN_CASES = join(PACKAGE_ROOT, 'cases');
const CATALOGUE = join(PACKAGE_ROOT, 'catalogue', 'requirements.yaml');

async function list(only: string[]): Promise<number> {
  const catalogue = await loadCatalogue(CATALOGUE);
  const { cases, errors } = await loadCases([BUILTIN_CASES], catalogue);
  for (const c of selectCases(cases, only)) {
    process.stdout.write(`${c.id}  ${c.summary}\n`);
    for (const r of c.requirements) process.stdout.write(`    ${r.level.padEnd(6)} ${r.id}  (${r.doc}#${r.section}, spec ${r.versions})\n`);
  }
  for (const e of errors) process.stderr.write(`ocicomply: ${e.message}\n`);
  return errors.length ? 2 : 0;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(USAGE);
    return command === undefined ? 2 : 0;
  }
  if (command === '--version') {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      strict: true,
      allowPositionals: false,
      options: {
        runtime: { type: 'string' },
        'spec-version': { type: 'string' },
        only: { type: 'string', multiple: true },
        jobs: { type: 'string' },
        reporter: { type: 'string' },
        json: { type: 'string' },
        junit: { type: 'string' },
        expectations: { type: 'string' },
        timeout: { type: 'string' },
        'wait-timeout': { type: 'string' },
        settle: { type: 'string' },
        cases: { type: 'string', multiple: true },
        'work-dir': { type: 'string' },
        verbose: { type: 'boolean' },
        vm: { type: 'string' },
        'vm-timeout': { type: 'string' },
      },
    });
  } catch (e) {
    throw new SetupError(`${(e as Error).message}\n\n${USAGE}`);
  }
  const o = parsed.values;
  const only = (o.only ?? []).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
  const workDir = o['work-dir'] ?? DEFAULT_WORK_DIR;
  switch (command) {
    case 'list':
      return list(only);
    case 'doctor':
      return doctor();
    case 'build-probe':
      process.stdout.write(`${await ensureProbe()}\n`);
      return 0;
    case 'clean': {
      const report = await cleanStaleRuns(workDir);
      process.stdout.write(`${report.runs} stale run(s) cleaned, ${report.containers} container(s) removed\n`);
      for (const p of report.problems) process.stderr.write(`ocicomply: ${p}\n`);
      return report.problems.length ? 1 : 0;
    }
    case 'run': {
      if (!o.runtime) throw new SetupError('run needs --runtime (a name on PATH such as runc, or a path)');
      const reporter = o.reporter ?? (process.stdout.isTTY ? 'human' : 'tap');
      if (reporter !== 'tap' && reporter !== 'human') throw new SetupError(`--reporter is tap or human, not "${reporter}"`);
      if (o.vm !== undefined) {
        if (o.vm !== 'cgroup2' && o.vm !== 'cgroup1') throw new SetupError(`--vm is cgroup2 or cgroup1, not "${o.vm}"`);
        requireRoot();
        // Everything but where results go is passed on; paths are the host's, which the VM shares.
        const inner = [
          '--runtime', await resolveRuntime(o.runtime),
          ...(o['spec-version'] ? ['--spec-version', o['spec-version']] : []),
          ...(only.length ? ['--only', only.join(',')] : []),
          ...(o.jobs ? ['--jobs', o.jobs] : []),
          ...(o.timeout ? ['--timeout', o.timeout] : []),
          ...(o['wait-timeout'] ? ['--wait-timeout', o['wait-timeout']] : []),
          ...(o.settle ? ['--settle', o.settle] : []),
          ...(o.cases ?? []).flatMap((d) => ['--cases', resolve(d)]),
          ...(o.verbose ? ['--verbose'] : []),
          ...(o.expectations ? ['--expectations', resolve(o.expectations)] : []),
        ];
        return runInVm({
          mode: o.vm, innerArgs: inner, reporter, json: o.json && resolve(o.json), junit: o.junit && resolve(o.junit),
          timeoutMs: positiveInt('vm-timeout', o['vm-timeout'], 1_800_000), workDir,
        });
      }
      return runSuite({
        runtime: o.runtime,
        specVersion: o['spec-version'],
        only,
        jobs: positiveInt('jobs', o.jobs, availableParallelism()),
        reporter,
        json: o.json,
        junit: o.junit,
        timing: {
          callTimeoutMs: positiveInt('timeout', o.timeout, 10_000),
          waitTimeoutMs: positiveInt('wait-timeout', o['wait-timeout'], 5_000),
          settleMs: positiveInt('settle', o.settle, 150),
        },
        caseDirs: o.cases ?? [BUILTIN_CASES],
        catalogueFile: CATALOGUE,
        workDir,
        verbose: o.verbose ?? false,
        expectations: o.expectations,
      });
    }
    default:
      throw new SetupError(`unknown command "${command}"\n\n${USAGE}`);
  }
}

