/**
 * Writes one runtime's certification bundle into a directory prepared by
 * target.ts: the reports of the run, the matrix of it, the environment file
 * and its README, and SHA256SUMS over all of them. Every file is created
 * with O_EXCL, so nothing already there (a planted link included) is written
 * through.
 */
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import type { Catalogue } from '../catalogue.js';
import { coverageOf } from '../coverage.js';
import type { SentenceCatalogue } from '../sentences.js';
import { renderJsonDocument } from '../report/json.js';
import { buildMatrix } from '../report/matrix.js';
import { renderMatrixHtml } from '../report/matrix-html.js';
import { renderMatrixMarkdown } from '../report/matrix-markdown.js';
import type { RunDocument } from '../results.js';
import { SetupError } from '../util/errors.js';
import { systemReason } from '../util/places.js';
import { sha256Hex } from '../util/sha256.js';
import { renderSums, SUMS_FILE } from './checksums.js';
import { expectedCounts, SUMMARY_TOTALS_HEADER } from './counts.js';
import { environmentOf, renderEnvironment } from './environment.js';
import { renderReadme, type BundleFile } from './readme.js';

/** One run's reports; a run inside a VM adds the VM's facts to its document. */
export interface BundleReports {
  readonly doc: RunDocument;
  readonly junit: string;
  readonly tap: string;
}

/** summary.md: the totals every report must agree on, then the run's matrix. */
export function renderSummary(doc: RunDocument, matrixMarkdown: string): string {
  const n = expectedCounts(doc);
  return [
    `# Certification summary: ${doc.runtime.version ?? doc.runtime.path}, spec ${doc.specVersion}`,
    '',
    SUMMARY_TOTALS_HEADER,
    '|---|---|---|---|---|---|',
    `| ${n.results} | ${n.pass} | ${n.mustFailed} | ${n.notFailing} | ${n.skip} | ${n.loadErrors} |`,
    '',
    matrixMarkdown,
  ].join('\n');
}

/** What the matrix is made with: the requirements, and the spec's sentences (what a grade vouches for). */
export interface MatrixSources {
  readonly catalogue: Catalogue;
  readonly sentences: SentenceCatalogue;
}

export function bundleFiles(reports: BundleReports, sources: MatrixSources): Record<BundleFile, string> {
  const { doc } = reports;
  const matrix = buildMatrix([{ file: 'results.json', doc }], sources.catalogue);
  const coverage = [coverageOf(sources.sentences, sources.catalogue, doc.specVersion)];
  const env = environmentOf(doc);
  return {
    'results.json': renderJsonDocument(doc),
    'junit.xml': reports.junit,
    'tap.log': reports.tap,
    'report.html': renderMatrixHtml(matrix, coverage),
    'summary.md': renderSummary(doc, renderMatrixMarkdown(matrix, coverage)),
    'environment.json': renderEnvironment(env),
    'README.md': renderReadme(env),
  };
}

async function create(file: string, text: string): Promise<void> {
  const handle = await open(file, 'wx', 0o644);
  try {
    await handle.writeFile(text, 'utf8');
  } finally {
    await handle.close();
  }
}

export async function writeBundle(dir: string, reports: BundleReports, sources: MatrixSources): Promise<void> {
  const files = Object.entries(bundleFiles(reports, sources));
  try {
    for (const [name, text] of files) await create(join(dir, name), text);
    await create(join(dir, SUMS_FILE), renderSums(files.map(([name, text]) => ({ name, sha256: sha256Hex(text) }))));
  } catch (e) {
    throw new SetupError(`--certify: cannot write the bundle in ${dir}: ${systemReason(e)}`);
  }
}
