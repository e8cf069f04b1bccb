/**
 * Observations of a container's namespaces and UTS names: what the program
 * reports of itself, the namespaces of the process that runs the runtime (the
 * harness: its namespaces are the runtime namespaces), the namespaces the
 * harness holds for the container to join, and which kernel each side runs on.
 */
import { bootId, namespaceInode } from '../../host/proc.js';
import { readConfig } from '../../spec/config.js';
import { PROC_NAMESPACES } from '../../spec/namespaces.js';
import type { CaseContext, Container } from '../context.js';
import type { ProbeReport } from '../probe-report.js';
import { createOutcome, type CreateOutcome } from './common.js';
import { awaitWholeReport } from './process.js';

/** What a program reported of its namespaces, or why there is nothing. */
export type NamespacesReported =
  | { readonly namespaces: ProbeReport['namespaces']; readonly bootId: string | null }
  | { readonly missing: string };

export interface NamespacesSeen {
  /** Whether create made the container (a runtime may refuse a type it does not support). */
  readonly create: CreateOutcome;
  /** linux.namespaces as written for create (invalid entries read as absent). */
  readonly configured: readonly { readonly type: string; readonly path?: string }[];
  readonly report: NamespacesReported;
  /** Other containers of the case whose namespaces must differ from this one's new ones. */
  readonly others: readonly { readonly container: string; readonly report: NamespacesReported }[];
  /** The runtime namespaces: the harness's own, by /proc name (null: this kernel has no such namespace). */
  readonly runtime: { readonly namespaces: Readonly<Record<string, number | null>>; readonly bootId: string | null };
  /** The namespaces the harness made for the container to join. */
  readonly held: readonly { readonly type: string; readonly of: string; readonly path: string; readonly inode: number }[];
}

function namespacesPart(r: ProbeReport | { readonly missing: string }): NamespacesReported {
  return 'missing' in r ? r : { namespaces: r.namespaces, bootId: r.bootId ?? null };
}

/** With `report` false, only create's outcome and the host's side are observed (nothing is waited for). */
export async function observeNamespaces(ctx: CaseContext, c: Container, distinctFrom: readonly string[], report = true): Promise<NamespacesSeen> {
  // A container create refused never runs the program: nothing to wait for.
  const reported = !report ? { missing: 'not asked for' } : c.createdOk ? namespacesPart(await awaitWholeReport(ctx, c)) : { missing: 'create did not make the container' };
  const others = [];
  for (const alias of distinctFrom) others.push({ container: alias, report: namespacesPart(await awaitWholeReport(ctx, ctx.container(alias))) });
  const inodes = await Promise.all(PROC_NAMESPACES.map((ns) => namespaceInode('self', ns)));
  return {
    create: createOutcome(ctx, c),
    configured: readConfig(c.config).linux?.namespaces ?? [],
    report: reported,
    others,
    runtime: { namespaces: Object.fromEntries(PROC_NAMESPACES.map((ns, i) => [ns, inodes[i] ?? null])), bootId: await bootId() },
    held: c.holders.map((h) => ({ type: h.join.type, of: h.join.of, path: h.path, inode: h.inode })),
  };
}

export interface UtsNamesSeen {
  readonly configured: { readonly hostname?: string; readonly domainname?: string };
  readonly report: { readonly hostname: string | null; readonly domainname: string | null } | { readonly missing: string };
}

export async function observeUtsNames(ctx: CaseContext, c: Container): Promise<UtsNamesSeen> {
  const r = await awaitWholeReport(ctx, c);
  const { hostname, domainname } = readConfig(c.config);
  return {
    configured: { ...(hostname !== undefined ? { hostname } : {}), ...(domainname !== undefined ? { domainname } : {}) },
    report: 'missing' in r ? r : { hostname: r.hostname, domainname: r.domainname ?? null },
  };
}

export interface IdMapsSeen {
  readonly create: CreateOutcome;
  readonly configured: { readonly uidMappings?: readonly IdMapping[]; readonly gidMappings?: readonly IdMapping[] };
  readonly report: { readonly uidMap: readonly string[] | null; readonly gidMap: readonly string[] | null } | { readonly missing: string };
}

type IdMapping = NonNullable<NonNullable<ReturnType<typeof readConfig>['linux']>['uidMappings']>[number];

export async function observeIdMaps(ctx: CaseContext, c: Container): Promise<IdMapsSeen> {
  const r = c.createdOk ? await awaitWholeReport(ctx, c) : { missing: 'create did not make the container' };
  const linux = readConfig(c.config).linux ?? {};
  return {
    create: createOutcome(ctx, c),
    configured: { ...(linux.uidMappings ? { uidMappings: linux.uidMappings } : {}), ...(linux.gidMappings ? { gidMappings: linux.gidMappings } : {}) },
    report: 'missing' in r ? r : { uidMap: r.uidMap ?? null, gidMap: r.gidMap ?? null },
  };
}
