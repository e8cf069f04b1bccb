/**
 * Checks of the runtime's features document (features.md, features-linux.md,
 * from runtime-spec 1.1.0): its shape, its versions, what it may hold, and
 * whether create accepts what it claims. The looking (and the trial creates)
 * is src/engine/observers/features.ts's.
 */
import semver from 'semver';
import type { CallRecord } from '../results.js';
import { describeOutcome } from '../results.js';
import { observeClaims, observeFeatures, observeVersionAccepted, type FeaturesSeen } from '../engine/observers/features.js';
import { CLAIM_FAMILIES, type ClaimFamily } from '../engine/features-claims.js';
import { definedShape, FEATURES_NEWEST_KNOWN, FEATURES_SINCE, nullsIn, parseFeatures, undefinedProperties } from '../spec/features.js';
import { releaseOf } from '../spec/version.js';
import { HOOK_TYPES, type HookType } from '../cases/types.js';
import { defineCheck, fail, NO_PARAMS, pass, unjudged, verdict, type Finding } from './check.js';

type Doc = Readonly<Record<string, unknown>>;

function answered(call: CallRecord): boolean {
  return call.exitCode === 0 && !call.timedOut;
}

/**
 * The document, or why there is none to judge. An error exit of `features`
 * is how a runtime without the command shows itself (features.md: a runtime
 * MAY provide the structure), whatever its message says.
 */
function documentOf(seen: FeaturesSeen): { doc: Doc } | { finding: Finding; printedGarbage: boolean } {
  const { call } = seen;
  if (!call) return { finding: unjudged('not judged: the run made no `features` call'), printedGarbage: false };
  if (!answered(call)) {
    return { finding: unjudged(`the runtime has no features command (\`features\` ${describeOutcome(call, { stderr: false })}); features.md: a runtime MAY provide the Features structure`), printedGarbage: false };
  }
  const parsed = parseFeatures(call.stdout);
  if (parsed.kind === 'object') return { doc: parsed.doc };
  return { finding: unjudged(`not judged: \`features\` exited 0 but printed no JSON object (see features.schema): ${parsed.error}`), printedGarbage: true };
}

export const featuresSchema = defineCheck({
  name: 'features-schema',
  description: "The runtime's features output is a JSON object valid against the Features structure schema of runtime-spec 1.3.0 (shipped in schemas/), its null properties left out (features.md lets them be null).",
  params: NO_PARAMS,
  observe: (ctx) => Promise.resolve(observeFeatures(ctx)),
  judge(_params, seen) {
    const got = documentOf(seen);
    if ('finding' in got) {
      if (!got.printedGarbage) return [got.finding];
      const parsed = parseFeatures(seen.call!.stdout);
      return [fail(`\`features\` exited 0 but its output is no features document: ${parsed.kind === 'not-object' ? parsed.error : ''}`, { call: seen.call! })];
    }
    const errors = seen.schemaErrors ?? [];
    return [verdict(errors.length === 0,
      errors.length === 0 ? 'the features document is valid against the 1.3.0 schema' : `the features document is not valid against the 1.3.0 schema: ${errors.slice(0, 10).join('; ')}`,
      { expected: 'valid', actual: errors, ...(errors.length ? { call: seen.call! } : {}) })];
  },
});

const VERSIONS = ['ociVersionMin', 'ociVersionMax'] as const;

export const featuresVersions = defineCheck({
  name: 'features-versions',
  description: '`present`: ociVersionMin and ociVersionMax are strings (REQUIRED, and the only properties that may not be null); `order`: ociVersionMax is not less than ociVersionMin (SemVer precedence).',
  params: { type: 'object', additionalProperties: false, required: ['rule'], properties: { rule: { enum: ['present', 'order'] } } } as const,
  observe: (ctx) => Promise.resolve(observeFeatures(ctx)),
  judge({ rule }, seen) {
    const got = documentOf(seen);
    if ('finding' in got) return [got.finding];
    const [min, max] = VERSIONS.map((p) => got.doc[p]);
    if (rule === 'present') {
      const bad = VERSIONS.filter((p) => typeof got.doc[p] !== 'string' || got.doc[p] === '');
      return [verdict(bad.length === 0,
        bad.length === 0 ? `ociVersionMin ${String(min)}, ociVersionMax ${String(max)}` : bad.map((p) => `${p} is ${p in got.doc ? JSON.stringify(got.doc[p]) : 'absent'}, not a version string`).join('; '),
        { expected: 'two version strings', actual: { ociVersionMin: min ?? null, ociVersionMax: max ?? null }, ...(bad.length ? { call: seen.call! } : {}) })];
    }
    if (typeof min !== 'string' || typeof max !== 'string') return [unjudged('not judged: ociVersionMin and ociVersionMax are not both strings (see features.oci-version.present)')];
    const [vMin, vMax] = [semver.parse(min), semver.parse(max)];
    if (!vMin || !vMax) return [unjudged(`not judged: ${!vMin ? min : max} is not a SemVer version, so the two cannot be compared`)];
    const ok = semver.compare(vMax, vMin) >= 0;
    return [verdict(ok, ok ? `ociVersionMax ${max} is not less than ociVersionMin ${min}` : `ociVersionMax ${max} is less than ociVersionMin ${min}`,
      { expected: `>= ${min}`, actual: max, ...(ok ? {} : { call: seen.call! }) })];
  },
});

