/**
 * The broken runtimes of one area, each run on the cases its rule bears on:
 * each must fail exactly the (case, requirement) pairs listed for it, beyond
 * what the real runtime fails (`known`), and leave nothing behind.
 */
import { join } from 'node:path';
import { failures, runAlone, RUNTIMES } from './suite.js';

/**
 * Per broken runtime (a file of test/runtimes/DIR): the cases of the area it runs, and the pairs that must fail there;
 * `strict`: every failure counts, the real runtime's own included (a broken runtime wrapped around a reference that
 * does more than the real one); `skips`: pairs that must be skipped as not supported by the runtime.
 */
export type BrokenTable = Readonly<Record<string, {
  readonly cases: readonly string[];
  readonly fails: readonly string[];
  readonly strict?: boolean;
  readonly skips?: readonly string[];
}>>;

/** What of a tap test this needs. */
interface Asserts {
  ok(value: unknown, message: string, extra?: object): unknown;
  same(found: unknown, wanted: unknown, message: string): unknown;
}

export async function judgeBroken(t: Asserts, area: string, dir: string, broken: BrokenTable, known: readonly string[], args: readonly string[]): Promise<void> {
  const names = Object.keys(broken);
  const ids = (cases: readonly string[]): string[] => cases.map((c) => `${area}/${c}`);
  // Three at a time: each run is mostly waiting on runc.
  for (let i = 0; i < names.length; i += 3) {
    const batch = names.slice(i, i + 3);
    const outcomes = await Promise.all(batch.map((name) => runAlone(join(RUNTIMES, dir, name), ids(broken[name]!.cases), args)));
    batch.forEach((name, j) => {
      const { doc, left, why } = outcomes[j]!;
      const { cases, fails, strict, skips } = broken[name]!;
      t.ok(doc, `${name}: the run wrote its results document`, why);
      t.same(new Set(doc?.results.map((r) => r.case)), new Set(ids(cases)), `${name}: ran ${cases.join(', ')}`);
      t.same(failures(doc).filter((f) => strict === true || !known.includes(f)), [...fails].sort(), `${name} fails exactly: ${fails.join(', ') || 'nothing'}`);
      t.same([...(doc?.leftovers ?? []), ...left], [], `${name}: nothing left behind`);
      if (skips) {
        const skipped = (doc?.results ?? []).filter((r) => r.status === 'skip' && r.message.startsWith('not supported by the runtime')).map((r) => `${r.case} ${r.requirement}`).sort();
        t.same(skipped, [...skips].sort(), `${name} skips as not supported: ${skips.join(', ')}`);
      }
    });
  }
}
