/**
 * The process table and the cases agree: every step of process-as-configured
 * stands for exactly the requirements of the rows it names, each row's
 * requirement is in the catalogue, and every row is judged by some case.
 * Needs no root and no runtime.
 */
import t from 'tap';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCatalogue } from '../src/catalogue.js';
import { loadCases } from '../src/cases/load.js';
import { CHECKS } from '../src/checks/index.js';
import { PROCESS_PROPERTIES, PROCESS_ROWS, type ProcessProperty } from '../src/checks/process-table.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const catalogue = await loadCatalogue(join(ROOT, 'catalogue', 'requirements.yaml'));
const { cases, errors } = await loadCases([join(ROOT, 'cases')], catalogue, CHECKS);

t.same(errors, [], 'the cases load');

t.test('each row names a requirement of the catalogue', async (t) => {
  for (const p of PROCESS_PROPERTIES) t.ok(catalogue.has(PROCESS_ROWS[p].requirement), `${p}: ${PROCESS_ROWS[p].requirement}`);
});

t.test('each process-as-configured step stands for the requirements of its rows', async (t) => {
  const judged = new Set<string>();
  for (const c of cases) {
    c.steps.forEach((s, i) => {
      if (s.kind !== 'check' || s.check !== 'process-as-configured') return;
      const rows = s.params['properties'] as ProcessProperty[];
      rows.forEach((r) => judged.add(r));
      t.same([...s.requirements].sort(), [...new Set(rows.map((r) => PROCESS_ROWS[r].requirement))].sort(), `${c.id} step ${i + 1}`);
    });
  }
  t.same(PROCESS_PROPERTIES.filter((p) => !judged.has(p)), [], 'every row is judged by some case');
});
