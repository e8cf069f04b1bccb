#!/usr/bin/env node
/**
 * Lists the normative sentences of a runtime-spec release: every sentence of
 * the Linux-relevant documents with an RFC 2119 key word in upper case, with
 * its section anchor, level and the first release whose text holds it. A
 * maintainer's tool for catalogue/sentences.yaml when a new spec version
 * comes out: run it on the new tag, compare with the catalogue, write the new
 * entries in ocicomply's own words. It prints the spec's sentences to read;
 * the catalogue keeps only summaries and links.
 *
 *   node scripts/spec-sentences.js GIT_DIR [--tag v1.3.0] [--json]
 *
 * GIT_DIR is a clone (or bare mirror) of opencontainers/runtime-spec. Each
 * line of the spec's markdown holds one sentence by the project's own
 * convention; a line with several is split at ". ". A sentence for another
 * platform (Windows, Solaris, z/OS, FreeBSD, VM) is left out and counted.
 * versions: the first release from which every later release up to --tag
 * holds the sentence (links and emphasis stripped, so a reworded rule counts
 * from its rewording).
 */
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';

const DOCS = ['runtime.md', 'runtime-linux.md', 'config.md', 'config-linux.md', 'features.md', 'features-linux.md', 'bundle.md'];
const RELEASES = ['v1.0.0', 'v1.0.1', 'v1.0.2', 'v1.1.0', 'v1.2.0', 'v1.2.1', 'v1.3.0'];
const KEYWORD = /\b(MUST NOT|MUST|REQUIRED|SHALL NOT|SHALL|SHOULD NOT|SHOULD|NOT RECOMMENDED|RECOMMENDED|MAY|OPTIONAL)\b/g;
const LEVEL = { 'MUST NOT': 'MUST', MUST: 'MUST', REQUIRED: 'MUST', 'SHALL NOT': 'MUST', SHALL: 'MUST', 'SHOULD NOT': 'SHOULD', SHOULD: 'SHOULD', 'NOT RECOMMENDED': 'SHOULD', RECOMMENDED: 'SHOULD', MAY: 'MAY', OPTIONAL: 'MAY' };
const RANK = { MUST: 0, SHOULD: 1, MAY: 2 };
const OTHER_PLATFORM = /\b(Windows|Solaris|z\/OS|FreeBSD|Hyper-V|VM-based|virtual machine)\b/i;

const { values, positionals } = parseArgs({ allowPositionals: true, options: { tag: { type: 'string', default: 'v1.3.0' }, json: { type: 'boolean', default: false } } });
if (positionals.length !== 1) {
  process.stderr.write('usage: node scripts/spec-sentences.js GIT_DIR [--tag v1.3.0] [--json]\n');
  process.exit(2);
}
const gitDir = positionals[0];

function show(tag, doc) {
  try {
    return execFileSync('git', ['--git-dir', gitDir, 'show', `${tag}:${doc}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return '';
  }
}

/** Text as compared across releases: no links, emphasis, list markers or line breaks. */
function normalize(text) {
  return text
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]*)\]\[[^\]]*\]/g, '$1')
    .replace(/<a name="[^"]*"\s*\/>/g, '')
    .replace(/[*`_]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** GitHub's heading slug, for a heading without an explicit anchor. */
function slug(title) {
  return title.toLowerCase().replace(/[^\w\- ]/g, '').replace(/ /g, '-');
}

/** Paragraphs and list items as one line each (the spec wraps some), table rows apart. */
function unitsOf(text) {
  const units = [];
  let current = null;
  let fenced = false;
  const slugs = new Map();
  const end = () => {
    if (current) units.push(current);
    current = null;
  };
  for (const raw of text.split('\n')) {
    if (/^\s*```/.test(raw)) {
      end();
      fenced = !fenced;
      continue;
    }
    if (fenced) continue;
    const h = /^(#+)\s*(?:<a name="([^"]+)"\s*\/>)?\s*(.*)$/.exec(raw);
    if (h) {
      end();
      // GitHub numbers repeated headings: example, example-1, ...
      const base = slug(h[3].trim());
      const seen = slugs.get(base) ?? 0;
      slugs.set(base, seen + 1);
      units.push({ heading: h[3].trim(), anchor: h[2] ?? (seen ? `${base}-${seen}` : base) });
      continue;
    }
    if (!raw.trim() || /^\s*\[[^\]]+\]:/.test(raw)) {
      end();
      continue;
    }
    const row = /^\s*\|?\s*`[^`]+`\s*\|/.test(raw) || /^\s*\|/.test(raw);
    const item = /^\s*(?:[*-]|\d+\.)\s+/.test(raw);
    const line = raw.replace(/^\s*(?:[*-]|\d+\.)\s+/, '').replace(/<a name="[^"]*"\s*\/>/g, '').trim();
    if (row || item) end();
    if (current) current.text += ` ${line}`;
    else current = { text: line, row };
    if (row) end();
  }
  end();
  return units;
}

function sentencesOf(text) {
  const out = [];
  let anchor = '';
  let platformHeading = false;
  for (const u of unitsOf(text)) {
    if (u.heading !== undefined) {
      anchor = u.anchor;
      platformHeading = OTHER_PLATFORM.test(u.heading);
      continue;
    }
    const pieces = u.row ? [u.text] : u.text.split(/(?<!\b(?:e\.g|i\.e|etc))\.\s+(?=[A-Z*`[])/);
    for (const s of pieces) {
      const words = [...new Set([...s.matchAll(KEYWORD)].map((m) => m[1]))];
      if (words.length === 0) continue;
      const level = words.map((w) => LEVEL[w]).sort((a, b) => RANK[a] - RANK[b])[0];
      out.push({ anchor, text: s.trim(), words, level, otherPlatform: platformHeading || OTHER_PLATFORM.test(s) });
    }
  }
  return out;
}

const releases = RELEASES.slice(0, RELEASES.indexOf(values.tag) + 1);
if (releases.length === 0) {
  process.stderr.write(`unknown tag ${values.tag}; known: ${RELEASES.join(', ')}\n`);
  process.exit(2);
}
const rows = [];
let leftOut = 0;
for (const doc of DOCS) {
  const texts = releases.map((tag) => normalize(unitsOf(show(tag, doc)).map((u) => u.text ?? '').join(' ')));
  const perAnchor = new Map();
  for (const s of sentencesOf(show(values.tag, doc))) {
    if (s.otherPlatform) {
      leftOut++;
      continue;
    }
    const n = (perAnchor.get(s.anchor) ?? 0) + 1;
    perAnchor.set(s.anchor, n);
    const needle = normalize(s.text);
    let first = releases.length - 1;
    while (first > 0 && texts[first - 1].includes(needle)) first--;
    rows.push({ doc, section: s.anchor, n, level: s.level, words: s.words, versions: `>=${releases[first].slice(1)}`, text: s.text });
  }
}
if (values.json) process.stdout.write(`${JSON.stringify(rows, null, 1)}\n`);
else for (const r of rows) process.stdout.write(`${r.doc}#${r.section} ${r.n} ${r.level} ${r.versions}\n  ${r.text}\n`);
process.stderr.write(`${rows.length} sentences; ${leftOut} for other platforms left out\n`);