export const featuresDefinedProperties = defineCheck({
  name: 'features-defined-properties',
  description: "The document holds no property that the spec version it is judged by defines nowhere. features.md's \"this version\" is read as the target version or the version ociVersionMax names, whichever defines more: a property is reported only when neither defines it.",
  params: NO_PARAMS,
  observe: (ctx) => Promise.resolve(observeFeatures(ctx)),
  judge(_params, seen, at) {
    const got = documentOf(seen);
    if ('finding' in got) return [got.finding];
    const max = got.doc['ociVersionMax'];
    const maxRelease = typeof max === 'string' ? releaseOf(max) : undefined;
    if (maxRelease && semver.gt(maxRelease, FEATURES_NEWEST_KNOWN)) {
      return [unjudged(`not judged: ociVersionMax ${String(max)} is newer than ${FEATURES_NEWEST_KNOWN}, the newest version whose properties ocicomply knows`)];
    }
    const target = releaseOf(at.specVersion) ?? at.specVersion;
    const candidates = [FEATURES_SINCE, target, ...(maxRelease ? [maxRelease] : [])].filter((v) => semver.valid(v) && semver.lte(v, FEATURES_NEWEST_KNOWN));
    const version = candidates.reduce((a, b) => (semver.gt(b, a) ? b : a));
    const extra = undefinedProperties(got.doc, definedShape(version));
    return [verdict(extra.length === 0,
      extra.length === 0 ? `every property is defined by spec ${version}` : `properties spec ${version} does not define: ${extra.join(', ')}`,
      { expected: [], actual: extra, ...(extra.length ? { call: seen.call! } : {}) })];
  },
});

export const featuresNull = defineCheck({
  name: 'features-null',
  description: 'null stands only as the value of a property (which then says nothing, as features.md allows), never where a value belongs: not as an element of a list nor as an annotation value (a value such as "" or [] is not null). ociVersionMin and ociVersionMax are judged by features-versions.',
  params: NO_PARAMS,
  observe: (ctx) => Promise.resolve(observeFeatures(ctx)),
  judge(_params, seen) {
    const got = documentOf(seen);
    if ('finding' in got) return [got.finding];
    const nulls = nullsIn(got.doc).filter((n) => !(n.as === 'property' && (n.path === 'ociVersionMin' || n.path === 'ociVersionMax')));
    const wrong = nulls.filter((n) => n.as !== 'property');
    const said = nulls.filter((n) => n.as === 'property').map((n) => n.path);
    if (wrong.length > 0) {
      return [fail(`null where a value belongs: ${wrong.map((n) => `${n.path} (${n.as === 'element' ? 'a list element' : 'an annotation value'})`).join(', ')}`,
        { expected: 'a value (an empty one is "", [] or {})', actual: wrong.map((n) => n.path), call: seen.call! })];
    }
    return [pass(said.length ? `null only as properties that say nothing: ${said.join(', ')}` : 'no null in the document')];
  },
});

/** Reverse domain notation (config.md's example: com.example.myKey): at least two dot-separated parts, none empty. */
const REVERSE_DOMAIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9_-]+)+$/;

export const featuresAnnotations = defineCheck({
  name: 'features-annotations',
  description: "`map`: annotations, where present and not null, is a map of non-empty string keys to string values (config.md's Keys and Values; a null value is left to features-null); `naming`: its keys use reverse domain notation (a SHOULD).",
  params: { type: 'object', additionalProperties: false, required: ['rule'], properties: { rule: { enum: ['map', 'naming'] } } } as const,
  observe: (ctx) => Promise.resolve(observeFeatures(ctx)),
  judge({ rule }, seen) {
    const got = documentOf(seen);
    if ('finding' in got) return [got.finding];
    const a = got.doc['annotations'];
    if (a === undefined || a === null) return [pass(`no annotations (${a === null ? 'null' : 'absent'})`)];
    if (typeof a !== 'object' || Array.isArray(a)) {
      return rule === 'map' ? [fail(`annotations is ${Array.isArray(a) ? 'a list' : typeof a}, not a key-value map`, { call: seen.call! })] : [unjudged('not judged: annotations is not a map (see features.annotations)')];
    }
    const entries = Object.entries(a as Record<string, unknown>);
    if (rule === 'map') {
      const bad = entries.filter(([k, v]) => k === '' || (v !== null && typeof v !== 'string')).map(([k, v]) => (k === '' ? 'an empty key' : `${k}: ${JSON.stringify(v)}`));
      return [verdict(bad.length === 0, bad.length === 0 ? `${entries.length} annotations, string keys to string values` : `annotations that break config.md's Keys and Values: ${bad.join(', ')}`,
        { expected: 'non-empty keys, string values', actual: bad, ...(bad.length ? { call: seen.call! } : {}) })];
    }
    const bad = entries.map(([k]) => k).filter((k) => !REVERSE_DOMAIN.test(k));
    return [verdict(bad.length === 0, bad.length === 0 ? `${entries.length} annotation keys in reverse domain notation` : `annotation keys not in reverse domain notation: ${bad.map((k) => JSON.stringify(k)).join(', ')}`,
      { expected: 'keys such as com.example.myKey', actual: bad, ...(bad.length ? { call: seen.call! } : {}) })];
  },
});

