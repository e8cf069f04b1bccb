/**
 * The seccomp and /dev/ptmx verdicts as pure functions of what the probe
 * and the kernel log showed, and the probe's actions they read, run on the
 * host: no runtime, no root.
 */
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { arch, tmpdir } from 'node:os';
import { join } from 'node:path';
import { readAction, type ActionResult } from '../src/engine/actions.js';
import { ensureProbe } from '../src/probe/build.js';
import { appliedVerdict, arch32Verdict, logFlagVerdict, specAllowVerdict } from '../src/checks/seccomp.js';
import { ptmxVerdict } from '../src/checks/devices.js';
import { parseSeccompRecord } from '../src/host/kernel-log.js';

const EPERM = 1;
const ENOSYS = 38;
const done = (fields: Partial<ActionResult>): ActionResult => ({ i: 0, do: 'x', ret: 0, errno: 0, ...fields });
const denied = (errno = EPERM, extra: Partial<ActionResult> = {}): ActionResult => done({ ret: -1, errno, ...extra });

t.test('seccomp.applied: a denied call passes with or without the status lines', async (t) => {
  const noLines = done({ seccomp: -1, filters: -1 });
  const before59 = done({ seccomp: 2, filters: -1 });
  for (const status of [noLines, before59, done({ seccomp: 2, filters: 1 }), undefined]) {
    const v = appliedVerdict(denied(), 'syscall:getpriority:0:0', undefined, status);
    t.equal(v.outcome, 'pass', v.message);
  }
  t.match(appliedVerdict(denied(), 'getpriority', undefined, noLines).message, /no Seccomp line, no Seccomp_filters line/);
});

t.test('seccomp.applied: a call that ran, or failed with another errno, fails even when status shows a filter', async (t) => {
  const status = done({ seccomp: 2, filters: 1 });
  t.equal(appliedVerdict(done({ ret: 20 }), 'getpriority', undefined, status).outcome, 'fail');
  t.equal(appliedVerdict(denied(ENOSYS), 'getpriority', EPERM, status).outcome, 'fail');
  t.equal(appliedVerdict(denied(EPERM), 'getpriority', EPERM, status).outcome, 'pass');
});

t.test('seccomp.architectures: each outcome of the 32-bit calls is told apart', async (t) => {
  const what = { native: 'syscall:getpriority:0:0', control: 'syscall32:getppid', call: 'syscall32:getpriority:0:0' };
  const ran = { begun: true, result: done({ ret: 7 }) };
  const deniedCall = { begun: true, result: denied() };
  const killed = { begun: true };
  t.equal(arch32Verdict(denied(), ran, deniedCall, what).outcome, 'pass', 'arch listed: control runs, rule denies');
  t.match(arch32Verdict(denied(), killed, { begun: false }, what), { outcome: 'fail', message: /SCMP_ARCH_X86 is not in it/ }, 'arch dropped: bad-arch kill');
  t.match(arch32Verdict(denied(), { begun: true, result: denied(ENOSYS) }, { begun: false }, what), { outcome: 'fail', message: /does not take the i386/ }, 'bad-arch errno');
  t.match(arch32Verdict(denied(), ran, ran, what), { outcome: 'fail', message: /does not reach the i386/ }, 'rule missing for i386');
  t.equal(arch32Verdict(done({ ret: 20 }), ran, deniedCall, what).outcome, 'fail', 'native rule not in force');
  t.equal(arch32Verdict(denied(), { begun: true, result: denied(ENOSYS, { no32: true }) }, { begun: false }, what).outcome, 'skip', 'no IA32 emulation');
  t.equal(arch32Verdict(denied(), { begun: true, result: denied(ENOSYS, { unknown: true }) }, { begun: false }, what).outcome, 'skip', 'a probe without the action');
});

t.test('seccomp.flags (LOG): judged only when the controls were logged', async (t) => {
  const pid = 4242;
  const call = denied(EPERM, { nr: 140 });
  const controls = [done({ ret: 1, nr: 110 }), done({ ret: 1, nr: 110 })];
  const control = { pid, syscall: 110, code: 0x7ffc0000 };
  const logged = { pid, syscall: 140, code: 0x50000 };
  t.equal(logFlagVerdict([control, logged], pid, call, controls, 'getpriority').outcome, 'pass');
  t.match(logFlagVerdict([control], pid, call, controls, 'getpriority'), { outcome: 'fail', message: /lacks SECCOMP_FILTER_FLAG_LOG/ });
  t.equal(logFlagVerdict([], pid, call, controls, 'getpriority').outcome, 'skip', 'no records: the log is not seen here');
  t.equal(logFlagVerdict([{ ...control, pid: 1 }, { ...logged, pid: 1 }], pid, call, controls, 'getpriority').outcome, 'skip', 'another process\'s records do not count');
  t.equal(logFlagVerdict(undefined, pid, call, controls, 'getpriority').outcome, 'skip', 'unreadable log');
  t.equal(logFlagVerdict([], pid, done({ ret: 20, nr: 140 }), controls, 'getpriority').outcome, 'fail', 'the call ran: no filter, whatever the log shows');
});

