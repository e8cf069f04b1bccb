/**
 * `ocicomply report RESULTS.json... [--html FILE] [--markdown FILE]`: reads
 * the documents (only their data: nothing named in one is opened or run),
 * builds the matrix and writes it. Every output place is opened before any
 * document is read, and nothing is written unless every document is good.
 */
import { resolve } from 'node:path';
import type { Catalogue } from '../catalogue.js';
import { coverageOf } from '../coverage.js';
import type { SentenceCatalogue } from '../sentences.js';
import { sortVersions } from '../spec/version.js';
import { SetupError } from '../util/errors.js';
import { readMatrixDocument } from './json.js';
import { buildMatrix, ConflictingRunsError, type Matrix, type NamedDocument } from './matrix.js';
import { renderMatrixHtml } from './matrix-html.js';
import { renderMatrixMarkdown } from './matrix-markdown.js';
import { openReportOutput, type ReportOutput } from './output.js';

export interface ReportCommand {
  readonly files: readonly string[];
  readonly html: string | undefined;
  readonly markdown: string | undefined;
  readonly catalogue: () => Promise<Catalogue>;
  readonly sentences: () => Promise<SentenceCatalogue>;
}

export async function report(o: ReportCommand): Promise<number> {
  if (o.files.length === 0) throw new SetupError('report needs one or more results documents written by run --json (see ocicomply report --help)');
  if (o.html === '-') throw new SetupError('--html wants a file name');
  if (o.html !== undefined && o.markdown !== undefined && o.markdown !== '-' && resolve(o.html) === resolve(o.markdown)) throw new SetupError(`--html and --markdown name the same file, ${o.html}`);
  const opened: ReportOutput[] = [];
  try {
    const html = o.html === undefined ? undefined : await openReportOutput('--html', o.html);
    if (html) opened.push(html);
    // Without any output named, the Markdown goes to standard output.
    const markdownName = o.markdown ?? (o.html === undefined ? '-' : undefined);
    const markdown = markdownName === undefined ? undefined : await openReportOutput('--markdown', markdownName);
    if (markdown) opened.push(markdown);
    const documents: NamedDocument[] = [];
    for (const file of o.files) documents.push({ file, doc: await readMatrixDocument(file) });
    let matrix: Matrix;
    const catalogue = await o.catalogue();
    try {
      matrix = buildMatrix(documents, catalogue);
    } catch (e) {
      if (e instanceof ConflictingRunsError) throw new SetupError(`report: ${e.message}`);
      throw e;
    }
    for (const d of matrix.duplicates) process.stderr.write(`ocicomply: ${d.file} repeats the run of ${d.sameAs} with the same results; shown once\n`);
    // What the grades vouch for: the spec's sentences at each target version among the runs.
    const sentences = await o.sentences();
    const coverage = sortVersions(matrix.runs.map((r) => r.specVersion)).map((v) => coverageOf(sentences, catalogue, v));
    if (html) await html.write(renderMatrixHtml(matrix, coverage));
    if (markdown) await markdown.write(renderMatrixMarkdown(matrix, coverage));
    return 0;
  } finally {
    for (const out of opened) await out.discard();
  }
}
