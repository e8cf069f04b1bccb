/** What a read action saw at a path inside the container: masked (nothing to read), or readable with the expected content. */
import { awaitAction } from '../engine/observers/actions.js';
import { errnoName } from '../util/errno.js';
import { actionIndex, onResult } from './actions.js';
import { defineCheck, fail, verdict } from './check.js';

export const pathRead = defineCheck({
  name: 'path-read',
  description: 'A `read:PATH` action of the program: `readable: false` passes when nothing could be read (open or read failed, the file read empty, the directory has no entries), `readable: true` when something was read (and, with `content`, the file held exactly that, one trailing newline aside).',
  params: {
    type: 'object', additionalProperties: false, required: ['action', 'readable'],
    properties: { action: actionIndex, readable: { type: 'boolean' }, content: { type: 'string' } },
  } as const,
  observe: (ctx, params, c) => awaitAction(ctx, c, params.action),
  judge: (params, seen) => onResult(seen, (r, what) => {
    if (!r.do.startsWith('read:')) return [fail(`${what} is not a read action`)];
    const saw = r.ret === -1 ? `failed with ${errnoName(r.errno)}` : r.dir === true ? `listed ${r.ret} entries` : `read ${r.ret} bytes`;
    const gotSomething = r.ret > 0;
    if (!params.readable) return [verdict(!gotSomething, `${what} ${saw}`, { expected: 'nothing read', actual: saw })];
    if (!gotSomething) return [fail(`${what} ${saw}; expected it to be readable`, { expected: 'readable', actual: saw })];
    if (params.content === undefined) return [verdict(true, `${what} ${saw}`)];
    const content = (r.content ?? '').replace(/\n$/, '');
    return [verdict(content === params.content, `${what} read ${JSON.stringify(content)}${content === params.content ? '' : `, not ${JSON.stringify(params.content)}`}`,
      { expected: params.content, actual: content })];
  }),
});