export const featuresClaimsAccepted = defineCheck({
  name: 'features-claims-accepted',
  description: "Create accepts a config that uses every element the features document lists for `family` (hook types, mount options, namespaces, capabilities, seccomp actions, operators, architectures): all in as few creates as one config carries, a refused set split in halves down to the claim refused. A hook type the spec defines must also have run (during create, start and delete). What the host visibly lacks (a namespace type, a seccomp architecture of the other byte order) is not tried.",
  params: { type: 'object', additionalProperties: false, required: ['family'], properties: { family: { enum: Object.keys(CLAIM_FAMILIES) as ClaimFamily[] } } } as const,
  observe: (ctx, { family }, c) => observeClaims(ctx, family, c),
  judge({ family }, seen) {
    const got = documentOf(seen);
    if ('finding' in got) return [got.finding];
    const path = CLAIM_FAMILIES[family];
    if (!seen.claims) return [unjudged(`the features document lists no ${path} (absent or null: it claims nothing)`)];
    if (seen.claims.length === 0) return [unjudged(`the features document lists ${path} as empty: it claims none`)];
    const lacks = seen.hostLacks.length ? `; not tried, this host lacks: ${seen.hostLacks.join(', ')}` : '';
    const refused = seen.trials.filter((t) => !t.accepted && t.claims.length === 1);
    if (refused.length > 0) {
      return [fail(`${path} claims create refused: ${refused.map((t) => `${t.claims[0]} (create ${t.create}${t.start ? `, start ${t.start}` : ''})`).join('; ')}${lacks}`,
        { expected: 'every claim accepted', actual: refused.map((t) => t.claims[0]), ...(refused[0]!.refusedBy ? { call: refused[0]!.refusedBy } : {}) })];
    }
    // A hook type the case declared is supported only if its hook ran (during create, start or delete).
    const declaredSilent = family === 'hooks'
      ? seen.trials.filter((t) => t.accepted && t.ran).flatMap((t) => t.claims.filter((type) => HOOK_TYPES.includes(type as HookType) && !t.ran!.includes(type)))
      : [];
    if (declaredSilent.length > 0) {
      return [fail(`hook types listed and accepted, but their hook never ran during create, start and delete: ${[...new Set(declaredSilent)].join(', ')}`,
        { expected: 'each listed hook type runs', actual: declaredSilent })];
    }
    if (seen.untried.length > 0) return [unjudged(`not judged: more creates than ocicomply makes per family would be needed to tell apart ${seen.untried.join(', ')}`)];
    const tried = seen.claims.length - seen.hostLacks.length;
    if (tried === 0) return [unjudged(`this host lacks every claim of ${path}: ${seen.hostLacks.join(', ')}`)];
    return [pass(`create accepted all ${tried} claims of ${path} (${seen.trials.length} create${seen.trials.length === 1 ? '' : 's'})${lacks}`)];
  },
});

export const featuresVersionAccepted = defineCheck({
  name: 'features-version-accepted',
  description: "Create and start accept a config whose ociVersion is the features document's ociVersionMin (or ociVersionMax).",
  params: { type: 'object', additionalProperties: false, required: ['property'], properties: { property: { enum: ['ociVersionMin', 'ociVersionMax'] } } } as const,
  observe: (ctx, { property }, c) => observeVersionAccepted(ctx, property, c),
  judge({ property }, seen) {
    const got = documentOf(seen);
    if ('finding' in got) return [got.finding];
    if (seen.value === null || !seen.trial) return [unjudged(`not judged: the document has no string ${property} (see features.oci-version.present)`)];
    const t = seen.trial;
    return [verdict(t.accepted,
      t.accepted ? `a config with ociVersion ${seen.value} was created and started` : `a config with ociVersion ${seen.value} (${property}) was refused: create ${t.create}${t.start ? `, start ${t.start}` : ''}`,
      { expected: 'created and started', actual: t.start ? `create ${t.create}, start ${t.start}` : `create ${t.create}`, ...(t.refusedBy ? { call: t.refusedBy } : {}) })];
  },
});
