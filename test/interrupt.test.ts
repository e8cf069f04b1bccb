/** How signals during a run are counted: one press is one, whatever number of copies reach the run. */
import t from 'tap';
import { setTimeout as delay } from 'node:timers/promises';
import { SAME_PRESS_MS, watchInterrupts } from '../src/run/interrupt.js';

t.test('copies of one press count once; the third press leaves with the first signal\'s status', async (t) => {
  const said: string[] = [];
  const exits: number[] = [];
  const w = watchInterrupts('/run/ocicomply/run-abc123-XyZ', (s) => said.push(s), (status) => exits.push(status));
  t.teardown(() => w.stop());
  // As one Ctrl-C arrives: from the terminal, the launcher and the subreaper.
  for (let i = 0; i < 3; i++) process.emit('SIGINT', 'SIGINT');
  t.ok(w.signal.aborted, 'the first signal stops the cases');
  t.equal(w.by(), 'SIGINT');
  t.equal(said.length, 1, 'one message for one press');
  t.match(said[0], /SIGINT: stopping, removing every container/);

  await delay(SAME_PRESS_MS + 50);
  process.emit('SIGTERM', 'SIGTERM');
  process.emit('SIGTERM', 'SIGTERM');
  t.equal(said.length, 2, 'a second press, once');
  t.match(said[1], /still removing the containers of this run.*run-abc123-XyZ/);
  t.same(exits, [], 'the second press does not leave');

  await delay(SAME_PRESS_MS + 50);
  process.emit('SIGINT', 'SIGINT');
  t.match(said[2], /leaving now; kept \/run\/ocicomply\/run-abc123-XyZ/);
  t.same(exits, [130], 'the third leaves with the status of the first signal');
});

t.test('stop() removes the handlers', async (t) => {
  const before = process.listenerCount('SIGINT');
  const w = watchInterrupts('/x', () => undefined, () => undefined);
  t.equal(process.listenerCount('SIGINT'), before + 1);
  w.stop();
  t.equal(process.listenerCount('SIGINT'), before);
});
