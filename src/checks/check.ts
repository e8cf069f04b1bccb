/**
 * How a check is written: parameters as one JSON schema (their TypeScript type
 * is derived from it), an observer from src/engine/observers that performs the
 * I/O, and a pure judge of the observer's JSON.
 */
import type { FromSchema, JSONSchema } from 'json-schema-to-ts';
import type { CheckDefinition, Finding, JudgeContext, Unjudged, Verdict } from '../engine/check.js';
import type { CaseContext, Container } from '../engine/context.js';
import type { CreateOutcome } from '../engine/observers/common.js';

export type { Finding, JudgeContext } from '../engine/check.js';

export const NO_PARAMS = { type: 'object', additionalProperties: false, properties: {} } as const;

/** The parameters a schema (written `as const`) admits. */
export type ParamsOf<S> = S extends JSONSchema ? FromSchema<S> : never;

export interface CheckSource<S, O> {
  readonly name: string;
  readonly description: string;
  readonly params: S;
  observe(ctx: CaseContext, params: ParamsOf<S>, c: Container): Promise<O>;
  /** Pure: the same parameters, observation and context always give the same findings. */
  judge(params: ParamsOf<S>, seen: O, at: JudgeContext): readonly Finding[];
}

/**
 * A check for the registry. The one place types are erased: the loader has
 * validated every step's parameters against `params`, and the engine hands
 * the judge the JSON copy of what `observe` returned.
 */
export function defineCheck<S extends Readonly<Record<string, unknown>>, O>(source: CheckSource<S, O>): CheckDefinition {
  return source as unknown as CheckDefinition;
}

type Details = Omit<Verdict, 'ok' | 'message'>;

export function verdict(ok: boolean, message: string, details: Details = {}): Verdict {
  return { ok, message, ...details };
}
export function pass(message: string, details: Details = {}): Verdict {
  return verdict(true, message, details);
}
export function fail(message: string, details: Details = {}): Verdict {
  return verdict(false, message, details);
}
export function unjudged(reason: string): Unjudged {
  return { skip: reason };
}

/**
 * Why create failed, when it did: runtime.md lets a runtime refuse a property
 * it cannot apply, so a check of that property gives no verdict then.
 */
export function createRefusal(seen: CreateOutcome): string | undefined {
  if (seen.createdOk) return undefined;
  return `not judged: create refused the setting (${seen.create ?? 'never called'}); runtime.md lets a runtime refuse a property it cannot apply`;
}
