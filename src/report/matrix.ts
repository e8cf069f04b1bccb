/**
 * The results matrix of several runs (`ocicomply report`): a pure function
 * from results documents and the catalogue to a model that the Markdown and
 * HTML renderers only lay out. Rows are requirements, grouped by area (the
 * case id's first part), then by spec document and section; columns are runs.
 */
import type { Catalogue } from '../catalogue.js';
import type { CgroupMode, Expectation, Level, Verdict } from '../results.js';

/** The part of a results document the matrix reads; documents of older versions lack `run`. */
export interface MatrixDocument {
  readonly ocicomply: string;
  readonly run?: { readonly startedAt?: string; readonly options?: { readonly vm?: string | null } };
  readonly runtime: { readonly path: string; readonly version: string | null };
  readonly specVersion: string;
  readonly host: { readonly kernel: string; readonly cgroup: CgroupMode };
  readonly results: readonly {
    readonly case: string;
    readonly requirement: string;
    readonly level: Level;
    readonly status: Verdict;
    readonly message?: string;
    readonly expectation?: Expectation;
  }[];
  readonly loadErrors?: readonly unknown[];
  readonly vm?: { readonly mode?: string };
}

/** A document and the file it came from (named in messages only). */
export interface NamedDocument {
  readonly file: string;
  readonly doc: MatrixDocument;
}

/**
 * green: every MUST and SHOULD judged passed; yellow: every MUST passed, a
 * SHOULD failed; red: a MUST failed (or, for a run, a case file could not be
 * loaded). Skips do not count; a failure an expectations file lists still does.
 */
export type Grade = 'green' | 'yellow' | 'red';

export type CellStatus = 'pass' | 'fail' | 'expected-fail' | 'skip';

export interface MatrixCell {
  readonly status: CellStatus;
  /** One line per case that judged the requirement: "case: message". */
  readonly details: readonly string[];
}

export interface MatrixRun {
  /** The file the run came from (the first, when several held it). */
  readonly file: string;
  /** The runtime's file name and the first line of its --version. */
  readonly runtime: string;
  readonly runtimePath: string;
  readonly specVersion: string;
  /** "KERNEL, cgroup MODE". */
  readonly host: string;
  readonly kernel: string;
  readonly cgroup: string;
  readonly vm: string | null;
  readonly startedAt: string | null;
  readonly grade: Grade;
  readonly loadErrors: number;
  readonly counts: { readonly pass: number; readonly fail: number; readonly skip: number };
}

export interface MatrixRow {
  readonly requirement: string;
  readonly level: Level;
  readonly summary: string;
  /** One per run, in column order; null where the run did not judge the requirement in this area. */
  readonly cells: readonly (MatrixCell | null)[];
}

export interface MatrixGroup {
  readonly doc: string;
  readonly section: string;
  /** The section at each target version among the runs, oldest first. */
  readonly links: readonly { readonly version: string; readonly url: string }[];
  readonly rows: readonly MatrixRow[];
}

export interface MatrixArea {
  readonly area: string;
  /** One per run; null where the run has no result in the area. */
  readonly grades: readonly (Grade | null)[];
  readonly groups: readonly MatrixGroup[];
}

export interface Matrix {
  readonly runs: readonly MatrixRun[];
  readonly areas: readonly MatrixArea[];
  /** Files that repeated a run another file holds, with the same results: shown once. */
  readonly duplicates: readonly { readonly file: string; readonly sameAs: string }[];
}

/** Two documents claim the same run but differ: refused, naming both. */
export class ConflictingRunsError extends Error {}

export const SPEC_REPOSITORY = 'https://github.com/opencontainers/runtime-spec';

const RUNTIME_TOOLS_PREFIX = 'runtime-tools/';

export function specUrl(version: string, doc: string, section: string): string {
  return `${SPEC_REPOSITORY}/blob/v${version}/${doc}#${section}`;
}

/**
 * Where a catalogue entry's text is: a runtime-spec document at each target
 * version; the command line document of runtime-tools, which is not
 * versioned with the spec, once; none for ocicomply's own conventions.
 */
export function specLinks(doc: string, section: string, versions: readonly string[]): { version: string; url: string }[] {
  if (!section || !doc.endsWith('.md')) return [];
  if (doc.startsWith(RUNTIME_TOOLS_PREFIX)) {
    return [{ version: 'runtime-tools', url: `https://github.com/opencontainers/runtime-tools/blob/master/${doc.slice(RUNTIME_TOOLS_PREFIX.length)}#${section}` }];
  }
  return versions.map((v) => ({ version: v, url: specUrl(v, doc, section) }));
}

export function areaOf(caseId: string): string {
  return caseId.split('/')[0] ?? caseId;
}

type Result = MatrixDocument['results'][number];

/** The grade of a set of results: skips do not count. */
export function gradeOf(results: readonly Pick<Result, 'level' | 'status'>[], loadErrors = 0): Grade {
  if (loadErrors > 0 || results.some((r) => r.status === 'fail' && r.level === 'MUST')) return 'red';
  if (results.some((r) => r.status === 'fail' && r.level === 'SHOULD')) return 'yellow';
  return 'green';
}

/** What makes two documents the same run: runtime, spec version, host kernel, VM mode and start (when recorded). */
function runKey(d: MatrixDocument): string {
  return JSON.stringify([d.runtime.path, d.runtime.version, d.specVersion, d.host.kernel, vmMode(d), d.run?.startedAt ?? null]);
}

