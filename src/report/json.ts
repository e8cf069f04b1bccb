/**
 * The machine-readable results document: exactly the RunDocument, so other
 * tools can depend on its shape (it is the same type the run produces).
 * Written here, and read back here for --rerun-failed.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { RequirementResult, RunDocument } from '../results.js';
import type { MatrixDocument } from './matrix.js';
import { SetupError } from '../util/errors.js';
import { systemReason } from '../util/places.js';

/** The document as written; a VM run adds its `vm` facts. */
export function renderJsonDocument(doc: RunDocument & { readonly vm?: object }): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}

export async function writeJsonDocument(file: string, doc: RunDocument): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, renderJsonDocument(doc), 'utf8');
}

/** The part of a results document a later run reads: who wrote it and the verdicts. */
export interface ReadDocument {
  readonly ocicomply: string;
  readonly results: readonly Pick<RequirementResult, 'case' | 'requirement' | 'level' | 'status'>[];
}

const readSchema = {
  type: 'object',
  required: ['ocicomply', 'results'],
  properties: {
    ocicomply: { type: 'string' },
    results: {
      type: 'array',
      items: {
        type: 'object',
        required: ['case', 'requirement', 'level', 'status'],
        properties: {
          case: { type: 'string', minLength: 1 },
          requirement: { type: 'string', minLength: 1 },
          level: { enum: ['MUST', 'SHOULD', 'MAY'] },
          status: { enum: ['pass', 'fail', 'skip'] },
        },
      },
    },
  },
} as const;

const validateRead = new Ajv({ allErrors: false }).compile<ReadDocument>(readSchema);

/** Far above any real document (a full run's is well under 1 MiB), so a wrong file is not read whole. */
const MAX_DOCUMENT_BYTES = 256 * 1024 * 1024;

/**
 * Reads a results document a run wrote with --json and checks it with
 * `validate`. Only its data is used: nothing named in it is ever opened or run.
 */
async function readDocument<T>(flag: string, file: string, validate: ValidateFunction<T>): Promise<T> {
  const info = await stat(file).catch((e: NodeJS.ErrnoException) => {
    throw new SetupError(`${flag} ${file}: ${e.code === 'ENOENT' ? 'no such file' : systemReason(e)}`);
  });
  if (!info.isFile()) throw new SetupError(`${flag} ${file}: not a regular file`);
  if (info.size > MAX_DOCUMENT_BYTES) throw new SetupError(`${flag} ${file}: ${info.size} bytes, too large for a results document`);
  let data: unknown;
  try {
    data = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    throw new SetupError(`${flag} ${file}: not a results document written by --json (${e instanceof SyntaxError ? `not JSON: ${e.message}` : systemReason(e)})`);
  }
  if (!validate(data)) {
    const first = validate.errors?.[0];
    throw new SetupError(`${flag} ${file}: not a results document written by --json (${first?.instancePath || 'the document'} ${first?.message ?? 'is invalid'})`);
  }
  return data;
}

/** Reads the document of --rerun-failed. */
export async function readResultsDocument(flag: string, file: string): Promise<ReadDocument> {
  return readDocument(flag, file, validateRead);
}

/** What `report` needs of a document: who ran what, where, and the verdicts with their messages. */
const matrixSchema = {
  type: 'object',
  required: ['ocicomply', 'runtime', 'specVersion', 'host', 'results'],
  properties: {
    ocicomply: { type: 'string' },
    run: {
      type: 'object',
      properties: {
        startedAt: { type: 'string' },
        options: { type: 'object', properties: { vm: { type: ['string', 'null'] } } },
      },
    },
    runtime: {
      type: 'object',
      required: ['path', 'version'],
      properties: { path: { type: 'string', minLength: 1 }, version: { type: ['string', 'null'] } },
    },
    specVersion: { type: 'string', minLength: 1 },
    host: {
      type: 'object',
      required: ['kernel', 'cgroup'],
      properties: { kernel: { type: 'string' }, cgroup: { enum: ['v1', 'v2', 'hybrid'] } },
    },
    results: {
      type: 'array',
      items: {
        type: 'object',
        required: readSchema.properties.results.items.required,
        properties: {
          ...readSchema.properties.results.items.properties,
          message: { type: 'string' },
          expectation: { enum: ['expected', 'expected-fail', 'racy', 'unexpected-fail', 'unexpected-pass'] },
        },
      },
    },
    loadErrors: { type: 'array' },
    vm: { type: 'object', properties: { mode: { type: 'string' } } },
  },
} as const;

const validateMatrix = new Ajv({ allErrors: false }).compile<MatrixDocument>(matrixSchema);

/** Reads a document for `report`. */
export async function readMatrixDocument(file: string): Promise<MatrixDocument> {
  return readDocument('report', file, validateMatrix);
}

/** The cases with any failed result, of any level: a SHOULD or MAY that failed is as worth a second look as a MUST. */
export function failedCaseIds(doc: ReadDocument): string[] {
  return [...new Set(doc.results.filter((r) => r.status === 'fail').map((r) => r.case))];
}
