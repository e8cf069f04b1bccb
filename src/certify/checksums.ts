/**
 * SHA256SUMS, in the form `sha256sum` prints and `sha256sum -c` checks:
 * one line per file, `HEX  NAME`, sorted by name. A bundle's files are plain
 * names in one directory, so a line naming a path (a slash, `.` or `..`) or
 * anything but a 64-digit hex digest is refused when read back.
 */
export interface SumEntry {
  readonly name: string;
  readonly sha256: string;
}

export const SUMS_FILE = 'SHA256SUMS';

export function renderSums(entries: readonly SumEntry[]): string {
  return [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map((e) => `${e.sha256}  ${e.name}\n`).join('');
}

/** A plain file name of a bundle: no directory part, not `.` or `..`, printable. */
export function isPlainName(name: string): boolean {
  return name !== '.' && name !== '..' && /^[A-Za-z0-9._-]+$/.test(name);
}

/** The entries of a SHA256SUMS file, and a problem per line that is not one (or names a file twice). */
export function parseSums(text: string): { entries: SumEntry[]; problems: string[] } {
  const entries: SumEntry[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  lines.forEach((line, i) => {
    // sha256sum writes ` *NAME` for binary mode; both mean the same bytes here.
    const m = /^([0-9a-f]{64}) [ *](.+)$/.exec(line);
    if (!m || !isPlainName(m[2]!)) {
      problems.push(`${SUMS_FILE} line ${i + 1} is not "SHA256  NAME" with a plain file name: ${JSON.stringify(line.slice(0, 120))}`);
      return;
    }
    if (seen.has(m[2]!)) problems.push(`${SUMS_FILE} lists ${m[2]} twice`);
    seen.add(m[2]!);
    entries.push({ sha256: m[1]!, name: m[2]! });
  });
  if (entries.length === 0 && problems.length === 0) problems.push(`${SUMS_FILE} lists no file`);
  return { entries, problems };
}
