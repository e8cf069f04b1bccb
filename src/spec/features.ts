/**
 * The Features structure (features.md, features-linux.md; from runtime-spec
 * 1.1.0): which properties each spec version defines, and the pure readings
 * of a document that the feature checks judge.
 */
import semver from 'semver';
import { releaseOf } from './version.js';

/** A defined property: `true` for a leaf (its value is not looked into), else its own properties. */
type Shape = { readonly [name: string]: true | Shape };

const ENABLED: Shape = { enabled: true };

/** The properties features.md and features-linux.md define, per spec version (each only adds). */
const SHAPES: readonly { readonly since: string; readonly shape: Shape }[] = [
  {
    since: '1.1.0',
    shape: {
      ociVersionMin: true, ociVersionMax: true, hooks: true, mountOptions: true, annotations: true,
      linux: {
        namespaces: true, capabilities: true,
        cgroup: { v1: true, v2: true, systemd: true, systemdUser: true, rdma: true },
        seccomp: { enabled: true, actions: true, operators: true, archs: true, knownFlags: true, supportedFlags: true },
        apparmor: ENABLED, selinux: ENABLED, intelRdt: ENABLED,
      },
    },
  },
  { since: '1.2.0', shape: { potentiallyUnsafeConfigAnnotations: true, linux: { mountExtensions: { idmap: ENABLED } } } },
  { since: '1.3.0', shape: { linux: { memoryPolicy: { modes: true, flags: true }, intelRdt: { schemata: true, monitoring: true }, netDevices: ENABLED } } },
];

/** The first version that defines the Features structure. */
export const FEATURES_SINCE = SHAPES[0]!.since;

/** The newest version whose properties ocicomply knows. */
export const FEATURES_NEWEST_KNOWN = SHAPES.at(-1)!.since;

function mergeShape(a: Shape, b: Shape): Shape {
  const out: Record<string, true | Shape> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const mine = out[k];
    out[k] = v === true || mine === undefined || mine === true ? v : mergeShape(mine, v);
  }
  return out;
}

/** The properties `version` (a release from 1.1.0) defines. */
export function definedShape(version: string): Shape {
  const release = releaseOf(version) ?? version;
  return SHAPES.filter((s) => semver.gte(release, s.since)).reduce<Shape>((acc, s) => mergeShape(acc, s.shape), {});
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Dotted paths of the document's properties that `shape` does not define. */
export function undefinedProperties(doc: Readonly<Record<string, unknown>>, shape: Shape, prefix = ''): string[] {
  const out: string[] = [];
  for (const [key, value] of Object.entries(doc)) {
    const known = shape[key];
    const path = `${prefix}${key}`;
    if (known === undefined) out.push(path);
    else if (known !== true && isObject(value)) out.push(...undefinedProperties(value, known, `${path}.`));
  }
  return out;
}

/** Where a null stands: as a property's value (allowed, but not for the versions), or where a value must be a string. */
export interface NullPlace {
  readonly path: string;
  readonly as: 'property' | 'element' | 'annotation';
}

/** Every null in the document, with what it stands as. */
export function nullsIn(value: unknown, path = '', inAnnotations = false): NullPlace[] {
  const out: NullPlace[] = [];
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      if (v === null) out.push({ path: `${path}[${i}]`, as: 'element' });
      else out.push(...nullsIn(v, `${path}[${i}]`));
    });
  } else if (isObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      const p = path === '' ? k : `${path}.${k}`;
      if (v === null) out.push({ path: p, as: inAnnotations ? 'annotation' : 'property' });
      else out.push(...nullsIn(v, p, path === '' && k === 'annotations'));
    }
  }
  return out;
}

/** The document with every null property, element and annotation value left out. */
export function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.filter((v) => v !== null).map(withoutNulls);
  if (isObject(value)) return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null).map(([k, v]) => [k, withoutNulls(v)]));
  return value;
}

/** The strings of the array at a dotted path, or undefined when there is none (absent, null, not an array). */
export function listAt(doc: Readonly<Record<string, unknown>>, path: string): string[] | undefined {
  let at: unknown = doc;
  for (const key of path.split('.')) at = isObject(at) ? at[key] : undefined;
  return Array.isArray(at) ? at.filter((x): x is string => typeof x === 'string') : undefined;
}

/**
 * A features document as read from the runtime's output: the JSON object, or
 * why there is none.
 */
export type FeaturesParse =
  | { readonly kind: 'object'; readonly doc: Readonly<Record<string, unknown>> }
  | { readonly kind: 'not-object'; readonly error: string };

export function parseFeatures(stdout: string): FeaturesParse {
  let data: unknown;
  try {
    data = JSON.parse(stdout);
  } catch (e) {
    return { kind: 'not-object', error: `the output is not JSON (${(e as Error).message}): ${JSON.stringify(stdout.slice(0, 200))}` };
  }
  return isObject(data) ? { kind: 'object', doc: data } : { kind: 'not-object', error: `the output is JSON but not an object: ${JSON.stringify(stdout.slice(0, 200))}` };
}
