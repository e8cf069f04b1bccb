/**
 * The commands and the options each takes: one table from which both the
 * parser and the help text are made, so help cannot promise what the parser
 * refuses. An option of another command is refused by name.
 */
import { parseArgs } from 'node:util';
import { defaultWorkDir } from '../run/private-dir.js';
import { SetupError } from '../util/errors.js';

interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly multiple?: boolean;
  readonly short?: string;
  /** The value's placeholder in help ("N", "FILE"). */
  readonly value?: string;
  readonly help: string;
}

const OPTIONS = {
  runtime: { type: 'string', multiple: true, value: 'RUNTIME', help: 'a name on PATH (runc, crun) or a path; run: the runtime to judge, repeatable (each judged in turn, with --vm in one VM; see --json-dir); clean: the runtime asked to delete the containers of killed runs and of runs that kept their directory (without it they are removed by force)' },
  'runtime-arg': { type: 'string', multiple: true, value: 'ARG', help: 'an option the runtime needs before its command on every call (such as --runtime-arg=--debug; give a value starting with - after =); repeatable, kept in order, given before ocicomply\'s own --root, which it may not be' },
  'spec-version': { type: 'string', value: 'V', help: 'the runtime-spec version whose rules apply (a release ocicomply knows; default: the newest the runtime says it supports, else 1.0.2)' },
  only: { type: 'string', multiple: true, value: 'TERM[,TERM]', help: 'only the case TERM, the cases of area TERM (such as "lifecycle"), or those that check requirement TERM (or TERM.*); NAME:TERM applies to the runtime named NAME alone; repeatable' },
  skip: { type: 'string', multiple: true, value: 'TERM[,TERM]', help: 'leave out the cases TERM names (as for --only, NAME:TERM too); they are not run and not reported; repeatable' },
  'rerun-failed': { type: 'string', value: 'FILE', help: 'only the cases with a failed result (any level) in FILE, a results document written by --json' },
  'fail-fast': { type: 'boolean', help: 'start no new case after a MUST failed; the cases not started are reported as skipped' },
  jobs: { type: 'string', value: 'N', help: 'cases run in parallel (default: the number of cores); doctor: the run whose free space in the work directory is checked' },
  reporter: { type: 'string', value: 'tap|human', help: 'default: human on a terminal, tap otherwise' },
  json: { type: 'string', value: 'FILE', help: 'write the results document to FILE (- for standard output; the reporter then writes to standard error)' },
  'json-dir': { type: 'string', value: 'DIR', help: 'write each runtime\'s results document to DIR/NAME.json, NAME the last part of its --runtime (for several --runtime, which --json does not take)' },
  junit: { type: 'string', value: 'FILE', help: 'write JUnit XML to FILE (- for standard output, as for --json)' },
  observations: { type: 'boolean', help: 'put what each check step observed into the --json document (the data its verdicts were judged from)' },
  expectations: { type: 'string', value: 'FILE', help: 'known deviations (YAML, see expectations/): each result is marked expected or unexpected, and only new MUST failures fail the run' },
  timeout: { type: 'string', value: 'MS', help: 'deadline for one runtime call (default 10000)' },
  'wait-timeout': { type: 'string', value: 'MS', help: 'deadline for a state change or a report to appear (default 5000)' },
  settle: { type: 'string', value: 'MS', help: 'window for watching that something does not happen (default 150)' },
  cases: { type: 'string', multiple: true, value: 'DIR', help: 'case directory (default: the built-in cases); repeatable' },
  'work-dir': { type: 'string', value: 'DIR', help: `where runs keep bundles and the runtime's --root (default ${defaultWorkDir()}; made private, mode 0700)` },
  profile: { type: 'string', value: 'NAME', help: 'the base config the cases merge over: minimal (default), default or strict (see profiles/README.md); other than minimal, only the lifecycle, state and process cases' },
  verbose: { type: 'boolean', help: 'human reporter: every requirement, not only failures' },
  vm: { type: 'string', value: 'cgroup2|cgroup1', help: 'run the suite inside a throwaway VM with a pure cgroup v2 (or v1) hierarchy (qemu, Debian\'s kernel, busybox-static)' },
  'vm-timeout': { type: 'string', value: 'MS', help: 'deadline for the whole VM run (default 1800000)' },
  certify: { type: 'string', value: 'DIR', help: 'also write a certification bundle into DIR, which ocicomply makes (mode 0755; or an empty directory only you can write): results, JUnit, TAP log, HTML and Markdown matrix, environment.json, README.md, SHA256SUMS; with several --runtime, DIR/NAME per runtime; check it with ocicomply verify DIR' },
  html: { type: 'string', value: 'FILE', help: 'write the matrix as one self-contained HTML page to FILE' },
  markdown: { type: 'string', value: 'FILE', help: 'write the matrix as Markdown to FILE (- for standard output, the default without --html)' },
  help: { type: 'boolean', short: 'h', help: 'print this help' },
} as const satisfies Record<string, OptionSpec>;

