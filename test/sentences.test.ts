/**
 * The catalogue of the spec's normative sentences (catalogue/sentences.yaml)
 * and the requirement catalogue held together: every requirement id is named
 * by a sentence (or listed as outside the spec), every id a sentence names
 * exists, levels agree or the entry says why, ids are unique, and every
 * sentence has exactly one verdict. Then the coverage figures, and README's,
 * which must be the command's. Needs no root and no runtime.
 */
import t from 'tap';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCatalogue, type Catalogue, type Requirement } from '../src/catalogue.js';
import { coverageOf } from '../src/coverage.js';
import { loadSentences, sentenceProblems, type Sentence, type SentenceCatalogue } from '../src/sentences.js';
import { coverage } from '../src/report/coverage-command.js';
import { coverageRows, renderCoverageText } from '../src/report/coverage-text.js';
import { renderMatrixHtml } from '../src/report/matrix-html.js';
import { renderMatrixMarkdown } from '../src/report/matrix-markdown.js';
import { SetupError } from '../src/util/errors.js';
import { ROOT } from './helpers/suite.js';

const catalogue = await loadCatalogue(join(ROOT, 'catalogue', 'requirements.yaml'));
const shipped = await loadSentences(join(ROOT, 'catalogue', 'sentences.yaml'));
const DOCS = ['runtime.md', 'runtime-linux.md', 'config.md', 'config-linux.md', 'features.md', 'features-linux.md', 'bundle.md'];
const STRENGTH: Record<string, 'MUST' | 'SHOULD' | 'MAY'> = {
  MUST: 'MUST', 'MUST NOT': 'MUST', REQUIRED: 'MUST', SHALL: 'MUST', 'SHALL NOT': 'MUST',
  SHOULD: 'SHOULD', 'SHOULD NOT': 'SHOULD', RECOMMENDED: 'SHOULD', 'NOT RECOMMENDED': 'SHOULD',
  MAY: 'MAY', OPTIONAL: 'MAY',
};

t.test('the two catalogues agree', async (t) => {
  // Each line names the id at fault; a requirement added without a sentence is one of them.
  t.same(sentenceProblems(shipped, catalogue), [], 'no problem between sentences.yaml and requirements.yaml');
});

t.test('every sentence is in scope and consistent in itself', async (t) => {
  const wrong: string[] = [];
  for (const s of shipped.sentences) {
    if (!DOCS.includes(s.doc)) wrong.push(`${s.id}: ${s.doc} is not one of the catalogued documents`);
    if (!s.id.startsWith(`${s.doc.replace(/\.md$/, '')}.${s.section}.`)) wrong.push(`${s.id}: the id does not start with its doc and section`);
    const strongest = s.keywords.map((k) => STRENGTH[k]!).sort((a, b) => ['MUST', 'SHOULD', 'MAY'].indexOf(a) - ['MUST', 'SHOULD', 'MAY'].indexOf(b))[0];
    if (strongest !== s.level) wrong.push(`${s.id}: level ${s.level}, but its strongest key word is a ${strongest}`);
  }
  t.same(wrong, []);
  t.ok(shipped.sentences.length >= 500, `${shipped.sentences.length} sentences`);
});

/** A requirement catalogue of the given ids, levels and ranges. */
function requirements(entries: [string, Requirement['level'], string][]): Catalogue {
  return new Map(entries.map(([id, level, versions]) => [id, { id, doc: 'runtime.md', section: 'runtimeState', level, versions, summary: id }]));
}

function sentence(id: string, extra: Partial<Sentence> & ({ judgedBy: string[] } | { notJudged: string } | { notYet: true })): Sentence {
  const [doc, section] = id.split('.');
  return { id, doc: `${doc}.md`, section: section!, level: 'MUST', keywords: ['MUST'], versions: '>=1.0.0', summary: id, ...extra } as Sentence;
}

t.test('each kind of disagreement is found and names its id', async (t) => {
  const reqs = requirements([['a.one', 'MUST', '>=1.0.0'], ['a.two', 'SHOULD', '>=1.0.0'], ['a.lonely', 'MUST', '>=1.0.0'], ['a.outside', 'MAY', '>=1.0.0']]);
  const bad: SentenceCatalogue = {
    outsideSpec: [{ id: 'a.outside', reason: 'r' }, { id: 'a.gone', reason: 'r' }, { id: 'a.one', reason: 'r' }],
    sentences: [
      sentence('runtime.runtimeState.1', { judgedBy: ['a.one', 'a.missing'] }),
      sentence('runtime.runtimeState.1', { notYet: true }),
      sentence('runtime.runtimeState.2', { judgedBy: ['a.two'] }),
      sentence('runtime.runtimeState.3', { judgedBy: ['a.two'], levelNote: 'why' }),
    ],
  };
  t.same(sentenceProblems(bad, reqs), [
    'runtime.runtimeState.1: judgedBy a.missing is no requirement id of requirements.yaml',
    'sentence id runtime.runtimeState.1 appears twice',
    'runtime.runtimeState.2 is a MUST but a.two is a SHOULD: say why in levelNote',
    'outsideSpec names a.gone, which is no requirement id of requirements.yaml',
    'outsideSpec names a.one, which a sentence\'s judgedBy names too',
    'requirement a.lonely is named by no sentence\'s judgedBy in sentences.yaml (add it to the sentence(s) it judges, or to outsideSpec with the reason)',
  ]);
});