t.test('kernel log: a seccomp audit record is parsed, anything else is not', async (t) => {
  const line = '6,1234,33435021258,-;audit: type=1326 audit(1796401167.815:205): auid=4294967295 uid=0 gid=0 ses=4294967295 pid=28782 comm="ocicomply-probe" exe="/ocicomply-probe" sig=0 arch=c000003e syscall=110 compat=0 ip=0x43f999 code=0x7ffc0000';
  t.same(parseSeccompRecord(line), { pid: 28782, syscall: 110, code: 0x7ffc0000 });
  t.equal(parseSeccompRecord('6,1,2,-;audit: type=1400 pid=1 syscall=2 code=0x0'), undefined);
  t.equal(parseSeccompRecord('6,1,2,-;eth0: link up'), undefined);
});

t.test('seccomp.flags (SPEC_ALLOW): judged only where the kernel mitigates for seccomp tasks', async (t) => {
  const seccompMode = 'Mitigation: Speculative Store Bypass disabled via prctl and seccomp';
  t.equal(specAllowVerdict(done({ ssb: 'thread vulnerable', ssbMitigation: seccompMode }), denied(), 'getpriority').outcome, 'pass');
  t.equal(specAllowVerdict(done({ ssb: 'thread force mitigated', ssbMitigation: seccompMode }), denied(), 'getpriority').outcome, 'fail');
  t.equal(specAllowVerdict(done({ ssb: 'thread force mitigated', ssbMitigation: null }), denied(), 'getpriority').outcome, 'fail', 'forced without the mode visible');
  t.equal(specAllowVerdict(done({ ssb: 'vulnerable', ssbMitigation: 'Vulnerable' }), denied(), 'getpriority').outcome, 'skip', 'no mitigation: nothing to see');
  t.equal(specAllowVerdict(done({ ssb: 'thread vulnerable', ssbMitigation: 'Mitigation: Speculative Store Bypass disabled via prctl' }), denied(), 'getpriority').outcome, 'skip', 'prctl mode');
  t.equal(specAllowVerdict(done({ ssb: 'thread vulnerable', ssbMitigation: null }), denied(), 'getpriority').outcome, 'skip', 'mode unknown');
  t.equal(specAllowVerdict(done({ ssb: null, ssbMitigation: seccompMode }), denied(), 'getpriority').outcome, 'skip', 'no status line');
  t.equal(specAllowVerdict(done({ ssb: 'vulnerable', ssbMitigation: 'Vulnerable' }), done({ ret: 20 }), 'getpriority').outcome, 'fail', 'no filter at all');
});

t.test('devices.default: /dev/ptmx is the container\'s /dev/pts/ptmx', async (t) => {
  const pts = done({ type: 'd', dev: 45, ino: 1 });
  const ptsPtmx = done({ type: 'c', major: 5, minor: 2, dev: 45, ino: 2 });
  const link = (target: string): ActionResult => done({ type: 'l', target, dev: 30, ino: 9 });
  t.equal(ptmxVerdict({ link: link('pts/ptmx'), node: ptsPtmx, ptsPtmx, pts }).ok, true, 'relative link');
  t.equal(ptmxVerdict({ link: link('/dev/pts/ptmx'), node: ptsPtmx, ptsPtmx, pts }).ok, true, 'absolute link');
  t.equal(ptmxVerdict({ link: link('/dev/pts/0'), node: ptsPtmx, ptsPtmx, pts }).ok, false, 'link elsewhere');
  t.equal(ptmxVerdict({ link: ptsPtmx, node: ptsPtmx, ptsPtmx, pts }).ok, true, 'bind mount of pts/ptmx');
  const hostNode = done({ type: 'c', major: 5, minor: 2, dev: 6, ino: 90 });
  t.match(ptmxVerdict({ link: hostNode, node: hostNode, ptsPtmx, pts }), { ok: false, message: /device node 5:2/ }, 'a 5:2 node of its own');
  t.match(ptmxVerdict({ link: link('pts/ptmx'), node: hostNode, ptsPtmx: hostNode, pts }), { ok: false, message: /another filesystem/ }, 'host ptmx bound over pts/ptmx');
  t.equal(ptmxVerdict({ link: denied(2), node: ptsPtmx, ptsPtmx, pts }).ok, false, 'no /dev/ptmx');
});

t.test('probe actions on the host, without a filter: what the checks read', async (t) => {
  const probe = await ensureProbe();
  const dir = await mkdtemp(join(tmpdir(), 'ocicomply-probe-actions-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const log = join(dir, 'actions.jsonl');
  const actions = ['syscall:getppid', 'syscall32:getppid', 'syscall32:nosuchcall', 'stat:/dev/null', 'status'];
  execFileSync(probe, ['run', '--actions', log, ...actions.flatMap((a) => ['--do', a])], { timeout: 10_000 });
  const [native, call32, unknown32, stat, status] = await Promise.all(actions.map(async (_, i) => (await readAction(log, i)).result));
  t.equal(native?.ret, process.pid, 'syscall: getppid is this process');
  t.type(native?.nr, 'number', 'syscall: its number as the kernel knows it');
  if (arch() === 'x64' && !call32?.no32) t.equal(call32?.ret, process.pid, 'syscall32: the 32-bit getppid is this process too');
  else t.ok(call32?.no32, 'syscall32: a machine without 32-bit x86 calls says so');
  t.ok(unknown32?.unknown, 'syscall32: a call it has no number for is unknown');
  t.ok(typeof stat?.dev === 'number' && typeof stat.ino === 'number', 'stat: the file\'s dev and inode');
  t.type(status?.seccomp, 'number', 'status: the Seccomp line (-1 where the kernel has none)');
  t.ok(status && 'ssb' in status && 'ssbMitigation' in status, 'status: the speculative store bypass line and mode are reported (null when absent)');
});
