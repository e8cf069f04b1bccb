/** What clean reads back from disk is checked value by value: pure checks, no root needed. */
import t from 'tap';
import { parseJournal, parseOwner, isHarnessCgroupDirOf } from '../src/run/journal.js';
import { isCgroupsPathOf, isContainerIdOf, parseRunDirName } from '../src/run/names.js';
import { ancestorProblem, defaultWorkDir, privateDirProblem } from '../src/run/private-dir.js';

const TAG = 'abcdef';
const MOUNTS = ['/sys/fs/cgroup/memory', '/sys/fs/cgroup/unified'];

t.test('container ids and cgroups paths are only this run\'s own', async (t) => {
  t.ok(isContainerIdOf(TAG, 'ocicomply-abcdef-12'));
  for (const id of ['victim', 'ocicomply-123456-1', 'ocicomply-abcdef-0', 'ocicomply-abcdef-1/../x', 'ocicomply-abcdef-1 ', '../ocicomply-abcdef-1']) t.notOk(isContainerIdOf(TAG, id), id);
  for (const p of ['/ocicomply-abcdef-1', 'ocicomply-abcdef-1', '/ocicomply-abcdef-1-parent/ocicomply-abcdef-1']) t.ok(isCgroupsPathOf(TAG, p), p);
  for (const p of ['/', '', '/../../tmp/x', '/ocicomply-abcdef-1/..', '//ocicomply-abcdef-1', '/ocicomply-abcdef-1/', '/a/b/ocicomply-abcdef-1', '/ocicomply-abcdef-1/x', '/ocicomply-abcdef-1-parent/ocicomply-abcdef-1/ocicomply-abcdef-2']) t.notOk(isCgroupsPathOf(TAG, p), p);
  t.ok(isHarnessCgroupDirOf(TAG, '/sys/fs/cgroup/memory/ocicomply-abcdef-1-parent', MOUNTS));
  for (const d of ['/tmp/ocicomply-abcdef-1', '/sys/fs/cgroup/memory/../../../tmp/ocicomply-abcdef-1', '/sys/fs/cgroup/memory', '/sys/fs/cgroup/memoryx/ocicomply-abcdef-1']) t.notOk(isHarnessCgroupDirOf(TAG, d, MOUNTS), d);
});

t.test('run directory names', async (t) => {
  t.same(parseRunDirName('run-abcdef-Ab12Cd'), { kind: 'suite', tag: 'abcdef' });
  t.same(parseRunDirName('run-vm-cgroup2-Ab12Cd'), { kind: 'vm' });
  for (const n of ['run-important', 'run-abcdef-', 'run-abcdef-Ab12Cd/..', 'run-ABCDEF-Ab12Cd', 'run-vm-cgroup3-Ab12Cd']) t.equal(parseRunDirName(n), undefined, n);
});

t.test('owner files name a process and nothing else', async (t) => {
  t.same(parseOwner('{"pid":12,"startTime":"345","runtime":"/tmp/evil"}'), { pid: 12, startTime: '345' }, 'extra fields are dropped');
  for (const text of ['{"pid":-1,"startTime":"1"}', '{"pid":1.5,"startTime":"1"}', '{"pid":"1","startTime":"1"}', '{"pid":1,"startTime":"1; rm -rf /"}', 'null', 'garbage']) t.equal(parseOwner(text), undefined, text);
});

t.test('journal lines the harness would never write are rejected whole', async (t) => {
  const lines = [
    { id: 'ocicomply-abcdef-1', cgroupsPath: '/ocicomply-abcdef-1' },
    { id: 'ocicomply-abcdef-1', cgroupsPath: '/ocicomply-abcdef-1', process: { pid: 10, startTime: '99' } },
    { id: 'victim', cgroupsPath: '/victim' },
    { id: 'ocicomply-abcdef-2', cgroupsPath: '/../../../../tmp/x' },
    { id: 'ocicomply-abcdef-3', cgroupsPath: '/ocicomply-abcdef-3', harnessCgroups: ['/tmp/ocicomply-abcdef-3'] },
    { id: 'ocicomply-abcdef-4', cgroupsPath: '/ocicomply-abcdef-4', process: { pid: 0, startTime: '1' } },
  ].map((l) => JSON.stringify(l));
  const { entries, rejected } = parseJournal(`${lines.join('\n')}\n{"id":"ocicomply-abcdef-5","cgr`, TAG, MOUNTS);
  t.same(entries, [{ id: 'ocicomply-abcdef-1', cgroupsPath: '/ocicomply-abcdef-1', process: { pid: 10, startTime: '99' } }], 'only the valid entry, merged');
  t.equal(rejected.length, 4, 'four lines rejected; a last line cut short by a kill is not');
  t.match(rejected.join('\n'), /line 3: container id "victim"/);
  t.equal(parseJournal('not json\n{}\n', TAG, MOUNTS).rejected.length, 2, 'garbage in the middle is reported');
});

t.test('a private directory is ours, not a symlink, not writable by others; its parents cannot be swapped', async (t) => {
  const st = (uid: number, mode: number, kind: 'dir' | 'link' | 'file' = 'dir') => ({ uid, mode, isDirectory: () => kind === 'dir', isSymbolicLink: () => kind === 'link' });
  t.equal(privateDirProblem(st(0, 0o40700), 0), undefined);
  t.match(privateDirProblem(st(65534, 0o40700), 0), /owned by uid 65534/);
  t.match(privateDirProblem(st(0, 0o40770), 0), /writable by its group/);
  t.match(privateDirProblem(st(0, 0o41777), 0), /writable by every user/);
  t.match(privateDirProblem(st(0, 0o120777, 'link'), 0), /symbolic link/);
  t.match(privateDirProblem(st(0, 0o100600, 'file'), 0), /not a directory/);
  t.equal(ancestorProblem(st(0, 0o41777), 0), undefined, '/tmp is a fine parent');
  t.match(ancestorProblem(st(0, 0o40777), 0), /not sticky/);
  t.match(ancestorProblem(st(1000, 0o40755), 0), /owned by uid 1000/);
  t.equal(ancestorProblem(st(1000, 0o40700), 1000), undefined, "a user's own parent");
});

t.test('the default work directory is never shared between users', async (t) => {
  t.equal(defaultWorkDir(0, {}), '/run/ocicomply');
  t.equal(defaultWorkDir(1000, { XDG_RUNTIME_DIR: '/run/user/1000' }), '/run/user/1000/ocicomply');
  t.match(defaultWorkDir(1000, {}), /ocicomply-1000$/);
});
