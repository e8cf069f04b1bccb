/**
 * The case list as JSON (`list --json`), for tools that build on it: each
 * case's id, summary and file, and each requirement it checks with its
 * level, the spec versions it applies to, and its document and section.
 */
import type { Case } from './types.js';

export function caseListJson(cases: readonly Case[]): string {
  const list = cases.map((c) => ({
    id: c.id,
    summary: c.summary,
    file: c.file,
    requirements: c.requirements.map((r) => ({ id: r.id, level: r.level, versions: r.versions, doc: r.doc, section: r.section, summary: r.summary })),
  }));
  return `${JSON.stringify(list, null, 2)}\n`;
}