export type OptionName = keyof typeof OPTIONS;

interface CommandSpec {
  readonly synopsis: string;
  readonly summary: string;
  readonly options: readonly OptionName[];
  /** An option that means something else for this command (list's --json is a switch). */
  readonly overrides?: Readonly<Partial<Record<OptionName, OptionSpec>>>;
  /** What the command takes besides options, for its synopsis; without it none is taken. */
  readonly positionals?: string;
}

export const COMMANDS = {
  run: {
    synopsis: 'run --runtime RUNTIME [--runtime RUNTIME]... [options]',
    summary: 'run the suite against RUNTIME',
    options: ['runtime', 'runtime-arg', 'spec-version', 'only', 'skip', 'rerun-failed', 'fail-fast', 'jobs', 'reporter', 'json', 'json-dir', 'junit', 'observations', 'expectations', 'timeout', 'wait-timeout', 'settle', 'cases', 'work-dir', 'verbose', 'vm', 'vm-timeout', 'certify', 'profile', 'help'],
  },
  'check-config': {
    synopsis: 'check-config CONFIG.json --runtime RUNTIME [options]',
    summary: 'run a config.json of your own through RUNTIME with the probe as its program, and judge each property ocicomply observes',
    options: ['runtime', 'runtime-arg', 'spec-version', 'reporter', 'json', 'junit', 'observations', 'timeout', 'wait-timeout', 'settle', 'work-dir', 'verbose', 'help'],
    positionals: 'CONFIG.json',
    overrides: {
      runtime: { type: 'string', multiple: true, value: 'RUNTIME', help: 'a name on PATH (runc, crun) or a path: the one runtime that runs the config' },
      'spec-version': { type: 'string', value: 'V', help: 'the runtime-spec version whose rules apply (default: the release of the config\'s ociVersion)' },
    },
  },
  list: {
    synopsis: 'list [options]',
    summary: 'print the cases and the requirement ids they check',
    options: ['only', 'skip', 'rerun-failed', 'cases', 'json', 'help'],
    overrides: { json: { type: 'boolean', help: 'print the cases as JSON: id, summary, file, and each requirement with its level, spec versions, document and section' } },
  },
  report: {
    synopsis: 'report RESULTS.json... [--html FILE] [--markdown FILE]',
    summary: 'merge results documents (of runs with --json) into one matrix of requirements by run, with grades',
    options: ['html', 'markdown', 'help'],
    positionals: 'RESULTS.json...',
  },
  coverage: {
    synopsis: 'coverage [--spec-version V] [--json]',
    summary: 'count the spec\'s normative sentences at V, per document and section: judged, cannot be judged, not judged yet',
    options: ['spec-version', 'json', 'help'],
    overrides: {
      'spec-version': { type: 'string', value: 'V', help: 'the runtime-spec version whose sentences are counted (a release ocicomply knows; default: the newest, 1.3.0)' },
      json: { type: 'boolean', help: 'print the figures as JSON: specVersion, the totals, levels (MUST, SHOULD, MAY) and documents, each with its sections' },
    },
  },
  verify: {
    synopsis: 'verify DIR',
    summary: 'check a certification bundle written by run --certify: checksums, no file missing or added, and the documents agree',
    options: ['help'],
    positionals: 'DIR',
  },
  doctor: {
    synopsis: 'doctor [--runtime RUNTIME [--runtime-arg ARG]...] [--jobs N]',
    summary: 'say what this machine has for runs and for --vm, and what is missing; try one probe container with RUNTIME (default: runc and crun)',
    options: ['runtime', 'runtime-arg', 'cases', 'jobs', 'timeout', 'work-dir', 'help'],
  },
  clean: {
    synopsis: 'clean [--runtime RUNTIME [--runtime-arg ARG]...] [--work-dir DIR]',
    summary: 'remove what runs that were killed, or could not remove it themselves (exit 3), left behind',
    options: ['runtime', 'runtime-arg', 'work-dir', 'help'],
  },
  'build-probe': {
    synopsis: 'build-probe',
    summary: 'build the probe (done by npm ci) and print its path',
    options: ['help'],
  },
} as const satisfies Record<string, CommandSpec>;

