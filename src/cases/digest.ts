/**
 * The case set's digest: every case file of the case directories, each with
 * the SHA-256 of its content, and one SHA-256 over that list, so a results
 * document names exactly the cases it was judged with.
 */
import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import type { CaseSetRecord } from '../results.js';
import { sha256Hex } from '../util/sha256.js';
import { yamlFiles } from './load.js';

/** The digest of a listing: SHA-256 over its lines as sha256sum prints them, in the listing's order. */
export function listingDigest(files: CaseSetRecord['files']): string {
  return sha256Hex(files.map((f) => `${f.sha256}  ${f.path}\n`).join(''));
}

/** The case files of `dirs` in load order (directory by directory, paths sorted), with their digests. */
export async function caseSetRecord(dirs: readonly string[]): Promise<CaseSetRecord> {
  const files: { path: string; sha256: string }[] = [];
  for (const dir of dirs) {
    for (const file of await yamlFiles(dir)) files.push({ path: relative(dir, file), sha256: sha256Hex(await readFile(file)) });
  }
  return { digest: listingDigest(files), files };
}
