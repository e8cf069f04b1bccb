/**
 * check-config: from a config.json a user wrote, the case that runs it with
 * the probe as its program and judges every property the process table
 * (src/checks/process-table.ts) has a row for, and the lists of what the
 * harness changed in the config and of what is in it but not judged. Pure:
 * the command reads and validates the file, this only derives.
 *
 * Rows are picked by asking each row of the table whether the config asks
 * it anything (a row says notApplicable when it does not, before it looks at
 * the report), so a row added to the table is picked up here without a change.
 */
import type { Catalogue, Requirement } from '../catalogue.js';
import type { Case, Step } from '../cases/types.js';
import { PROCESS_PROPERTIES, PROCESS_ROWS, type ProcessProperty, type ProcessRow } from '../checks/process-table.js';
import type { ProbeReport } from '../engine/probe-report.js';
import { readConfig, type ConfigRead } from '../spec/config.js';

/** A property of the config, and what check-config did with it or why it is not judged. */
export interface PropertyNote {
  readonly property: string;
  readonly why: string;
}

export interface CheckConfigPlan {
  readonly testCase: Case;
  /** The rows judged, in the table's order. */
  readonly rows: readonly ProcessProperty[];
  /** What the harness replaced or added in the config before handing it to the runtime (what it dropped is in notJudged). */
  readonly changed: readonly PropertyNote[];
  /** Properties the config sets that no step judges, with the reason. */
  readonly notJudged: readonly PropertyNote[];
}

type Json = Readonly<Record<string, unknown>>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The value at a property path, or undefined where the config does not set it. */
function at(config: Json, path: readonly string[]): unknown {
  let v: unknown = config;
  for (const k of path) v = isObject(v) && Object.hasOwn(v, k) ? v[k] : undefined;
  return v;
}

/** What the harness itself needs in every bundle; each replaces the config's value. */
const REPLACED: readonly PropertyNote[] = [
  { property: 'process.args', why: 'replaced by the probe, which reports what it sees and then waits' },
  { property: 'root.path', why: "replaced by the harness's rootfs, which holds only the probe (root's other fields are kept)" },
  { property: 'linux.cgroupsPath', why: 'replaced by a cgroup of the harness\'s own, which it removes afterwards: a path the config names may be one of the host\'s' },
];

/** Why a property the config sets is not judged, where there is more to say than that nothing observes it. */
const NOT_JUDGED_WHY: Readonly<Record<string, string>> = {
  mounts: "kept as given, with the report directory's bind mount (/ocicomply) added after them; not observed",
  'linux.namespaces': 'kept as given; not observed by check-config (the namespace cases judge namespaces)',
  'linux.resources': 'kept as given (applied to the harness\'s cgroup); not observed by check-config (the cgroup cases judge resources)',
};

