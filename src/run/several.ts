/**
 * Several runtimes in one `run` (--runtime given more than once): each is
 * judged in turn on the same cases and has a results document of its own,
 * named after it. A runtime's name is the last part of what was given
 * (`runc`, `/opt/bin/crun` → `crun`); --only and --skip terms written
 * `NAME:TERM` apply to that runtime alone, the others to every runtime.
 */
import { basename } from 'node:path';
import { SetupError } from '../util/errors.js';

export interface NamedRuntime {
  /** As given: a name on PATH or a path. */
  readonly given: string;
  /** What its results document and its scoped terms are called by. */
  readonly name: string;
}

export function runtimeName(given: string): string {
  return basename(given);
}

/** The runtimes in the order given; two with the same name are refused, since their documents would collide. */
export function namedRuntimes(given: readonly string[]): NamedRuntime[] {
  const seen = new Map<string, string>();
  return given.map((g) => {
    const name = runtimeName(g);
    const before = seen.get(name);
    if (before !== undefined) throw new SetupError(`--runtime ${before} and --runtime ${g} have the same name, ${name}: their results documents would be one file (give one of them through a path of another name, such as a symlink)`);
    seen.set(name, g);
    return { given: g, name };
  });
}

/**
 * The terms of --only or --skip that apply to runtime `name`: the unscoped
 * ones and those scoped to it. A scope that names none of the runtimes is
 * refused (a typo would otherwise run every case).
 */
export function termsFor(flag: string, terms: readonly string[], name: string, names: readonly string[]): string[] {
  const out: string[] = [];
  for (const term of terms) {
    const colon = term.indexOf(':');
    if (colon < 0) {
      out.push(term);
      continue;
    }
    const scope = term.slice(0, colon);
    if (!names.includes(scope)) throw new SetupError(`${flag} ${term}: no runtime is named ${scope} (the runtimes of this run: ${names.join(', ')})`);
    if (scope === name) out.push(term.slice(colon + 1));
  }
  return out;
}

/**
 * The exit status of several runs: an interrupt's (the runs after it are not
 * started), else the highest, so 3 (left something) over 2 (usage,
 * environment, harness fault) over 1 (a MUST failed) over 0.
 */
export function worstStatus(statuses: readonly number[]): number {
  const interrupted = statuses.find(isInterruptStatus);
  return interrupted ?? Math.max(0, ...statuses);
}

export function isInterruptStatus(status: number): boolean {
  return status === 129 || status === 130 || status === 143;
}
