/**
 * Every registered check can pass and can fail: each has, under
 * test/fixtures/checks/<check>/, recorded or hand-made observations on which
 * its judge must conclude `expect`, at least one of them a pass and one a
 * failure. A check without both cannot be registered. Needs no root and no
 * runtime.
 */
import t from 'tap';
import { Ajv } from 'ajv';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHECKS } from '../src/checks/index.js';
import { findingsOutcome, type JudgeContext } from '../src/engine/check.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'checks');

interface Fixture {
  readonly label: string;
  /** Where the observation comes from: a recorded run (runtime, spec version, case, step) or "hand-made: why". */
  readonly source: string;
  readonly expect: 'pass' | 'fail' | 'skip';
  readonly params: Record<string, unknown>;
  readonly at: JudgeContext;
  readonly seen: unknown;
}

async function fixturesOf(check: string): Promise<{ file: string; fixture: Fixture }[]> {
  const dir = join(FIXTURES, check);
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.json')).sort();
  return Promise.all(names.map(async (file) => ({ file, fixture: JSON.parse(await readFile(join(dir, file), 'utf8')) as Fixture })));
}

const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });

for (const [name, def] of [...CHECKS].sort(([a], [b]) => a.localeCompare(b))) {
  t.test(name, async (t) => {
    const fixtures = await fixturesOf(name);
    t.ok(fixtures.some((f) => f.fixture.expect === 'pass'), 'has a fixture on which it passes');
    t.ok(fixtures.some((f) => f.fixture.expect === 'fail'), 'has a fixture on which it fails');
    const validParams = ajv.compile(def.params);
    for (const { file, fixture } of fixtures) {
      t.ok(validParams(fixture.params), `${file}: its params are valid for ${name}`);
      const before = JSON.stringify(fixture.seen);
      const findings = def.judge(fixture.params, fixture.seen, fixture.at);
      t.equal(findingsOutcome(findings), fixture.expect, `${file} (${fixture.source}): ${findings.map((f) => ('skip' in f ? `skip: ${f.skip}` : f.message)).join('; ')}`);
      t.same(def.judge(fixture.params, fixture.seen, fixture.at), findings, `${file}: judged twice, the same findings`);
      t.equal(JSON.stringify(fixture.seen), before, `${file}: the judge left the observation unchanged`);
    }
  });
}

t.test('every fixture directory names a registered check', async (t) => {
  const dirs = await readdir(FIXTURES).catch(() => [] as string[]);
  t.same(dirs.filter((d) => !CHECKS.has(d)), [], 'no fixtures of an unknown check');
});

t.test('checks judge without I/O: no module of src/checks imports node: or the host, runtime or polling modules', async (t) => {
  const dir = join(ROOT, 'src', 'checks');
  for (const file of (await readdir(dir)).filter((f) => f.endsWith('.ts'))) {
    const text = await readFile(join(dir, file), 'utf8');
    const valueImports = [...text.matchAll(/^import\s+(?!type\b)[^;]*?from\s+'([^']+)'/gms)].map((m) => m[1]!);
    const io = valueImports.filter((m) => m.startsWith('node:') || /^\.\.\/(host|runtime|vm|run)\//.test(m) || m === '../util/poll.js');
    t.same(io, [], `${file} imports no I/O module`);
  }
});
