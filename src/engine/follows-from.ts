/**
 * Which failures of a case follow from an earlier one. A hook type that never
 * ran fails every later check on its hooks (state, argv, order, ...); the
 * first failure to find it missing is the root cause, and the others say so,
 * so a reader starts there. Judged from the assertions alone, in the order
 * they were made.
 */
import type { Assertion } from './context.js';

/** For each requirement all of whose failures follow from another requirement's: that requirement. */
export function followsFrom(assertions: readonly Assertion[]): Map<string, string> {
  const firstMissing = new Map<string, string>();
  /** The cause of each failed assertion, or null when it stands on its own. */
  const causes = new Map<string, (string | null)[]>();
  for (const a of assertions) {
    if (a.ok) continue;
    const types = a.missingHookTypes ?? [];
    const earlier = types.map((t) => firstMissing.get(t));
    const cause = types.length > 0 && earlier.every((r) => r !== undefined && r !== a.requirement) ? earlier[0]! : null;
    for (const t of types) if (!firstMissing.has(t)) firstMissing.set(t, a.requirement);
    causes.set(a.requirement, [...(causes.get(a.requirement) ?? []), cause]);
  }
  const out = new Map<string, string>();
  for (const [requirement, list] of causes) {
    if (list.every((c) => c !== null)) out.set(requirement, list[0]!);
  }
  return out;
}
