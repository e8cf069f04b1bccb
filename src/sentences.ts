/**
 * The catalogue of the spec's normative sentences (catalogue/sentences.yaml):
 * each sentence, with its document, section, level and spec versions, is
 * judged by requirement ids, cannot be judged (and why), or is not judged
 * yet. Loading checks the file's own shape; how it agrees with the
 * requirement catalogue is sentenceProblems' job.
 */
import { Ajv } from 'ajv';
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import type { Catalogue } from './catalogue.js';
import type { Level } from './results.js';
import { isValidRange } from './spec/version.js';
import { SetupError } from './util/errors.js';

interface SentenceBase {
  readonly id: string;
  readonly doc: string;
  readonly section: string;
  readonly level: Level;
  readonly keywords: readonly string[];
  readonly versions: string;
  readonly summary: string;
  readonly levelNote?: string;
  readonly note?: string;
}

export type Sentence = SentenceBase &
  ({ readonly judgedBy: readonly string[] } | { readonly notJudged: string } | { readonly notYet: true });

export type SentenceStatus = 'judged' | 'notJudged' | 'notYet';

export interface OutsideSpec {
  readonly id: string;
  readonly reason: string;
}

export interface SentenceCatalogue {
  readonly outsideSpec: readonly OutsideSpec[];
  readonly sentences: readonly Sentence[];
}

const KEYWORDS = ['MUST', 'MUST NOT', 'REQUIRED', 'SHALL', 'SHALL NOT', 'SHOULD', 'SHOULD NOT', 'RECOMMENDED', 'NOT RECOMMENDED', 'MAY', 'OPTIONAL'];
const text = { type: 'string', minLength: 1 } as const;

const schema = {
  type: 'object',
  additionalProperties: false,
  required: ['outsideSpec', 'sentences'],
  properties: {
    outsideSpec: { type: 'array', items: { type: 'object', additionalProperties: false, required: ['id', 'reason'], properties: { id: text, reason: text } } },
    sentences: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'doc', 'section', 'level', 'keywords', 'versions', 'summary'],
        properties: {
          id: { type: 'string', pattern: '^[a-z][A-Za-z0-9-]*(?:\\.[A-Za-z0-9-]+)+$' },
          doc: text,
          section: text,
          level: { enum: ['MUST', 'SHOULD', 'MAY'] },
          keywords: { type: 'array', minItems: 1, items: { enum: KEYWORDS } },
          versions: text,
          summary: text,
          judgedBy: { type: 'array', minItems: 1, items: text },
          notJudged: text,
          notYet: { const: true },
          levelNote: text,
          note: text,
        },
        // Exactly one verdict on each sentence.
        oneOf: [{ required: ['judgedBy'] }, { required: ['notJudged'] }, { required: ['notYet'] }],
      },
    },
  },
} as const;

const validate = new Ajv({ allErrors: false }).compile<SentenceCatalogue>(schema);

export async function loadSentences(file: string): Promise<SentenceCatalogue> {
  const data: unknown = parse(await readFile(file, 'utf8'));
  if (!validate(data)) {
    const first = validate.errors?.[0];
    throw new SetupError(`${file}: ${first?.instancePath || '/'} ${first?.message ?? 'is invalid'}`);
  }
  for (const s of data.sentences) {
    if (!isValidRange(s.versions)) throw new SetupError(`${file}: ${s.id}: versions "${s.versions}" is not a version range`);
  }
  return data;
}

export function statusOf(s: Sentence): SentenceStatus {
  return 'judgedBy' in s ? 'judged' : 'notJudged' in s ? 'notJudged' : 'notYet';
}

/**
 * Where the two catalogues disagree, one line each: a sentence id given
 * twice, a judgedBy id the requirement catalogue lacks, a level that differs
 * without a levelNote, a requirement no sentence names (unless outsideSpec
 * lists it, whose ids must exist too).
 */
export function sentenceProblems(sentences: SentenceCatalogue, catalogue: Catalogue): string[] {
  const problems: string[] = [];
  const ids = new Set<string>();
  const named = new Set<string>();
  for (const s of sentences.sentences) {
    if (ids.has(s.id)) problems.push(`sentence id ${s.id} appears twice`);
    ids.add(s.id);
    if (!('judgedBy' in s)) continue;
    for (const id of s.judgedBy) {
      named.add(id);
      const r = catalogue.get(id);
      if (!r) problems.push(`${s.id}: judgedBy ${id} is no requirement id of requirements.yaml`);
      else if (r.level !== s.level && s.levelNote === undefined) problems.push(`${s.id} is a ${s.level} but ${id} is a ${r.level}: say why in levelNote`);
    }
  }
  const outside = new Set<string>();
  for (const o of sentences.outsideSpec) {
    if (!catalogue.has(o.id)) problems.push(`outsideSpec names ${o.id}, which is no requirement id of requirements.yaml`);
    if (named.has(o.id)) problems.push(`outsideSpec names ${o.id}, which a sentence's judgedBy names too`);
    outside.add(o.id);
  }
  for (const id of catalogue.keys()) {
    if (!named.has(id) && !outside.has(id)) problems.push(`requirement ${id} is named by no sentence's judgedBy in sentences.yaml (add it to the sentence(s) it judges, or to outsideSpec with the reason)`);
  }
  return problems;
}
