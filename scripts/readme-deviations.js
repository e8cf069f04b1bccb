#!/usr/bin/env node
// Writes README.md's table of known deviations from expectations/*.yaml,
// between its markers (test/expectations.test.ts checks that they agree).
//   npm run readme-deviations
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';

const root = new URL('../', import.meta.url);
const dist = new URL('dist/', root);
const { loadExpectations } = await import(new URL('expectations/file.js', dist).href);
const { deviationsTable, withTable } = await import(new URL('expectations/table.js', dist).href);
const { loadCatalogue } = await import(new URL('catalogue.js', dist).href);

const dir = new URL('expectations/', root);
const names = readdirSync(dir).filter((n) => n.endsWith('.yaml')).sort();
const files = await Promise.all(names.map((n) => loadExpectations(new URL(n, dir).pathname)));
const catalogue = await loadCatalogue(new URL('catalogue/requirements.yaml', root).pathname);
const readmePath = new URL('README.md', root);
const updated = withTable(readFileSync(readmePath, 'utf8'), deviationsTable(files, catalogue));
if (updated === undefined) {
  process.stderr.write('readme-deviations: README.md lacks the deviations markers\n');
  process.exit(2);
}
writeFileSync(readmePath, updated);
process.stdout.write(`README.md: deviations table from ${names.join(', ')}\n`);
