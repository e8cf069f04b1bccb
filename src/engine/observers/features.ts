/**
 * Observations of the runtime's features document: the one `features` call
 * the run made before the cases (with what the shipped schema finds in its
 * output), and trial creates with configs that use what the document claims.
 */
import { writeFile } from 'node:fs/promises';
import { endianness } from 'node:os';
import { join } from 'node:path';
import { fingerprintBundle } from '../../bundle/fingerprint.js';
import { mergeConfig } from '../../bundle/config.js';
import { namespaceInode } from '../../host/proc.js';
import type { CallRecord } from '../../results.js';
import { describeOutcome } from '../../results.js';
import { succeeded } from '../../runtime/driver.js';
import { listAt, parseFeatures, withoutNulls } from '../../spec/features.js';
import type { CaseContext, Container } from '../context.js';
import { CaseAborted } from '../context.js';
import { removeThroughRuntime } from '../remove-container.js';
import { readHookLog } from '../hook-log.js';
import { BIG_ENDIAN_SECCOMP_ARCHS, CLAIM_FAMILIES, configUsing, LITTLE_ENDIAN_SECCOMP_ARCHS, NAMESPACE_FILES, type ClaimFamily } from '../features-claims.js';
import { featuresSchemaErrors } from '../features-schema.js';

/** The run's `features` call, and the schema's findings on its output (null when it printed no JSON object). */
export interface FeaturesSeen {
  /** null when the run made no features call (the engine was run without one). */
  readonly call: CallRecord | null;
  /** Found by the 1.3.0 schema in the document with its nulls left out (features.md lets any property but the versions be null). */
  readonly schemaErrors: readonly string[] | null;
}

export function observeFeatures(ctx: CaseContext): FeaturesSeen {
  const call = ctx.featuresCall ?? null;
  if (!call || !succeeded(call)) return { call, schemaErrors: null };
  const parsed = parseFeatures(call.stdout);
  return { call, schemaErrors: parsed.kind === 'object' ? featuresSchemaErrors(withoutNulls(parsed.doc)) : null };
}

/** One trial: a config using some claims, and how create (and start) answered. */
export interface Trial {
  readonly claims: readonly string[];
  readonly accepted: boolean;
  /** How create ended ("exit 0", "exit 1: last stderr line"); and start, when it was asked to start. */
  readonly create: string;
  readonly start?: string;
  /** For hook types: those whose hook the case declared and that ran during this trial's create, start and delete. */
  readonly ran?: readonly string[];
  /** The refused call (create, or start) of a trial of one claim: what a failure rests on. */
  readonly refusedBy?: CallRecord;
}

export interface ClaimsSeen extends FeaturesSeen {
  readonly family: ClaimFamily;
  /** The document's list for the family, or null when it has none (absent, null, not a list). */
  readonly claims: readonly string[] | null;
  /**
   * Claims this host cannot offer at all, not tried: a namespace type the
   * kernel lacks, a seccomp architecture of the other byte order.
   */
  readonly hostLacks: readonly string[];
  readonly trials: readonly Trial[];
  /** Claims that more trials would have been needed to tell apart (past the trial budget). */
  readonly untried: readonly string[];
}

/** Creates with one family's claims: all at once, then halves of a refused set, down to the claim refused. */
const TRIAL_BUDGET = 40;

export async function observeClaims(ctx: CaseContext, family: ClaimFamily, c: Container): Promise<ClaimsSeen> {
  const features = observeFeatures(ctx);
  const parsed = features.call && succeeded(features.call) ? parseFeatures(features.call.stdout) : undefined;
  const claims = parsed?.kind === 'object' ? listAt(parsed.doc, CLAIM_FAMILIES[family]) ?? null : null;
  const none = { ...features, family, claims, hostLacks: [], trials: [], untried: [] };
  if (!claims || claims.length === 0) return none;

  const hostLacks: string[] = [];
  let toTry = [...new Set(claims)];
  if (family === 'namespaces') {
    for (const type of toTry) {
      const file = NAMESPACE_FILES[type];
      if (file !== undefined && (await namespaceInode('self', file)) === undefined) hostLacks.push(type);
    }
  }
  if (family === 'seccompArchs') {
    const otherOrder = endianness() === 'LE' ? BIG_ENDIAN_SECCOMP_ARCHS : LITTLE_ENDIAN_SECCOMP_ARCHS;
    hostLacks.push(...toTry.filter((a) => otherOrder.has(a)));
  }
  toTry = toTry.filter((t) => !hostLacks.includes(t));
  const trials: Trial[] = [];
  const untried: string[] = [];
  const bisect = async (set: readonly string[]): Promise<void> => {
    if (set.length === 0) return;
    if (trials.length >= TRIAL_BUDGET) {
      untried.push(...set);
      return;
    }
    const t = await trial(ctx, c, configUsing(family, set, c.config), set, family === 'hooks');
    trials.push(t);
    if (t.accepted || set.length === 1) return;
    const half = Math.ceil(set.length / 2);
    await bisect(set.slice(0, half));
    await bisect(set.slice(half));
  };
  // The notify action needs the case's agent, which serves one container: it gets a create of its own.
  const alone: string[] = family === 'seccompActions' ? toTry.filter((a) => a === 'SCMP_ACT_NOTIFY') : [];
  for (const a of alone) await bisect([a]);
  await bisect(toTry.filter((x) => !alone.includes(x)));
  return { ...features, family, claims, hostLacks, trials, untried };
}

