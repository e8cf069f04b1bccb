/**
 * Host facts a case names in its config and check parameters as `${name}`:
 * a rule for "the host's block device" cannot be written as fixed numbers.
 * A string that is exactly one token becomes the value itself (a number
 * where the fact is one); a token inside a longer string is replaced by its
 * text. A case that names a fact this host lacks is skipped with the reason.
 */
import type { HostFacts } from '../results.js';
import type { Case, Step } from './types.js';

interface TokenDefinition {
  /** What the host must have, for the skip reason. */
  readonly needs: string;
  readonly value: (host: HostFacts) => number | string | undefined;
}

export const HOST_TOKENS: Readonly<Record<string, TokenDefinition>> = {
  'block.major': { needs: 'a block device', value: (h) => h.blockDevice?.major },
  'block.minor': { needs: 'a block device', value: (h) => h.blockDevice?.minor },
  'apparmor.profile': { needs: 'AppArmor enabled with a profile loaded in complain mode (or a container default profile)', value: (h) => h.security?.apparmorProfile ?? undefined },
  'selinux.label': { needs: `SELinux enabled with a policy that knows the label system_u:system_r:spc_t:s0`, value: (h) => h.security?.selinuxLabel ?? undefined },
};

const TOKEN = /\$\{([^}]*)\}/g;

/** Every token named anywhere in a value (strings inside objects and arrays). */
export function tokensIn(value: unknown, into = new Set<string>()): Set<string> {
  if (typeof value === 'string') for (const m of value.matchAll(TOKEN)) into.add(m[1]!);
  else if (Array.isArray(value)) for (const v of value) tokensIn(v, into);
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) {
    tokensIn(k, into);
    tokensIn(v, into);
  }
  return into;
}

/** What the host lacks for these tokens, or undefined when it has everything. */
export function missingFact(tokens: Iterable<string>, host: HostFacts): string | undefined {
  for (const t of tokens) if (HOST_TOKENS[t]?.value(host) === undefined) return `needs ${HOST_TOKENS[t]?.needs ?? t}; this host has none`;
  return undefined;
}

/** The value with every token replaced (tokens must be known and present: see missingFact). */
export function substitute<T>(value: T, host: HostFacts): T {
  const fact = (name: string): number | string => HOST_TOKENS[name]!.value(host)!;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') {
      const whole = /^\$\{([^}]*)\}$/.exec(v);
      return whole ? fact(whole[1]!) : v.replace(TOKEN, (_, name: string) => String(fact(name)));
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [walk(k) as string, walk(x)]));
    return v;
  };
  return walk(value) as T;
}

/** The tokens a case names in its containers' configs and its steps. */
export function caseTokens(c: Case): Set<string> {
  const into = new Set<string>();
  for (const spec of c.containers.values()) tokensIn(spec.config, into);
  for (const s of c.steps) tokensIn(s.kind === 'check' ? s.params : s.kind === 'edit-config' ? s.patch : undefined, into);
  return into;
}

/** The case with this host's facts in place of its tokens. */
export function resolveCase(c: Case, host: HostFacts): Case {
  if (caseTokens(c).size === 0) return c;
  const containers = new Map([...c.containers].map(([alias, spec]) => [alias, { ...spec, config: substitute(spec.config, host) }]));
  const steps = c.steps.map((s): Step => (s.kind === 'check' ? { ...s, params: substitute(s.params, host) } : s.kind === 'edit-config' ? { ...s, patch: substitute(s.patch, host) } : s));
  return { ...c, containers, steps };
}
