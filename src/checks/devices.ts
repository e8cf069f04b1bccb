/**
 * /dev/ptmx as config-linux.md ("Default Devices") wants it: "a bind-mount or
 * symlink of the container's /dev/pts/ptmx". A ptmx node of the host's (or
 * any other devpts instance's) opens terminals that are not the container's.
 */
import type { ActionResult } from '../engine/actions.js';
import { awaitActions } from '../engine/observers/actions.js';
import { defineCheck, fail, verdict } from './check.js';
import { returned } from './actions.js';

/** What lstat, stat of /dev/ptmx, stat of /dev/pts/ptmx and stat of /dev/pts saw. */
export interface PtmxObservations {
  readonly link: ActionResult;
  readonly node: ActionResult;
  readonly ptsPtmx: ActionResult;
  readonly pts: ActionResult;
}

const PTMX_TARGETS = ['pts/ptmx', '/dev/pts/ptmx'];

const sameFile = (a: ActionResult, b: ActionResult): boolean => a.dev !== undefined && a.dev === b.dev && a.ino === b.ino;

export function ptmxVerdict(o: PtmxObservations): { ok: boolean; message: string } {
  for (const [what, r] of [['/dev/ptmx', o.link], ['/dev/pts/ptmx', o.ptsPtmx], ['/dev/pts', o.pts]] as const) {
    if (r.errno !== 0) return { ok: false, message: `${what} cannot be looked at (errno ${r.errno})` };
  }
  // /dev/pts/ptmx must be the multiplexer of the devpts mounted at /dev/pts, not a file put there
  if (o.ptsPtmx.dev !== o.pts.dev) return { ok: false, message: `/dev/pts/ptmx lies on another filesystem (dev ${String(o.ptsPtmx.dev)}) than /dev/pts (dev ${String(o.pts.dev)}): it is not the container's devpts ptmx` };
  if (o.link.type === 'l') {
    const target = o.link.target ?? '';
    return PTMX_TARGETS.includes(target)
      ? { ok: true, message: `/dev/ptmx is a symbolic link to ${target}, the container's devpts ptmx` }
      : { ok: false, message: `/dev/ptmx is a symbolic link to ${JSON.stringify(target)}, not to pts/ptmx` };
  }
  if (o.node.errno !== 0) return { ok: false, message: `/dev/ptmx cannot be looked at (errno ${o.node.errno})` };
  return sameFile(o.node, o.ptsPtmx)
    ? { ok: true, message: '/dev/ptmx is a bind mount of the container\'s /dev/pts/ptmx' }
    : { ok: false, message: `/dev/ptmx is a ${o.link.type === 'c' ? `device node ${String(o.link.major)}:${String(o.link.minor)}` : `file of type ${String(o.link.type)}`} (dev ${String(o.node.dev)}, inode ${String(o.node.ino)}) other than the container's /dev/pts/ptmx (dev ${String(o.ptsPtmx.dev)}, inode ${String(o.ptsPtmx.ino)})` };
}

const actionIndex = { type: 'integer', minimum: 0 } as const;

const PTMX_ACTIONS = ['link', 'node', 'ptsPtmx', 'pts'] as const;

export const ptmxIsContainers = defineCheck({
  name: 'ptmx',
  description: "/dev/ptmx is a symbolic link to pts/ptmx or a bind mount of /dev/pts/ptmx, and that is the ptmx of the devpts at /dev/pts. Actions: `link` lstat:/dev/ptmx, `node` stat:/dev/ptmx, `ptsPtmx` stat:/dev/pts/ptmx, `pts` stat:/dev/pts.",
  params: {
    type: 'object', additionalProperties: false, required: ['link', 'node', 'ptsPtmx', 'pts'],
    properties: { link: actionIndex, node: actionIndex, ptsPtmx: actionIndex, pts: actionIndex },
  } as const,
  observe: (ctx, params, c) => awaitActions(ctx, c, PTMX_ACTIONS.map((k) => params[k])),
  judge(_params, seen) {
    const results: ActionResult[] = [];
    for (const a of seen) {
      const r = returned(a);
      if (typeof r === 'string') return [fail(r)];
      results.push(r);
    }
    const [link, node, ptsPtmx, pts] = results;
    if (!link || !node || !ptsPtmx || !pts) return [fail('the probe reported fewer than the four actions')];
    const v = ptmxVerdict({ link, node, ptsPtmx, pts });
    return [verdict(v.ok, v.message)];
  },
});
