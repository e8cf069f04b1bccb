#!/usr/bin/env node
/**
 * Turns the observations of a results document (`run --json FILE
 * --observations`) into unit fixtures of the checks: one JSON file per kept
 * observation under test/fixtures/checks/<check>/, with the outcome its judge
 * gives now as `expect`. Review each before committing it: a fixture says
 * what the judge must conclude from that observation.
 *
 *   node scripts/record-fixtures.js RESULTS.json --label NAME [--check NAME]... [--per-outcome N] [--out DIR]
 *
 * --label names the runtime in the fixture's file name and source (runc,
 * crun, or a broken runtime's name); --per-outcome keeps at most N fixtures
 * per check and outcome (default 1) that differ from those already there.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CHECKS } from '../dist/checks/index.js';
import { findingsOutcome } from '../dist/engine/check.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { label: { type: 'string' }, check: { type: 'string', multiple: true }, 'per-outcome': { type: 'string', default: '1' }, out: { type: 'string', default: join(ROOT, 'test', 'fixtures', 'checks') } },
});
if (positionals.length !== 1 || !values.label) {
  process.stderr.write('usage: node scripts/record-fixtures.js RESULTS.json --label NAME [--check NAME]... [--per-outcome N] [--out DIR]\n');
  process.exit(2);
}
const doc = JSON.parse(await readFile(positionals[0], 'utf8'));
if (!Array.isArray(doc.observations)) {
  process.stderr.write(`${positionals[0]}: no observations (run with --json FILE --observations)\n`);
  process.exit(2);
}
const perOutcome = Number(values['per-outcome']);
const at = { specVersion: doc.specVersion, host: doc.host };
const kept = new Map();
let written = 0;
for (const { case: caseId, steps } of doc.observations) {
  for (const o of steps) {
    const def = CHECKS.get(o.check);
    if (!def || (values.check && !values.check.includes(o.check))) continue;
    const expect = findingsOutcome(def.judge(o.params, o.seen, at));
    const dir = join(values.out, o.check);
    if (!kept.has(dir)) kept.set(dir, await existing(dir));
    const have = kept.get(dir);
    const key = JSON.stringify([o.params, o.seen]);
    if (have.keys.has(key) || (have.count.get(`${values.label}:${expect}`) ?? 0) >= perOutcome) continue;
    const fixture = {
      label: values.label,
      source: `${values.label} (${doc.runtime.version ?? 'no version'}) at spec ${doc.specVersion}: case ${caseId}, step ${o.step}`,
      expect, params: o.params, at, seen: o.seen,
    };
    await mkdir(dir, { recursive: true });
    const file = join(dir, `${values.label}-${caseId.replaceAll('/', '_')}-step${o.step}.json`);
    await writeFile(file, `${JSON.stringify(fixture, null, 2)}\n`);
    have.keys.add(key);
    have.count.set(`${values.label}:${expect}`, (have.count.get(`${values.label}:${expect}`) ?? 0) + 1);
    written++;
    process.stdout.write(`${expect.padEnd(4)} ${file}\n`);
  }
}
process.stdout.write(`${written} fixture(s) written\n`);

async function existing(dir) {
  const keys = new Set();
  const count = new Map();
  for (const name of await readdir(dir).catch(() => [])) {
    if (!name.endsWith('.json')) continue;
    const f = JSON.parse(await readFile(join(dir, name), 'utf8'));
    keys.add(JSON.stringify([f.params, f.seen]));
    count.set(`${f.label}:${f.expect}`, (count.get(`${f.label}:${f.expect}`) ?? 0) + 1);
  }
  return { keys, count };
}
