/**
 * Two reporters fed the same run: the one the user watches, and a TAP log
 * kept in memory for a certification bundle.
 */
import { Writable } from 'node:stream';
import type { Reporter } from './reporter.js';
import { createTapReporter } from './tap.js';

export function teeReporter(a: Reporter, b: Reporter): Reporter {
  return {
    start: (info) => {
      a.start(info);
      b.start(info);
    },
    caseStarted: (id) => {
      a.caseStarted?.(id);
      b.caseStarted?.(id);
    },
    caseDone: (r) => {
      a.caseDone(r);
      b.caseDone(r);
    },
    loadError: (e) => {
      a.loadError(e);
      b.loadError(e);
    },
    end: async (doc) => {
      await Promise.all([a.end(doc), b.end(doc)]);
    },
  };
}

/** A TAP reporter writing into memory; `text()` is the whole log once the reporter has ended. */
export function memoryTapReporter(): { reporter: Reporter; text: () => string } {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
      done();
    },
  });
  return { reporter: createTapReporter(sink), text: () => Buffer.concat(chunks).toString('utf8') };
}
