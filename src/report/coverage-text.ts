/**
 * The coverage of the spec (src/coverage.ts) as words: the plain text of
 * `ocicomply coverage`, and the small table the matrix report shows per
 * spec version ("what a green grade vouches for").
 */
import type { Coverage, CoverageCounts } from '../coverage.js';

/** What the categories mean, said wherever the figures are shown. */
export const COVERAGE_LEGEND =
  'judged: a requirement id of ocicomply judges the sentence; cannot be judged: not through the OCI command line or not on such hosts (a rule for the config\'s author, a permission, a feature these hosts lack); not judged yet: observable, but no case judges it.';

export interface CoverageRow {
  readonly label: string;
  /** 0: the whole spec, 1: a document or a level, 2: a section. */
  readonly depth: 0 | 1 | 2;
  readonly counts: CoverageCounts;
}

/** Per document (optionally with its sections), then the totals and the totals per level. */
export function coverageRows(c: Coverage, sections: boolean): CoverageRow[] {
  const rows: CoverageRow[] = [];
  for (const d of c.documents) {
    rows.push({ label: d.doc, depth: 1, counts: d });
    if (sections) for (const s of d.sections) rows.push({ label: `#${s.section}`, depth: 2, counts: s });
  }
  rows.push({ label: 'all documents', depth: 0, counts: c });
  for (const level of ['MUST', 'SHOULD', 'MAY'] as const) rows.push({ label: `${level} sentences`, depth: 1, counts: c.levels[level] });
  return rows;
}

export function percent(part: number, whole: number): string {
  return whole === 0 ? '—' : `${Math.round((100 * part) / whole)}%`;
}

export function renderCoverageText(c: Coverage): string {
  const head = ['', 'sentences', 'judged', 'cannot be judged', 'not judged yet'];
  const entries = coverageRows(c, true);
  const rows = entries.map((r) => [
    `${'  '.repeat(r.depth === 0 ? 0 : r.depth - 1)}${r.label}`,
    String(r.counts.sentences),
    `${r.counts.judged} (${percent(r.counts.judged, r.counts.sentences)})`,
    String(r.counts.notJudged),
    String(r.counts.notYet),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ').trimEnd();
  return [
    `Normative sentences of runtime-spec ${c.specVersion} for Linux (catalogue/sentences.yaml), by document and section:`,
    '',
    line(head),
    // A blank line sets the totals apart from the last document's sections.
    ...rows.map((r, i) => (entries[i]!.depth === 0 ? `\n${line(r)}` : line(r))),
    '',
    COVERAGE_LEGEND,
    '',
  ].join('\n');
}

/** Why the figures stand beside the grades. */
export const VOUCHES_FOR =
  'A grade counts only what ocicomply judges. Of the normative sentences of the runtime-spec for Linux (catalogue/sentences.yaml, which holds those of 1.3.0: at an older version only the sentences its text already had word for word count), at each spec version of these runs:';