export type CommandName = keyof typeof COMMANDS;

export function isCommand(name: string): name is CommandName {
  return Object.hasOwn(COMMANDS, name);
}

export const USAGE = `usage: ocicomply <command> [options]
       ocicomply --version | -V
       ocicomply <command> --help

commands:
${Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(13)}${c.summary}`).join('\n')}

exit status: 0 no MUST failed, 1 a MUST failed, 2 usage or environment error,
3 the run left something it could not remove (ocicomply clean retries it),
130/143 interrupted by SIGINT/SIGTERM; report, coverage: 0 written, 2 bad input;
verify: 0 the bundle checks out, 1 it does not, 2 DIR is missing, not a directory or a symbolic link;
check-config: also 4 nothing was judged (each result says why)
`;

/** Help text in lines of at most `width` characters. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line];
}

const HELP_INDENT = 28;

function optionLine(name: OptionName, command: CommandSpec): string {
  const o: OptionSpec = command.overrides?.[name] ?? OPTIONS[name];
  const left = `  ${o.short ? `-${o.short}, ` : ''}--${name}${o.value ? ` ${o.value}` : ''}`;
  const [first, ...more] = wrap(o.help, 80 - HELP_INDENT);
  const pad = ' '.repeat(HELP_INDENT);
  const head = left.length < HELP_INDENT ? `${left.padEnd(HELP_INDENT)}${first}` : `${left}\n${pad}${first}`;
  return [head, ...more.map((l) => `${pad}${l}`)].join('\n');
}

export function commandHelp(name: CommandName): string {
  const c: CommandSpec = COMMANDS[name];
  return `usage: ocicomply ${c.synopsis}\n\n${c.summary}\n\noptions:\n${c.options.map((n) => optionLine(n, c)).join('\n')}\n`;
}

/** What a command was given: strings, lists of strings and switches, by option name. */
export type Given = { [K in OptionName]?: (typeof OPTIONS)[K] extends { multiple: true } ? string[] : (typeof OPTIONS)[K] extends { type: 'boolean' } ? boolean : string };

/**
 * Parses a command's arguments. Every option of every command is known to
 * the parser, so one that belongs to another command gets a message naming
 * it and this command, not "unknown option".
 */
export function parseCommand(name: CommandName, args: readonly string[]): Given & { readonly positionals: readonly string[] } {
  const command: CommandSpec = COMMANDS[name];
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], strict: true, allowPositionals: command.positionals !== undefined, options: { ...OPTIONS, ...command.overrides } as unknown as Record<string, OptionSpec> });
  } catch (e) {
    // One line: node's messages for an ambiguous value run over three.
    const message = (e as Error).message.replace(/\. To specify a positional argument starting with a '-'.*$/s, '').replace(/\s*\n\s*/g, ' ');
    throw new SetupError(`${name}: ${message} (see ocicomply ${name} --help)`);
  }
  const allowed: readonly string[] = COMMANDS[name].options;
  for (const option of Object.keys(parsed.values)) {
    if (!allowed.includes(option)) throw new SetupError(`--${option} does not apply to ${name} (see ocicomply ${name} --help)`);
  }
  return { ...(parsed.values as Given), positionals: parsed.positionals };
}
