/**
 * Namespaces the harness makes for a container to join: the probe in `hold`
 * mode makes a new namespace and keeps it open, and the container's
 * linux.namespaces entry gets the path /proc/PID/ns/NAME of it. Holders die
 * with the harness (PR_SET_PDEATHSIG), and every case stops its own, so no
 * namespace outlives its case.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { relative } from 'node:path';
import type { NamespaceJoin } from '../cases/types.js';
import { identify, killIfSame, namespaceInode, parentPid, type ProcessIdentity } from '../host/proc.js';
import { NAMESPACE_TYPES } from '../spec/namespaces.js';

export interface NamespaceHolder {
  readonly join: NamespaceJoin;
  /** The path written into config.json. */
  readonly path: string;
  /** The inode of the namespace held (what a container that joined it reports). */
  readonly inode: number;
  readonly process: ChildProcess;
  /** The process whose /proc/PID/ns entry is the namespace (the holder, or its child for pid, time, user). */
  readonly pid: number;
  /** That child, when it is not the holder itself. */
  readonly child?: ProcessIdentity;
}

interface IdMapping { readonly containerID: number; readonly hostID: number; readonly size: number }

function isMapping(m: unknown): m is IdMapping {
  if (typeof m !== 'object' || m === null) return false;
  const r = m as Record<string, unknown>;
  return ['containerID', 'hostID', 'size'].every((k) => Number.isInteger(r[k]));
}

/** The config's uid and gid mappings as the probe's --uid-map and --gid-map arguments: a held user namespace maps as the container would. */
function mappingArgs(config: Readonly<Record<string, unknown>>): string[] {
  const linux = config['linux'];
  if (typeof linux !== 'object' || linux === null) return [];
  const args: string[] = [];
  for (const [key, flag] of [['uidMappings', '--uid-map'], ['gidMappings', '--gid-map']] as const) {
    const list = (linux as Record<string, unknown>)[key];
    if (!Array.isArray(list)) continue;
    for (const m of list.filter(isMapping)) args.push(flag, `${m.containerID}:${m.hostID}:${m.size}`);
  }
  return args;
}

/** The first line the holder prints ("ready PID"), or why there is none within the deadline. */
function readyLine(child: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => done(new Error(`it did not report within ${timeoutMs} ms`)), timeoutMs);
    const done = (e: Error | undefined, line?: string): void => {
      clearTimeout(timer);
      child.stdout?.removeAllListeners('data');
      child.removeAllListeners('exit');
      if (e) reject(e);
      else resolve(line!);
    };
    child.stderr?.on('data', (d: Buffer) => { err += d.toString(); });
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) done(undefined, out.slice(0, nl));
    });
    child.once('exit', (code, signal) => done(new Error(`it exited (${signal ?? `status ${String(code)}`}): ${err.trim() || 'no message'}`)));
  });
}

/**
 * Starts a holder for each join and returns them (also pushed to `started`
 * as each starts, so a failure part-way leaves nothing the caller cannot
 * stop). A holder that cannot make its namespace is a harness error.
 */
export async function startHolders(
  joins: readonly NamespaceJoin[], config: Readonly<Record<string, unknown>>, probe: string, timeoutMs: number, started: NamespaceHolder[],
): Promise<NamespaceHolder[]> {
  const mine: NamespaceHolder[] = [];
  for (const join of joins) {
    const name = NAMESPACE_TYPES[join.of].proc;
    const child = spawn(probe, ['hold', name, ...(join.of === 'user' ? mappingArgs(config) : [])], { stdio: ['ignore', 'pipe', 'pipe'] });
    let line: string;
    try {
      line = await readyLine(child, timeoutMs);
    } catch (e) {
      child.kill('SIGKILL');
      throw new Error(`the harness could not make a ${join.of} namespace to join: ${(e as Error).message}`);
    }
    const pid = Number(/^ready (\d+)$/.exec(line)?.[1]);
    // Only the holder itself or its own child: never a path through a process the harness did not start.
    const ours = pid === child.pid || (Number.isInteger(pid) && (await parentPid(pid)) === child.pid);
    const inode = ours ? await namespaceInode(pid, name) : undefined;
    if (!ours || inode === undefined) {
      child.kill('SIGKILL');
      throw new Error(`the harness could not make a ${join.of} namespace to join: the holder said "${line}"`);
    }
    const absolute = `/proc/${pid}/ns/${name}`;
    const held = pid !== child.pid ? await identify(pid) : undefined;
    // Relative to the directory the runtime runs in (the harness's), so that it names the held namespace for a runtime that resolves it.
    const path = join.relative ? relative(process.cwd(), absolute) : absolute;
    const holder: NamespaceHolder = { join, path, inode, process: child, pid, ...(held ? { child: held } : {}) };
    started.push(holder);
    mine.push(holder);
  }
  return mine;
}

/** The config with each holder's path in the linux.namespaces entry of its type (appended when there is none). */
export function withJoinPaths(config: Readonly<Record<string, unknown>>, holders: readonly NamespaceHolder[]): Record<string, unknown> {
  const out = structuredClone(config) as Record<string, unknown>;
  const linux = (typeof out['linux'] === 'object' && out['linux'] !== null ? out['linux'] : (out['linux'] = {})) as Record<string, unknown>;
  const entries = (Array.isArray(linux['namespaces']) ? linux['namespaces'] : []) as Record<string, unknown>[];
  for (const h of holders) {
    const entry = entries.find((e) => e['type'] === h.join.type);
    if (entry) entry['path'] = h.path;
    else entries.push({ type: h.join.type, path: h.path });
  }
  linux['namespaces'] = entries;
  return out;
}

/** Kills the holders and waits for them; a child that held a namespace dies with its holder, and is killed too in case it has not yet. */
export async function stopHolders(holders: readonly NamespaceHolder[]): Promise<void> {
  await Promise.all(holders.map(async (h) => {
    if (h.process.exitCode === null && h.process.signalCode === null) {
      const exited = new Promise<void>((resolve) => h.process.once('exit', () => resolve()));
      h.process.kill('SIGKILL');
      await exited;
    }
    if (h.child) await killIfSame(h.child);
  }));
}
