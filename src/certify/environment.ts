/**
 * The environment file of a certification bundle (environment.json): who
 * judged what, where, with what. A pure function of the results document,
 * whose run record already holds all of it, so the file cannot tell another
 * story than the results, and `verify` recomputes it to compare.
 */
import { basename } from 'node:path';
import type { CaseSetRecord, ProfileRecord, RunDocument, RunOptionsRecord, SpecVersionSource, SystemFacts, VmRecord } from '../results.js';
import { runtimeName } from '../run/several.js';

export const ENVIRONMENT_FORMAT = 'ocicomply-certification-environment/1';

/** The annotation in which a runtime's features document names the libseccomp it uses (runc writes it). */
const LIBSECCOMP_ANNOTATION = 'io.github.seccomp.libseccomp.version';

export interface Environment {
  readonly format: typeof ENVIRONMENT_FORMAT;
  readonly ocicomply: { readonly version: string; readonly commit: string | null };
  readonly node: string | null;
  readonly startedAt: string | null;
  readonly endedAt: string | null;
  /** The case files (each path with its SHA-256) and the digest over them. */
  readonly cases: CaseSetRecord | null;
  readonly runtime: {
    /** What its results are named by: the last part of --runtime as given. */
    readonly name: string;
    readonly path: string;
    /** Its global options (--runtime-arg), in order. */
    readonly args: readonly string[];
    readonly version: string | null;
    readonly versionOutput: string | null;
    readonly features: Readonly<Record<string, unknown>> | null;
  };
  readonly spec: { readonly version: string; readonly chosenBy: SpecVersionSource | null };
  readonly profile: ProfileRecord | null;
  /** The run's options as given, defaults filled in. */
  readonly options: RunOptionsRecord | null;
  readonly host: {
    readonly kernel: { readonly release: string; readonly version: string | null };
    readonly distribution: SystemFacts['distribution'] | null;
    readonly architecture: string | null;
    readonly cgroup: { readonly mode: string; readonly controllers: readonly string[] };
    readonly securityModules: SystemFacts['securityModules'] | null;
    readonly user: SystemFacts['user'] | null;
    /** Each place a libseccomp version was seen, and which. */
    readonly libseccomp: readonly { readonly version: string | null; readonly from: string }[];
    /** The VM mode of --vm, with the VM's kernel and times; null for a run on the host. */
    readonly vm: VmRecord | null;
  };
}

/** A member of a JSON object, or undefined when `v` is no object or lacks it. */
function member(v: unknown, key: string): unknown {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || !Object.hasOwn(v, key)) return undefined;
  const value: unknown = Reflect.get(v, key);
  return value;
}

/** The libseccomp version a runtime's features document names, if it names one. */
export function featuresLibseccomp(features: unknown): string | undefined {
  const v = member(member(features, 'annotations'), LIBSECCOMP_ANNOTATION);
  return typeof v === 'string' ? v : undefined;
}

function libseccomp(doc: RunDocument): Environment['host']['libseccomp'] {
  const out: { version: string | null; from: string }[] = [];
  const fromFeatures = featuresLibseccomp(doc.runtime.features);
  if (fromFeatures !== undefined) out.push({ version: fromFeatures, from: `the runtime's features document (annotations["${LIBSECCOMP_ANNOTATION}"]): the library the runtime uses` });
  const system = doc.run?.system?.libseccomp;
  if (system === undefined) return out;
  if ('unreadable' in system) out.push({ version: null, from: `host package database not read: ${system.unreadable}` });
  else for (const s of system) out.push({ version: s.version, from: `${s.from} (installed on the host; not necessarily what the runtime links)` });
  return out;
}

export function environmentOf(doc: RunDocument): Environment {
  const run = doc.run;
  const system = run?.system;
  return {
    format: ENVIRONMENT_FORMAT,
    ocicomply: run?.ocicomply ?? { version: doc.ocicomply, commit: null },
    node: run?.node ?? null,
    startedAt: run?.startedAt ?? null,
    endedAt: run?.endedAt ?? null,
    cases: run?.cases ?? null,
    runtime: {
      name: run ? runtimeName(run.options.runtime) : basename(doc.runtime.path),
      path: doc.runtime.path,
      args: doc.runtime.args ?? [],
      version: doc.runtime.version,
      versionOutput: doc.runtime.versionOutput ?? null,
      features: doc.runtime.features ?? null,
    },
    spec: { version: doc.specVersion, chosenBy: run?.options.specVersionFrom ?? null },
    profile: run?.profile ?? null,
    options: run?.options ?? null,
    host: {
      kernel: { release: system?.kernel.release ?? doc.host.kernel, version: system?.kernel.version ?? null },
      distribution: system?.distribution ?? null,
      architecture: system?.architecture ?? null,
      cgroup: { mode: doc.host.cgroup, controllers: doc.host.controllers ?? [] },
      securityModules: system?.securityModules ?? null,
      user: system?.user ?? null,
      libseccomp: libseccomp(doc),
      vm: doc.vm ?? null,
    },
  };
}

export function renderEnvironment(env: Environment): string {
  return `${JSON.stringify(env, null, 2)}\n`;
}
