/**
 * Host-side observation of a container's process: learnt from the pid in a
 * state document, kept as an identity (pid + start time) so later checks and
 * the cleanup never act on a recycled pid.
 */
import { cgroupDirsCreatedFor } from '../host/cgroups.js';
import { identify, namespaceInode, namespacesOf } from '../host/proc.js';
import type { Container } from './context.js';
import type { StateParse } from './state-document.js';

/**
 * Remembers the container process the first time a state names a live pid in
 * a mount namespace other than the harness's (every bundle asks for its own),
 * so that a state lying about its pid cannot make the harness adopt (and
 * later kill) one of the host's processes.
 */
export async function observeProcess(c: Container, parsed: StateParse): Promise<void> {
  if (c.process || parsed.kind === 'not-json') return;
  const { pid, status } = parsed.doc;
  if (typeof pid !== 'number' || pid <= 0 || (status !== 'created' && status !== 'running')) return;
  const [theirs, ours] = await Promise.all([namespaceInode(pid, 'mnt'), namespaceInode('self', 'mnt')]);
  if (theirs === undefined || theirs === ours) return;
  const identity = await identify(pid);
  if (!identity) return;
  c.process = identity;
  c.cgroupDirs = await cgroupDirsCreatedFor(pid);
  c.namespaces = await namespacesOf(pid);
}
