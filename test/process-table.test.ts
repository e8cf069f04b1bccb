/**
 * The process table and the cases agree: every step of process-as-configured
 * stands for exactly the requirements of the rows it names, each row's
 * requirement is in the catalogue, and every row is judged by some case.
 * Needs no root and no runtime.
 */
import t from 'tap';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCatalogue } from '../src/catalogue.js';
import { loadCases } from '../src/cases/load.js';
import { CHECKS } from '../src/checks/index.js';
import { judgeRows, PROCESS_PROPERTIES, PROCESS_ROWS, type ProcessProperty } from '../src/checks/process-table.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const catalogue = await loadCatalogue(join(ROOT, 'catalogue', 'requirements.yaml'));
const { cases, errors } = await loadCases([join(ROOT, 'cases')], catalogue, CHECKS);

t.same(errors, [], 'the cases load');

t.test('each row names a requirement of the catalogue', async (t) => {
  for (const p of PROCESS_PROPERTIES) t.ok(catalogue.has(PROCESS_ROWS[p].requirement), `${p}: ${PROCESS_ROWS[p].requirement}`);
});

t.test('each process-as-configured step stands for the requirements of its rows', async (t) => {
  const judged = new Set<string>();
  for (const c of cases) {
    c.steps.forEach((s, i) => {
      if (s.kind !== 'check' || s.check !== 'process-as-configured') return;
      const rows = s.params['properties'] as ProcessProperty[];
      rows.forEach((r) => judged.add(r));
      t.same([...s.requirements].sort(), [...new Set(rows.map((r) => PROCESS_ROWS[r].requirement))].sort(), `${c.id} step ${i + 1}`);
    });
  }
  t.same(PROCESS_PROPERTIES.filter((p) => !judged.has(p)), [], 'every row is judged by some case');
});

// ---- Scheduling, I/O priority, personality and security labels: each row on reports that pass and fail ----
const REPORT = {
  startedUs: 0, pid: 1, ppid: 0, uid: 0, gid: 0, euid: 0, egid: 0, groups: [], cwd: '/', hostname: null, args: [], env: [], namespaces: {}, cgroup: null,
  scheduler: { policy: 3, flags: 1, nice: 7, priority: 0, runtime: 1400000, deadline: 0, period: 0 },
  ioPriority: { class: 2, priority: 6 }, personality: 8, machine: 'i686', lsm: { current: 'system_u:system_r:spc_t:s0', apparmor: 'ocicomply-test (complain)' },
} as const;
const CALLER = { oomScoreAdj: 0 };
const outcome = (p: ProcessProperty, process: Record<string, unknown>, seen: Record<string, unknown> = {}, linux?: Record<string, unknown>): string => {
  const f = judgeRows([p], process, { ...REPORT, ...seen }, CALLER, { process, ...(linux ? { linux } : {}) })[0]!;
  return 'skip' in f ? 'skip' : f.ok ? 'pass' : 'fail';
};

t.test('scheduler: policy, nice, reset-on-fork, and unset values as 0', async (t) => {
  const batch = { scheduler: { policy: 'SCHED_BATCH', nice: 7, flags: ['SCHED_FLAG_RESET_ON_FORK'] } };
  t.equal(outcome('scheduler', batch), 'pass', 'as configured (a fair policy\'s runtime is the kernel\'s slice, not compared)');
  t.equal(outcome('scheduler', batch, { scheduler: { ...REPORT.scheduler, policy: 0 } }), 'fail', 'another policy');
  t.equal(outcome('scheduler', batch, { scheduler: { ...REPORT.scheduler, nice: 0 } }), 'fail', 'another nice');
  t.equal(outcome('scheduler', batch, { scheduler: { ...REPORT.scheduler, flags: 0 } }), 'fail', 'reset-on-fork missing');
  t.equal(outcome('scheduler', { scheduler: { policy: 'SCHED_BATCH', flags: ['SCHED_FLAG_RESET_ON_FORK'] } }), 'fail', 'unset nice must be 0');
  t.equal(outcome('scheduler', { scheduler: { policy: 'SCHED_FIFO', priority: 10 } }, { scheduler: { ...REPORT.scheduler, policy: 1, priority: 10, flags: 0 } }), 'pass', 'FIFO priority; nice not compared');
  t.equal(outcome('scheduler', { scheduler: { policy: 'SCHED_DEADLINE', runtime: 1, deadline: 2, period: 3 } }, { scheduler: { ...REPORT.scheduler, policy: 6, flags: 0, runtime: 1, deadline: 2, period: 4 } }), 'fail', 'deadline period differs');
  t.equal(outcome('scheduler', { scheduler: { policy: 'SCHED_NOPE' } }), 'skip', 'an unknown policy has nothing to compare');
  t.equal(outcome('scheduler', batch, { scheduler: null }), 'skip', 'sched_getattr failed');
  t.equal(outcome('scheduler', {}), 'skip', 'not configured');
});

