/**
 * Every namespace requirement can fail: each broken runtime wraps runc and
 * breaks one rule of config-linux.md's Namespaces (or config.md's Hostname);
 * the namespace cases its rule bears on must fail exactly the (case,
 * requirement) pairs it stands for, on top of what runc itself fails, and no
 * namespace holder may outlive the runs. Judged against spec 1.3.0.
 */
import t from 'tap';
import { readFile } from 'node:fs/promises';
import { probeProcesses } from './helpers/leftovers.js';
import { failures, onPath, runAlone } from './helpers/suite.js';
import { judgeBroken, type BrokenTable } from './helpers/broken-area.js';

const ARGS = ['--spec-version', '1.3.0'];

/** Per broken runtime: the namespace cases it runs (to keep the file fast) and the pairs that must fail there. */
const BROKEN: BrokenTable = {
  'drop-namespace': { cases: ['new', 'join'], fails: ['namespaces/new namespaces.new'] },
  'join-new': { cases: ['join', 'join-user', 'invalid-path-type'], fails: ['namespaces/join namespaces.join', 'namespaces/join-user namespaces.join'] },
  'unshares-unlisted': { cases: ['shared', 'new'], fails: ['namespaces/shared namespaces.shared'] },
  'ignore-hostname': { cases: ['hostname'], fails: ['namespaces/hostname hostname'] },
  'wrong-mapping': { cases: ['new-user'], fails: ['namespaces/new-user namespaces.user.mappings'] },
  'accepts-invalid': {
    cases: ['invalid-duplicate', 'invalid-unknown-type', 'invalid-path-type', 'invalid-relative-path', 'join'],
    fails: [
      'namespaces/invalid-duplicate namespaces.invalid.duplicate', 'namespaces/invalid-path-type namespaces.invalid.path-type',
      'namespaces/invalid-relative-path namespaces.invalid.relative-path', 'namespaces/invalid-unknown-type namespaces.invalid.unknown-type',
    ],
  },
};

/** runc 1.1.5's own deviations among these cases (expectations/runc.yaml). */
const RUNC_FAILS = ['namespaces/hostname domainname'];

const ids = (cases: readonly string[]): string[] => cases.map((c) => `namespaces/${c}`);

t.test('broken namespace runtimes', { skip: onPath('runc') ? false : 'runc is not on PATH' }, async (t) => {
  const used = [...new Set(Object.values(BROKEN).flatMap((b) => b.cases))];
  const baseline = await runAlone('runc', ids(used), ARGS);
  const known = failures(baseline.doc);
  t.same(known, RUNC_FAILS, 'runc fails only its recorded deviation');
  t.same(baseline.left, [], 'runc: nothing left behind');
  await judgeBroken(t, 'namespaces', 'broken-namespaces', BROKEN, known, ARGS);
  const holders = [];
  for (const pid of await probeProcesses()) {
    const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmd.split('\0')[1] === 'hold') holders.push(pid);
  }
  t.same(holders, [], 'no namespace holder outlives its run');
});
