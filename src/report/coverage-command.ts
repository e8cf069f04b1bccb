/**
 * `ocicomply coverage [--spec-version V] [--json]`: how many of the spec's
 * normative sentences at V exist, are judged, cannot be judged and are not
 * judged yet, per document and section, with totals.
 */
import type { Catalogue } from '../catalogue.js';
import { coverageOf } from '../coverage.js';
import type { SentenceCatalogue } from '../sentences.js';
import { renderCoverageText } from './coverage-text.js';

export interface CoverageCommand {
  readonly specVersion: string;
  readonly json: boolean;
  readonly sentences: () => Promise<SentenceCatalogue>;
  readonly catalogue: () => Promise<Catalogue>;
  /** Where the figures go (standard output). */
  readonly print: (text: string) => void;
}

export async function coverage(o: CoverageCommand): Promise<number> {
  const c = coverageOf(await o.sentences(), await o.catalogue(), o.specVersion);
  o.print(o.json ? `${JSON.stringify(c, null, 2)}\n` : renderCoverageText(c));
  return 0;
}
