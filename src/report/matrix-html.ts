/**
 * The results matrix as one self-contained HTML page: inline CSS, no script,
 * no external font, style or image. Each area's table scrolls sideways with
 * the requirement column kept in view, so it reads on a phone as on a wide
 * screen. Every verdict and grade is a word, not a colour alone; a failure's
 * or skip's reason shows on hover and when its cell is tapped (details).
 */
import type { Coverage } from '../coverage.js';
import { COVERAGE_LEGEND, coverageRows, percent, VOUCHES_FOR } from './coverage-text.js';
import type { Grade, Matrix, MatrixCell, MatrixRun } from './matrix.js';
import { CELL_LABEL, GRADE_LABEL, GRADE_NOTE } from './matrix-markdown.js';

/** Text made safe for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}
const h = escapeHtml;

/** An id or path, escaped, that may break after its dots, hyphens and slashes rather than anywhere. */
function breakable(text: string): string {
  return h(text).replace(/([./-])/g, '$1<wbr>');
}

const CSS = `
*{box-sizing:border-box}
body{font:15px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;padding:12px;color:#1b1b1b;background:#fff}
h1{font-size:1.4em;margin:.2em 0 .6em}
h2{font-size:1.15em;margin:1.4em 0 .4em}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch;border:1px solid #ccc;max-width:100%}
table{border-collapse:separate;border-spacing:0}
th,td{border-bottom:1px solid #ddd;border-right:1px solid #eee;padding:4px 6px;vertical-align:top;text-align:left}
thead th{background:#f3f3f3;font-weight:600;font-size:.85em;position:sticky;top:0}
.req{position:sticky;left:0;background:#fff;z-index:1;min-width:10em;max-width:min(45vw,26em);border-right:2px solid #bbb}
thead .req{background:#f3f3f3;z-index:2}
.req code{font-size:.85em}
.req .sum{display:block;font-size:.8em;font-weight:400;color:#444}
.req.narrow{min-width:0;max-width:none}
tr.group th{background:#eef2f7;font-size:.85em}
tr.group .req{background:#eef2f7}
.level{font-size:.75em;font-weight:700;padding:0 3px;border:1px solid #888;border-radius:3px;margin-right:4px;white-space:nowrap}
td.cell{min-width:7.5em;max-width:18em;font-size:.9em}
.pass{background:#dcf3e1;color:#0c4a1c}
.fail{background:#fbd9d6;color:#7a0b06;font-weight:700}
.xfail{background:#fdebc8;color:#6b4300}
.skip{background:#eceff1;color:#37474f}
.none{color:#888}
details>summary{cursor:pointer}
details p{font-weight:400;margin:.3em 0 0;white-space:pre-wrap;word-break:break-word;font-size:.85em}
.grade{display:inline-block;padding:1px 6px;border-radius:3px;font-weight:700;white-space:nowrap}
.g-green{background:#2e7d32;color:#fff}
.g-yellow{background:#f9d849;color:#3a3000}
.g-red{background:#c62828;color:#fff}
.runhead{white-space:nowrap}
.runhead span{display:block;font-weight:400}
.runs td{white-space:nowrap}
.legend{font-size:.9em;max-width:60em}
.legend td{border:none}
ul.dup{font-size:.9em}
.legend .labels span{display:inline-block;white-space:nowrap;margin:1px 0}
@media (max-width:600px){body{padding:6px;font-size:14px}.req{max-width:42vw;min-width:8em}.req.narrow{min-width:0}.req .sum{display:-webkit-box;-webkit-line-clamp:2;-webkit-box-orient:vertical;overflow:hidden}}
`;

function grade(g: Grade | null): string {
  return g === null ? '<span class="none">— none</span>' : `<span class="grade g-${g}">${GRADE_LABEL[g]}</span>`;
}

const CELL_CLASS = { pass: 'pass', fail: 'fail', 'expected-fail': 'xfail', skip: 'skip' } as const;

function cell(c: MatrixCell | null): string {
  if (c === null) return '<td class="cell none" title="not judged in this run">—</td>';
  const label = CELL_LABEL[c.status];
  if (c.status === 'pass') return `<td class="cell pass">${label}</td>`;
  const why = c.details.join('\n');
  return `<td class="cell ${CELL_CLASS[c.status]}"><details><summary title="${h(why)}">${label}</summary><p>${h(why)}</p></details></td>`;
}

function runHead(r: MatrixRun, i: number): string {
  return `<th class="runhead" scope="col">run ${i + 1}<span>${h(r.runtime)}</span><span>spec ${h(r.specVersion)}</span><span>${h(r.kernel)}</span><span>cgroup ${h(r.cgroup)}</span><span>${r.vm ? `VM ${h(r.vm)}` : 'no VM'}</span></th>`;
}

