/**
 * The results matrix as GitHub-flavoured Markdown: the runs, a grades table
 * (each run, and each run's areas), what a green grade vouches for (the spec's
 * sentences each run's spec version has, and how many are judged) and a
 * table per area.
 */
import type { Coverage } from '../coverage.js';
import { COVERAGE_LEGEND, coverageRows, percent, VOUCHES_FOR } from './coverage-text.js';
import type { CellStatus, Grade, Matrix, MatrixCell, MatrixRun } from './matrix.js';

export const GRADE_LABEL: Record<Grade, string> = { green: 'green', yellow: 'yellow', red: 'red' };
const GRADE_MARK: Record<Grade, string> = { green: '🟢', yellow: '🟡', red: '🔴' };
export const CELL_LABEL: Record<CellStatus, string> = { pass: 'pass', fail: 'FAIL', 'expected-fail': 'expected fail', skip: 'skip' };

/** What grades do not count, said wherever grades are shown. */
export const GRADE_NOTE = 'Skips do not count. A failure an expectations file lists (expected fail) still counts; MAY failures do not.';
const LEGEND_GRADES = `green: every MUST and SHOULD passed; yellow: every MUST passed, a SHOULD failed; red: a MUST failed (or, for a run, a case file could not be loaded). ${GRADE_NOTE}`;

/** Text for a Markdown table cell: one line, no pipe, and no HTML (GitHub would render it). */
function md(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\|/g, '\\|');
}

function short(text: string, max = 120): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function grade(g: Grade | null): string {
  return g === null ? '—' : `${GRADE_MARK[g]} ${GRADE_LABEL[g]}`;
}

export function runHeading(run: MatrixRun, i: number): string {
  return `${i + 1}: ${run.runtime}, spec ${run.specVersion}${run.vm ? `, VM ${run.vm}` : ''}`;
}

function cell(c: MatrixCell | null): string {
  if (c === null) return '—';
  const label = c.status === 'fail' ? `**${CELL_LABEL.fail}**` : CELL_LABEL[c.status];
  if (c.status === 'pass') return label;
  // A failure or skip shows why; a requirement judged by several cases shows each.
  const why = c.details.filter((d) => c.status === 'skip' || !/^[^:]*: pass\b/.test(d));
  return `${label}: ${md(short(why.join('; ')))}`;
}

/** "What a green grade vouches for": the coverage of the spec at each run's spec version. */
function coverageSection(coverage: readonly Coverage[]): string[] {
  if (coverage.length === 0) return [];
  const out = ['', '## What a green grade vouches for', '', VOUCHES_FOR, '', '| spec | sentences of | sentences | judged | cannot be judged | not judged yet |', '|---|---|---|---|---|---|'];
  for (const c of coverage) {
    for (const r of coverageRows(c, false)) {
      const label = r.depth === 0 ? `**${md(r.label)}**` : md(r.label);
      out.push(`| ${md(c.specVersion)} | ${label} | ${r.counts.sentences} | ${r.counts.judged} (${percent(r.counts.judged, r.counts.sentences)}) | ${r.counts.notJudged} | ${r.counts.notYet} |`);
    }
  }
  out.push('', md(COVERAGE_LEGEND));
  return out;
}

export function renderMatrixMarkdown(m: Matrix, coverage: readonly Coverage[] = []): string {
  const out: string[] = ['# Results matrix', ''];
  out.push('| run | runtime | spec | host | VM | started | grade | pass | fail | skip | file |', '|---|---|---|---|---|---|---|---|---|---|---|');
  m.runs.forEach((r, i) => {
    const load = r.loadErrors > 0 ? ` (${r.loadErrors} case file(s) not loaded)` : '';
    out.push(`| ${i + 1} | ${md(r.runtime)} (\`${md(r.runtimePath)}\`) | ${md(r.specVersion)} | ${md(r.host)} | ${r.vm ? md(r.vm) : 'no'} | ${r.startedAt ? md(r.startedAt) : '—'} | ${grade(r.grade)}${load} | ${r.counts.pass} | ${r.counts.fail} | ${r.counts.skip} | ${md(r.file)} |`);
  });
  for (const d of m.duplicates) out.push('', `${md(d.file)} repeats the run of ${md(d.sameAs)} with the same results; shown once.`);
  out.push('', `Grades: ${LEGEND_GRADES}`, '', 'Cells: pass, **FAIL**, expected fail (an expectations file lists the failure), skip, — (not judged in that run).', '');

  const runCols = m.runs.map((_, i) => `run ${i + 1}`);
  out.push('## Grades', '', `| area | ${runCols.join(' | ')} |`, `|---|${runCols.map(() => '---').join('|')}|`);
  out.push(`| **all** | ${m.runs.map((r) => grade(r.grade)).join(' | ')} |`);
  for (const a of m.areas) out.push(`| ${md(a.area)} | ${a.grades.map(grade).join(' | ')} |`);
  out.push(...coverageSection(coverage));

  for (const a of m.areas) {
    out.push('', `## ${md(a.area)}`, '', `| requirement | level | ${runCols.join(' | ')} |`, `|---|---|${runCols.map(() => '---').join('|')}|`);
    for (const g of a.groups) {
      const links = g.links.map((l) => `[${l.version === 'runtime-tools' ? l.version : `spec ${l.version}`}](${l.url})`).join(', ');
      out.push(`| **${md(g.doc)}${g.section ? `#${md(g.section)}` : ''}**${links ? ` (${links})` : ''} | | ${runCols.map(() => '').join(' | ')} |`);
      for (const row of g.rows) out.push(`| \`${md(row.requirement)}\` | ${row.level} | ${row.cells.map(cell).join(' | ')} |`);
    }
  }
  return `${out.join('\n')}\n`;
}