export interface VersionAcceptedSeen extends FeaturesSeen {
  readonly property: 'ociVersionMin' | 'ociVersionMax';
  /** The document's value, when it is a string. */
  readonly value: string | null;
  readonly trial: Trial | null;
}

/** Create and start with the config's ociVersion set to the document's ociVersionMin (or Max). */
export async function observeVersionAccepted(ctx: CaseContext, property: 'ociVersionMin' | 'ociVersionMax', c: Container): Promise<VersionAcceptedSeen> {
  const features = observeFeatures(ctx);
  const parsed = features.call && succeeded(features.call) ? parseFeatures(features.call.stdout) : undefined;
  const raw = parsed?.kind === 'object' ? parsed.doc[property] : undefined;
  const value = typeof raw === 'string' ? raw : null;
  if (value === null) return { ...features, property, value, trial: null };
  return { ...features, property, value, trial: await trial(ctx, c, mergeConfig(c.config, { ociVersion: value }), [value], true) };
}

/**
 * Writes the config into the container's bundle, creates (and starts) it,
 * then removes it through the runtime, so the next trial can reuse its id.
 * A container the runtime cannot remove stops the case (its teardown tries
 * again and reports what is left).
 */
async function trial(ctx: CaseContext, c: Container, config: Record<string, unknown>, claims: readonly string[], start: boolean): Promise<Trial> {
  const before = await hookLabels(c);
  await writeFile(join(c.paths.bundle, 'config.json'), JSON.stringify(config, null, 2));
  c.bundleFingerprint ??= await fingerprintBundle(c.paths.bundle);
  await ctx.journal(c);
  ctx.generation++;
  const create = await ctx.record(ctx.driver.create(c.id, c.paths.bundle, ctx.callOptions()));
  let accepted = succeeded(create);
  let refusedBy: CallRecord | undefined = accepted ? undefined : create;
  let started: string | undefined;
  if (accepted) {
    // Create exiting 0 is a claim; the runtime must then know the container.
    const known = await ctx.queryState(c);
    accepted = succeeded(known.call);
    if (start && accepted) {
      const s = await ctx.record(ctx.driver.start(c.id, ctx.callOptions()));
      started = describeOutcome(s);
      accepted = succeeded(s);
      if (!accepted) refusedBy = s;
    }
  }
  await remove(ctx, c);
  const one = claims.length === 1 && refusedBy ? { refusedBy } : {};
  const ran = start ? { ran: typesThatRan(c, (await hookLabels(c)).slice(before.length)) } : {};
  return { claims: [...claims], accepted, create: describeOutcome(create), ...(started !== undefined ? { start: started } : {}), ...one, ...ran };
}

/** The labels of the hook log's lines so far, in order. */
async function hookLabels(c: Container): Promise<string[]> {
  const log = await readHookLog(c.paths.hookLog);
  return log.kind === 'ok' ? log.records.map((r) => r.label) : [];
}

/** The hook types the case declared whose label is among `labels` (a hook entry's third argument is its label: bundle/config.ts). */
function typesThatRan(c: Container, labels: readonly string[]): string[] {
  const declared = Object.entries(c.spec.hooks).map(([type, hooks]) => [type, hooks?.[0]?.label] as const);
  return declared.filter(([, label]) => label !== undefined && labels.includes(label)).map(([type]) => type);
}

/** Kill, wait for stopped, delete: the container is gone, or the case stops. */
async function remove(ctx: CaseContext, c: Container): Promise<void> {
  const opts = { callTimeoutMs: ctx.timing.callTimeoutMs, waitTimeoutMs: ctx.timing.waitTimeoutMs, signal: ctx.signal };
  if (!(await removeThroughRuntime(ctx.driver, c.id, opts, (call) => ctx.record(call)))) {
    throw new CaseAborted(`a trial container (${c.id}) could not be removed through kill and delete`, ctx.relevantCall());
  }
}