t.test('ioPriority: class and level', async (t) => {
  t.equal(outcome('ioPriority', { ioPriority: { class: 'IOPRIO_CLASS_BE', priority: 6 } }), 'pass');
  t.equal(outcome('ioPriority', { ioPriority: { class: 'IOPRIO_CLASS_BE', priority: 5 } }), 'fail', 'another level');
  t.equal(outcome('ioPriority', { ioPriority: { class: 'IOPRIO_CLASS_IDLE', priority: 6 } }), 'fail', 'another class');
  t.equal(outcome('ioPriority', { ioPriority: { class: 'IOPRIO_CLASS_BE', priority: 6 } }, { ioPriority: { class: 0, priority: 0 } }), 'fail', 'no class at all');
  t.equal(outcome('ioPriority', { ioPriority: { class: 'IOPRIO_CLASS_NOPE', priority: 0 } }), 'skip');
});

t.test('personality: the execution domain of linux.personality', async (t) => {
  t.equal(outcome('personality', {}, {}, { personality: { domain: 'LINUX32' } }), 'pass');
  t.equal(outcome('personality', {}, { personality: 0 }, { personality: { domain: 'LINUX32' } }), 'fail');
  t.equal(outcome('personality', {}, { personality: 0x0400008 }, { personality: { domain: 'LINUX32' } }), 'pass', 'flags above the domain are not judged');
  t.equal(outcome('personality', {}, { personality: 0 }, { personality: { domain: 'LINUX' } }), 'pass');
  t.equal(outcome('personality', {}, {}, undefined), 'skip', 'not configured');
});

t.test('apparmorProfile and selinuxLabel: the process\'s label', async (t) => {
  t.equal(outcome('apparmorProfile', { apparmorProfile: 'ocicomply-test' }), 'pass', '"NAME (MODE)"');
  t.equal(outcome('apparmorProfile', { apparmorProfile: 'ocicomply-test' }, { lsm: { current: null, apparmor: 'unconfined' } }), 'fail');
  t.equal(outcome('apparmorProfile', { apparmorProfile: 'ocicomply' }, { lsm: { current: null, apparmor: 'ocicomply-test (enforce)' } }), 'fail', 'a prefix of another name is not the profile');
  t.equal(outcome('apparmorProfile', { apparmorProfile: 'x' }, { lsm: { current: null, apparmor: null } }), 'skip', 'no module answers');
  t.equal(outcome('selinuxLabel', { selinuxLabel: 'system_u:system_r:spc_t:s0' }), 'pass');
  t.equal(outcome('selinuxLabel', { selinuxLabel: 'system_u:system_r:spc_t:s0' }, { lsm: { current: 'unconfined_u:unconfined_r:unconfined_t:s0', apparmor: null } }), 'fail');
});

t.test('args[0] without a slash: found through PATH, judged only where both readings of "whose PATH" agree', async (t) => {
  const bare = { args: ['prog', 'a'], env: ['PATH=/usr/bin'] };
  const judge = (process: Record<string, unknown>, seen: Record<string, unknown>, path: string | null | undefined): string => {
    const f = judgeRows(['argsPathLookup'], process, { ...REPORT, ...seen }, { oomScoreAdj: 0, path }, { process })[0]!;
    return 'skip' in f ? 'skip' : f.ok ? 'pass' : 'fail';
  };
  t.equal(judge(bare, { args: ['prog', 'a'] }, '/usr/local/bin:/usr/bin:/bin'), 'pass', 'ran with argv as configured');
  t.equal(judge(bare, { args: ['/usr/bin/prog', 'a'] }, '/usr/bin'), 'fail', 'argv[0] rewritten to the path found');
  t.equal(judge(bare, { args: ['prog', 'a'], exe: '/usr/bin/prog' }, '/usr/bin'), 'pass', 'runs from the file found');
  t.equal(judge(bare, { args: ['prog', 'a'], exe: '/prog' }, '/usr/bin'), 'fail', 'runs from a file in no directory of PATH');
  t.equal(judge(bare, { args: ['prog', 'a'], exe: '/prog' }, '/usr/bin:/'), 'pass', "in a directory of the runtime's own PATH: the other reading");
  t.equal(judge(bare, { args: ['prog', 'a'], exe: null }, '/usr/bin'), 'pass', 'exe unreadable: judged by argv alone');
  t.equal(judge(bare, { args: ['prog', 'a'] }, '/bin:/sbin'), 'skip', "process.env's PATH is not on the runtime's: the readings differ");
  t.equal(judge(bare, { args: ['prog', 'a'] }, null), 'skip', 'the runtime had no PATH');
  t.equal(judge(bare, { args: ['prog', 'a'] }, undefined), 'skip', 'an observation without the runtime\'s PATH');
  t.equal(judge({ args: ['prog'], env: ['X=1'] }, { args: ['prog'] }, '/usr/bin'), 'skip', 'process.env has no PATH');
  t.equal(judge({ args: ['/usr/bin/prog'], env: ['PATH=/usr/bin'] }, { args: ['/usr/bin/prog'] }, '/usr/bin'), 'skip', 'args[0] with a slash is no PATH search');
  t.equal(judge({ env: ['PATH=/usr/bin'] }, {}, '/usr/bin'), 'skip', 'no args');
});
