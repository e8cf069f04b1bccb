/**
 * How much of the spec ocicomply judges at one spec version: the sentences
 * of catalogue/sentences.yaml that hold at that version, counted per
 * document and section as judged, not judgeable, and not judged yet. A pure
 * function of the two catalogues; `ocicomply coverage` and the matrix report
 * print it.
 */
import type { Catalogue } from './catalogue.js';
import type { Level } from './results.js';
import { statusOf, type Sentence, type SentenceCatalogue, type SentenceStatus } from './sentences.js';
import { inRange } from './spec/version.js';

export interface CoverageCounts {
  readonly sentences: number;
  readonly judged: number;
  readonly notJudged: number;
  readonly notYet: number;
}

export interface SectionCoverage extends CoverageCounts {
  readonly section: string;
}

export interface DocumentCoverage extends CoverageCounts {
  readonly doc: string;
  readonly sections: readonly SectionCoverage[];
}

export interface Coverage extends CoverageCounts {
  readonly specVersion: string;
  readonly documents: readonly DocumentCoverage[];
  /** The totals of the MUST, the SHOULD and the MAY sentences apart. */
  readonly levels: Readonly<Record<Level, CoverageCounts>>;
}

type Tally = { sentences: number; judged: number; notJudged: number; notYet: number };

const empty = (): Tally => ({ sentences: 0, judged: 0, notJudged: 0, notYet: 0 });

function add(t: Tally, status: SentenceStatus): void {
  t.sentences++;
  t[status]++;
}

/**
 * A sentence counts as judged at a version only if one of its requirements
 * applies there too (a rule one release judges under another id is not
 * judged by an id whose range has ended): otherwise it is not judged yet.
 */
function statusAt(s: Sentence, catalogue: Catalogue, specVersion: string): SentenceStatus {
  const status = statusOf(s);
  if (!('judgedBy' in s)) return status;
  return s.judgedBy.some((id) => {
    const r = catalogue.get(id);
    return r !== undefined && inRange(specVersion, r.versions);
  }) ? 'judged' : 'notYet';
}

export function coverageOf(sentences: SentenceCatalogue, catalogue: Catalogue, specVersion: string): Coverage {
  const total = empty();
  const levels: Record<Level, Tally> = { MUST: empty(), SHOULD: empty(), MAY: empty() };
  const docs = new Map<string, { tally: Tally; sections: Map<string, Tally> }>();
  for (const s of sentences.sentences) {
    if (!inRange(specVersion, s.versions)) continue;
    const status = statusAt(s, catalogue, specVersion);
    let doc = docs.get(s.doc);
    if (!doc) docs.set(s.doc, (doc = { tally: empty(), sections: new Map() }));
    let section = doc.sections.get(s.section);
    if (!section) doc.sections.set(s.section, (section = empty()));
    for (const t of [total, levels[s.level], doc.tally, section]) add(t, status);
  }
  return {
    specVersion,
    ...total,
    levels,
    documents: [...docs].map(([doc, d]) => ({ doc, ...d.tally, sections: [...d.sections].map(([section, t]) => ({ section, ...t })) })),
  };
}