/** A case id part from a file name: config.json → config; other characters become -. */
export function configCaseId(fileName: string): string {
  const stem = fileName.replace(/^.*\//, '').replace(/\.json$/i, '').replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+/, '');
  return `check-config/${stem || 'config'}`;
}

/** A report of nothing: what a row is shown when asked only whether the config asks it anything. */
const NOTHING_SEEN: ProbeReport = {
  startedUs: 0, pid: 0, ppid: 0, uid: 0, gid: 0, euid: 0, egid: 0, groups: [], cwd: null, hostname: null, args: [], env: [], namespaces: {}, cgroup: null,
};

/** The config property a row stands for, without the words that qualify it ("process.terminal (false or unset)"). */
function propertyOf(row: ProcessRow): string {
  return row.property.split(' ')[0]!;
}

/**
 * Is the row judged for this config (as handed to the runtime)? Not when the
 * property is one the harness replaced or dropped (that value is the
 * harness's, not the user's); else when the row has something to judge in it.
 */
function picks(row: ProcessRow, config: ConfigRead, handled: readonly string[]): boolean {
  if (handled.includes(propertyOf(row))) return false;
  const f = row.compare(config.process ?? {}, NOTHING_SEEN, { oomScoreAdj: null }, config);
  return !('skip' in f && f.inapplicable === true);
}

/**
 * The config as handed to the runtime (before the harness's pieces, which
 * need the run's paths, are put in: withHarnessPieces), and what was changed.
 */
function harnessable(config: Json): { config: Record<string, unknown>; changed: PropertyNote[]; dropped: PropertyNote[] } {
  const out = structuredClone(config) as Record<string, unknown>;
  const changed: PropertyNote[] = [...REPLACED, { property: 'mounts', why: "the report directory's bind mount (/ocicomply) is added after the config's own mounts" }];
  const dropped: PropertyNote[] = [];
  if (out['hooks'] !== undefined) {
    delete out['hooks'];
    dropped.push({ property: 'hooks', why: "dropped: a hook is a program on the host, which the runtime would run as root; check-config never has a program named in the file it is given run" });
  }
  const proc = isObject(out['process']) ? { ...out['process'] } : undefined;
  if (proc?.['terminal'] === true) {
    proc['terminal'] = false;
    dropped.push({ property: 'process.terminal', why: 'set to false: check-config gives the runtime no console socket, so the probe runs without a terminal' });
  }
  if (proc?.['consoleSize'] !== undefined) {
    delete proc['consoleSize'];
    dropped.push({ property: 'process.consoleSize', why: 'dropped: it applies to a terminal, and the probe runs without one' });
  }
  if (proc) out['process'] = proc;
  if (typeof proc?.['cwd'] === 'string' && proc['cwd'].startsWith('/')) {
    changed.push({ property: 'process.cwd', why: "kept; the directory is made in the harness's rootfs, as the image the config was written for would have it" });
  }
  return { config: out, changed, dropped };
}

/**
 * The config's properties that no picked row judges, as the shortest paths
 * whose whole value is unjudged (a row's property covers everything below it).
 */
function unjudgedProperties(config: Json, covered: readonly string[], handled: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (value: unknown, path: string): void => {
    if (covered.includes(path) || handled.includes(path)) return;
    const inside = [...covered, ...handled].some((p) => p.startsWith(`${path}.`));
    if (inside && isObject(value)) {
      for (const [k, v] of Object.entries(value)) walk(v, `${path}.${k}`);
      return;
    }
    out.push(path);
  };
  for (const [k, v] of Object.entries(config)) if (k !== 'ociVersion') walk(v, k);
  return out;
}

/** `file`: the config file as given, which reports name as the case's file. */
export function planCheckConfig(config: Json, file: string, catalogue: Catalogue): CheckConfigPlan {
  const caseId = configCaseId(file);
  const { config: toRun, changed, dropped } = harnessable(config);
  const handled = [...REPLACED.map((r) => r.property), ...dropped.map((d) => d.property)];
  const read = readConfig(toRun);
  const rows = PROCESS_PROPERTIES.filter((p) => picks(PROCESS_ROWS[p], read, handled));
  const requirement = (id: string): Requirement => {
    const r = catalogue.get(id);
    if (!r) throw new Error(`the process table names ${id}, which the catalogue lacks`);
    return r;
  };
  const ids = [...new Set(rows.map((p) => PROCESS_ROWS[p].requirement))];
  const op = (index: number, name: 'create' | 'start', requirements: string[], refusable: boolean): Step => ({
    kind: 'op', index, container: 'main', op: name, expect: 'success', requirements, exitStatus: [], noEffect: [], ...(refusable ? { refused: 'config' as const } : {}),
  });
  // Both may fail through the config alone (a profile that denies execve, a user namespace the
  // runtime cannot set up here): then nothing is judged, and the run says the runtime refused it.
  const steps: Step[] = [
    op(1, 'create', [], true),
    op(2, 'start', [], true),
    ...rows.map((p, i): Step => ({ kind: 'check', index: i + 3, container: 'main', check: 'process-as-configured', params: { properties: [p] }, requirements: [PROCESS_ROWS[p].requirement] })),
  ];
  const cwd = at(toRun, ['process', 'cwd']);
  const testCase: Case = {
    id: caseId, file, summary: `the runtime runs the probe under the config given and applies each property the process table observes (${rows.length})`,
    needs: [], cgroupsPath: 'absolute', mountCgroup: 'none', rootPath: 'relative', requirements: ids.map(requirement),
    containers: new Map([['main', {
      alias: 'main', config: toRun, program: { wait: true }, hooks: {}, joinNamespaces: [],
      // The config's cwd is a directory of the image it was written for; the probe's rootfs gets it.
      whole: { dirs: typeof cwd === 'string' && cwd.startsWith('/') ? [cwd] : [] },
    }]]),
    steps,
  };
  const covered = rows.map((p) => propertyOf(PROCESS_ROWS[p]));
  const notJudged = [
    ...dropped,
    ...unjudgedProperties(config, covered, handled).map((property) => ({ property, why: NOT_JUDGED_WHY[property] ?? 'kept as given; no row of the process table observes it' })),
  ];
  return { testCase, rows, changed, notJudged };
}
