/**
 * The machine-readable results document: exactly the RunDocument, so other
 * tools can depend on its shape (it is the same type the run produces).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { RunDocument } from '../results.js';

export async function writeJsonDocument(file: string, doc: RunDocument): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(doc, null, 2)}\n`, 'utf8');
}