t.test('a sentence has exactly one verdict, and a version range', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'ocicomply-sentences-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const head = 'outsideSpec: []\nsentences:\n  - { id: runtime.runtimeState.1, doc: runtime.md, section: runtimeState, level: MUST, keywords: [MUST], summary: s';
  const cases: [string, string][] = [
    ['none', `${head}, versions: ">=1.0.0" }\n`],
    ['two', `${head}, versions: ">=1.0.0", notYet: true, notJudged: why }\n`],
    ['range', `${head}, versions: "from 1.0", notYet: true }\n`],
    ['keyword', `${head.replace('[MUST]', '[must]')}, versions: ">=1.0.0", notYet: true }\n`],
  ];
  for (const [name, text] of cases) {
    const file = join(dir, `${name}.yaml`);
    await writeFile(file, text);
    await t.rejects(loadSentences(file), SetupError, `${name}: refused`);
  }
  const good = join(dir, 'good.yaml');
  await writeFile(good, `${head}, versions: ">=1.0.0", judgedBy: [x] }\n`);
  t.equal((await loadSentences(good)).sentences.length, 1, 'one verdict: loaded');
});

t.test('coverage counts per document and section, at a version', async (t) => {
  const reqs = requirements([['a.new', 'MUST', '>=1.1.0'], ['a.old', 'MUST', '<1.1.0'], ['a.all', 'MUST', '>=1.0.0']]);
  const sentences: SentenceCatalogue = {
    outsideSpec: [],
    sentences: [
      sentence('runtime.runtimeState.1', { judgedBy: ['a.all'] }),
      sentence('runtime.runtimeState.2', { judgedBy: ['a.new'] }),
      sentence('runtime.runtimeCreate.1', { notJudged: 'why', level: 'SHOULD', keywords: ['SHOULD'] }),
      sentence('config.configRoot.1', { notYet: true, versions: '>=1.2.0' }),
    ],
  };
  const at100 = coverageOf(sentences, reqs, '1.0.0');
  t.match(at100, { sentences: 3, judged: 1, notJudged: 1, notYet: 1 }, '1.0.0: a sentence whose only requirement starts at 1.1.0 is not judged yet');
  t.same(at100.documents.map((d) => d.doc), ['runtime.md'], 'config.md has no sentence at 1.0.0');
  t.same(at100.documents[0]!.sections.map((s) => [s.section, s.sentences, s.judged]), [['runtimeState', 2, 1], ['runtimeCreate', 1, 0]]);
  t.match(at100.levels, { MUST: { sentences: 2 }, SHOULD: { sentences: 1, notJudged: 1 }, MAY: { sentences: 0 } });
  const at130 = coverageOf(sentences, reqs, '1.3.0');
  t.match(at130, { sentences: 4, judged: 2, notJudged: 1, notYet: 1 });
  t.same(coverageRows(at130, false).map((r) => r.label), ['runtime.md', 'config.md', 'all documents', 'MUST sentences', 'SHOULD sentences', 'MAY sentences']);
});

t.test('the shipped figures add up, and README shows those of 1.3.0', async (t) => {
  const c = coverageOf(shipped, catalogue, '1.3.0');
  t.equal(c.judged + c.notJudged + c.notYet, c.sentences);
  t.equal(c.documents.reduce((n, d) => n + d.sentences, 0), c.sentences);
  t.equal(c.levels.MUST.sentences + c.levels.SHOULD.sentences + c.levels.MAY.sentences, c.sentences);
  t.same(c.documents.map((d) => d.doc), DOCS, 'every catalogued document has sentences at 1.3.0');
  // Compared with runs of blanks as one, so a wider column elsewhere does not matter.
  const squeeze = (l: string) => l.trim().replace(/\s+/g, ' ');
  const readme = new Set((await readFile(join(ROOT, 'README.md'), 'utf8')).split('\n').map(squeeze));
  const wanted = renderCoverageText(c).split('\n').filter((l) => /^(?:[a-z-]+\.md|all documents|(?:MUST|SHOULD|MAY) sentences)\s/.test(l)).map(squeeze);
  t.equal(wanted.length, DOCS.length + 4);
  const missing = wanted.filter((l) => !readme.has(l));
  t.same(missing, [], 'README.md, Coverage of the spec, has these lines of `ocicomply coverage` as they are now');
});

t.test('the matrix report says what a grade vouches for', async (t) => {
  const empty = { runs: [], areas: [], duplicates: [] };
  const c = coverageOf(shipped, catalogue, '1.3.0');
  const markdown = renderMatrixMarkdown(empty, [c]);
  t.match(markdown, '## What a green grade vouches for');
  t.match(markdown, `| 1.3.0 | **all documents** | ${c.sentences} | ${c.judged} (`);
  t.notMatch(renderMatrixMarkdown(empty), 'vouches for', 'no section without figures');
  const html = renderMatrixHtml(empty, [c]);
  t.match(html, '<h2 id="coverage">What a green grade vouches for</h2>');
  t.match(html, `<strong>all documents</strong></th><td>${c.sentences}</td><td>${c.judged} (`);
});

t.test('the coverage command prints the figures, as text or JSON', async (t) => {
  const printed: string[] = [];
  const given = { specVersion: '1.2.1', sentences: async () => shipped, catalogue: async () => catalogue, print: (text: string) => void printed.push(text) };
  t.equal(await coverage({ ...given, json: true }), 0);
  t.equal(await coverage({ ...given, json: false }), 0);
  const c = coverageOf(shipped, catalogue, '1.2.1');
  t.same(JSON.parse(printed[0]!), c, '--json: the figures as coverageOf counts them');
  t.equal(printed[1], renderCoverageText(c));
  t.match(printed[1], /^Normative sentences of runtime-spec 1\.2\.1 for Linux/);
});