/** "What a green grade vouches for": the coverage of the spec at each run's spec version. */
function coverageSection(coverage: readonly Coverage[]): string {
  if (coverage.length === 0) return '';
  const rows = coverage.map((c) => coverageRows(c, false).map((r) => {
    const label = r.depth === 0 ? `<strong>${h(r.label)}</strong>` : h(r.label);
    return `<tr><th class="req narrow" scope="row">spec ${h(c.specVersion)}: ${label}</th><td>${r.counts.sentences}</td><td>${r.counts.judged} (${percent(r.counts.judged, r.counts.sentences)})</td><td>${r.counts.notJudged}</td><td>${r.counts.notYet}</td></tr>`;
  }).join('')).join('');
  return `<h2 id="coverage">What a green grade vouches for</h2><p class="legend">${h(VOUCHES_FOR)}</p><div class="scroll"><table class="runs"><thead><tr><th class="req narrow" scope="col">sentences of</th><th scope="col">sentences</th><th scope="col">judged</th><th scope="col">cannot be judged</th><th scope="col">not judged yet</th></tr></thead><tbody>${rows}</tbody></table></div><p class="legend">${h(COVERAGE_LEGEND)}</p>`;
}

export function renderMatrixHtml(m: Matrix, coverage: readonly Coverage[] = []): string {
  const heads = m.runs.map(runHead).join('');
  const runsTable = `<div class="scroll"><table class="runs"><thead><tr><th class="req narrow" scope="col">run</th><th scope="col">runtime</th><th scope="col">spec</th><th scope="col">host</th><th scope="col">VM</th><th scope="col">started</th><th scope="col">grade</th><th scope="col">pass / fail / skip</th><th scope="col">file</th></tr></thead><tbody>${m.runs.map((r, i) =>
    `<tr><th class="req narrow" scope="row">run ${i + 1}</th><td>${h(r.runtime)}<br><code>${breakable(r.runtimePath)}</code></td><td>${h(r.specVersion)}</td><td>${h(r.host)}</td><td>${r.vm ? h(r.vm) : 'no'}</td><td>${r.startedAt ? h(r.startedAt) : '—'}</td><td>${grade(r.grade)}${r.loadErrors > 0 ? ` (${r.loadErrors} case file(s) not loaded)` : ''}</td><td>${r.counts.pass} / ${r.counts.fail} / ${r.counts.skip}</td><td><code>${h(r.file)}</code></td></tr>`).join('')}</tbody></table></div>`;
  const dups = m.duplicates.length === 0 ? '' : `<ul class="dup">${m.duplicates.map((d) => `<li><code>${h(d.file)}</code> repeats the run of <code>${h(d.sameAs)}</code> with the same results; shown once.</li>`).join('')}</ul>`;
  const legend = `<table class="legend"><tbody>
<tr><td>${grade('green')}</td><td>every MUST and SHOULD passed</td></tr>
<tr><td>${grade('yellow')}</td><td>every MUST passed, a SHOULD failed</td></tr>
<tr><td>${grade('red')}</td><td>a MUST failed (or, for a run, a case file could not be loaded)</td></tr>
<tr><td colspan="2">${h(GRADE_NOTE)}</td></tr>
<tr><td class="labels"><span class="pass">&nbsp;pass&nbsp;</span> <span class="fail">&nbsp;FAIL&nbsp;</span> <span class="xfail">&nbsp;expected fail&nbsp;</span> <span class="skip">&nbsp;skip&nbsp;</span> <span class="none">&nbsp;—&nbsp;</span></td><td>a requirement's verdict in a run; expected fail: an expectations file lists the failure; —: not judged in that run. Hover over or tap a FAIL, expected fail or skip for its reason.</td></tr>
</tbody></table>`;
  const grades = `<div class="scroll"><table><thead><tr><th class="req" scope="col">area</th>${heads}</tr></thead><tbody><tr><th class="req" scope="row">all</th>${m.runs.map((r) => `<td>${grade(r.grade)}</td>`).join('')}</tr>${m.areas.map((a) =>
    `<tr><th class="req" scope="row"><a href="#area-${h(a.area)}">${h(a.area)}</a></th>${a.grades.map((g) => `<td>${grade(g)}</td>`).join('')}</tr>`).join('')}</tbody></table></div>`;
  const areas = m.areas.map((a) => {
    const rows = a.groups.map((g) => {
      const links = g.links.map((l) => `<a href="${h(l.url)}">${l.version === 'runtime-tools' ? 'runtime-tools' : `spec ${h(l.version)}`}</a>`).join(' · ');
      const group = `<tr class="group"><th class="req" scope="rowgroup">${breakable(g.doc)}${g.section ? `#${h(g.section)}` : ''}${links ? `<br>${links}` : ''}</th><th colspan="${m.runs.length}"></th></tr>`;
      return group + g.rows.map((r) =>
        `<tr><th class="req" scope="row"${r.summary ? ` title="${h(r.summary)}"` : ''}><span class="level">${r.level}</span><code>${breakable(r.requirement)}</code>${r.summary ? `<span class="sum">${h(r.summary)}</span>` : ''}</th>${r.cells.map(cell).join('')}</tr>`).join('');
    }).join('');
    return `<section id="area-${h(a.area)}"><h2>${h(a.area)}</h2><div class="scroll"><table><thead><tr><th class="req" scope="col">requirement</th>${heads}</tr></thead><tbody>${rows}</tbody></table></div></section>`;
  }).join('\n');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>ocicomply results matrix</title><style>${CSS}</style></head>
<body><h1>ocicomply results matrix</h1>
<h2>Grades</h2>${grades}
<h2>Legend</h2>${legend}
<h2>Runs</h2>${runsTable}${dups}
${coverageSection(coverage)}
${areas}
</body></html>
`;
}