function vmMode(d: MatrixDocument): string | null {
  return d.vm?.mode ?? d.run?.options?.vm ?? null;
}

/** The verdicts of a document, in a canonical order, to tell whether two documents say the same. */
function verdicts(d: MatrixDocument): string {
  return JSON.stringify(d.results.map((r) => `${r.case}\u0000${r.requirement}\u0000${r.status}`).sort());
}

function runtimeLabel(d: MatrixDocument): string {
  const name = d.runtime.path.split('/').pop() || d.runtime.path;
  const version = d.runtime.version?.trim();
  if (!version) return `${name} (version unknown)`;
  return version.toLowerCase().startsWith(name.toLowerCase()) ? version : `${name}: ${version}`;
}

function cellOf(results: readonly Result[]): MatrixCell {
  const failed = results.filter((r) => r.status === 'fail');
  const status: CellStatus = failed.length > 0
    ? failed.every((r) => r.expectation === 'expected-fail' || r.expectation === 'racy') ? 'expected-fail' : 'fail'
    : results.some((r) => r.status === 'pass') ? 'pass' : 'skip';
  return { status, details: results.map((r) => `${r.case}: ${r.status}${r.message ? `: ${r.message}` : ''}`) };
}

function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * The matrix of the documents, in the order given. A document that repeats
 * a run of an earlier one is dropped when its verdicts are the same, and
 * refused (ConflictingRunsError) when they differ.
 */
export function buildMatrix(documents: readonly NamedDocument[], catalogue: Catalogue): Matrix {
  const kept: NamedDocument[] = [];
  const duplicates: { file: string; sameAs: string }[] = [];
  const seen = new Map<string, NamedDocument>();
  for (const d of documents) {
    const key = runKey(d.doc);
    const earlier = seen.get(key);
    if (!earlier) {
      seen.set(key, d);
      kept.push(d);
    } else if (verdicts(earlier.doc) === verdicts(d.doc)) {
      duplicates.push({ file: d.file, sameAs: earlier.file });
    } else {
      throw new ConflictingRunsError(`${earlier.file} and ${d.file} claim the same run (${runtimeLabel(d.doc)} at ${d.doc.runtime.path}, spec ${d.doc.specVersion}, kernel ${d.doc.host.kernel}${vmMode(d.doc) ? `, VM ${vmMode(d.doc)}` : ''}${d.doc.run?.startedAt ? `, started ${d.doc.run.startedAt}` : ''}) with different results`);
    }
  }

  const runs: MatrixRun[] = kept.map(({ file, doc }) => {
    const loadErrors = doc.loadErrors?.length ?? 0;
    const count = (s: Verdict): number => doc.results.filter((r) => r.status === s).length;
    return {
      file, runtime: runtimeLabel(doc), runtimePath: doc.runtime.path, specVersion: doc.specVersion,
      host: `${doc.host.kernel}, cgroup ${doc.host.cgroup}`, kernel: doc.host.kernel, cgroup: doc.host.cgroup, vm: vmMode(doc), startedAt: doc.run?.startedAt ?? null,
      grade: gradeOf(doc.results, loadErrors), loadErrors, counts: { pass: count('pass'), fail: count('fail'), skip: count('skip') },
    };
  });

  const versions = [...new Set(kept.map((d) => d.doc.specVersion))].sort(compareVersions);
  const areaNames = [...new Set(kept.flatMap((d) => d.doc.results.map((r) => areaOf(r.case))))].sort(byName);
  const areas: MatrixArea[] = areaNames.map((area) => {
    // Per run, this area's results by requirement.
    const perRun = kept.map(({ doc }) => {
      const byReq = new Map<string, Result[]>();
      for (const r of doc.results) {
        if (areaOf(r.case) !== area) continue;
        byReq.set(r.requirement, [...(byReq.get(r.requirement) ?? []), r]);
      }
      return byReq;
    });
    const grades = perRun.map((byReq) => (byReq.size === 0 ? null : gradeOf([...byReq.values()].flat())));
    const requirementIds = [...new Set(perRun.flatMap((m) => [...m.keys()]))];
    const groups = new Map<string, { doc: string; section: string; rows: MatrixRow[] }>();
    for (const id of requirementIds) {
      const entry = catalogue.get(id);
      const anyResult = perRun.map((m) => m.get(id)?.[0]).find((r) => r !== undefined);
      const doc = entry?.doc ?? '(not in the catalogue)';
      const section = entry?.section ?? '';
      const key = `${doc}#${section}`;
      const group = groups.get(key) ?? { doc, section, rows: [] };
      groups.set(key, group);
      group.rows.push({
        requirement: id, level: entry?.level ?? anyResult?.level ?? 'MUST', summary: entry?.summary ?? '',
        cells: perRun.map((m) => {
          const results = m.get(id);
          return results ? cellOf(results) : null;
        }),
      });
    }
    return {
      area, grades,
      groups: [...groups.values()]
        .sort((a, b) => byName(a.doc, b.doc) || byName(a.section, b.section))
        .map((g) => ({
          ...g,
          links: specLinks(g.doc, g.section, versions),
          rows: g.rows.sort((a, b) => byName(a.requirement, b.requirement)),
        })),
    };
  });
  return { runs, areas, duplicates };
}
