/**
 * `ocicomply run --vm cgroup2|cgroup1`: the same suite, inside a throwaway
 * VM with a pure cgroup v2 (or v1) hierarchy. qemu boots the host's kernel
 * with the host's root shared read-only under a tmpfs overlay; a stage-two
 * script mounts the chosen cgroup hierarchy and runs `ocicomply run` with the
 * same runtime and options; the results come back through a shared
 * directory. The VM is torn down on every path.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../paths.js';
import { renderJsonDocument } from '../report/json.js';
import type { ReportOutput } from '../report/output.js';
import type { RunDocument, VmRecord } from '../results.js';
import type { BundleReports } from '../certify/write.js';
import { SetupError } from '../util/errors.js';
import { pollUntil } from '../util/poll.js';
import { claimRunDir } from '../run/workspace.js';
import { ensurePrivateDir } from '../run/private-dir.js';
import { ensureProbe } from '../probe/build.js';
import { findVmHost } from './host.js';
import { buildInitramfs, VM_RESULTS } from './initramfs.js';

export type VmMode = 'cgroup2' | 'cgroup1';

export interface VmRunOptions {
  readonly mode: VmMode;
  /** Arguments of `ocicomply run` inside the VM, without --vm, --json, --json-dir, --junit, --reporter and --work-dir. */
  readonly innerArgs: readonly string[];
  readonly reporter: 'tap' | 'human';
  /** Where the inner run's report is shown: standard error when a report file goes to standard output. */
  readonly reporterOut: NodeJS.WritableStream;
  /** Where each runtime's results document goes, by runtime name (the last part of its path). */
  readonly json: ReadonlyMap<string, ReportOutput>;
  readonly junit: ReportOutput | undefined;
  readonly timeoutMs: number;
  readonly workDir: string;
  /**
   * With --certify: the runtimes' names, and what writes one runtime's
   * bundle. The run inside writes its own bundles into the shared directory;
   * their reports come back out and are bundled again here, with the VM's facts.
   */
  readonly certify?: { readonly names: readonly string[]; readonly write: (name: string, reports: BundleReports) => Promise<void> };
}

/** Where the run inside keeps its certification bundles (in the shared results directory). */
const VM_CERTIFY = `${VM_RESULTS}/certify`;

/** What the VM adds to the results document. */
export type VmFacts = VmRecord;

const V1_CONTROLLERS = ['cpu,cpuacct', 'cpuset', 'memory', 'pids', 'devices', 'freezer', 'blkio', 'hugetlb', 'net_cls,net_prio', 'perf_event', 'rdma', 'misc'];

function cgroupSetup(mode: VmMode): string {
  if (mode === 'cgroup2') {
    return [
      'mount -t cgroup2 none /sys/fs/cgroup',
      // every controller the kernel has, for the containers' cgroups
      'for c in $(cat /sys/fs/cgroup/cgroup.controllers); do echo "+$c" > /sys/fs/cgroup/cgroup.subtree_control; done',
    ].join('\n');
  }
  return [
    'mount -t tmpfs -o mode=755 cgroup /sys/fs/cgroup',
    `for c in ${V1_CONTROLLERS.join(' ')}; do`,
    '  mkdir -p /sys/fs/cgroup/$c',
    '  mount -t cgroup -o $c cgroup /sys/fs/cgroup/$c 2>/dev/null || rmdir /sys/fs/cgroup/$c',
    'done',
    '[ -d /sys/fs/cgroup/cpu,cpuacct ] && ln -s cpu,cpuacct /sys/fs/cgroup/cpu && ln -s cpu,cpuacct /sys/fs/cgroup/cpuacct',
    '[ -d /sys/fs/cgroup/net_cls,net_prio ] && ln -s net_cls,net_prio /sys/fs/cgroup/net_cls && ln -s net_cls,net_prio /sys/fs/cgroup/net_prio',
    'mkdir -p /sys/fs/cgroup/systemd && mount -t cgroup -o none,name=systemd cgroup /sys/fs/cgroup/systemd',
  ].join('\n');
}

function quote(s: string): string {
  return `'${s.replaceAll("'", "'\\''")}'`;
}

function stageTwo(o: VmRunOptions, probe: string): string {
  const bin = join(PACKAGE_ROOT, 'bin', 'ocicomply.js');
  // /tmp stays the overlay's (the package may live there); the run's own files go to a fresh tmpfs.
  const args = ['run', ...o.innerArgs, '--reporter', o.reporter, '--work-dir', '/run/ocicomply', '--json-dir', `${VM_RESULTS}/json`, ...(o.junit ? ['--junit', `${VM_RESULTS}/junit.xml`] : []), ...(o.certify ? ['--certify', VM_CERTIFY] : [])];
  return `#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t tmpfs tmpfs /run
${cgroupSetup(o.mode)}
: > ${VM_RESULTS}/booted
# A sign of life every few seconds, with what each process waits on: a VM
# that misses its deadline then shows a stuck process apart from a stuck guest.
( while :; do { cat /proc/uptime; ps --ppid 2 -p 2 --deselect -o pid,ppid,stat,wchan:28,etimes,args 2>/dev/null | cut -c1-220; } > ${VM_RESULTS}/alive.new; mv ${VM_RESULTS}/alive.new ${VM_RESULTS}/alive; sleep 5; done ) &
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8
cd ${quote(process.cwd())}
# Under the probe's subreaper, as the launcher would start it: an emulated Node.js start costs seconds.
OCICOMPLY_REAPED=1 ${quote(probe)} subreaper ${quote(process.execPath)} ${quote(bin)} ${args.map(quote).join(' ')} > ${VM_RESULTS}/output 2> ${VM_RESULTS}/errors
echo $? > ${VM_RESULTS}/status
sync
echo o > /proc/sysrq-trigger
`;
}

/**
 * A booted guest writes its sign of life every 5 s. One silent for this long
 * is stuck for good (its kernel's own soft lockup watchdog fires after 20 s),
 * so the run stops there instead of at its deadline.
 */
const STALL_MS = 60_000;

/** Milliseconds since the guest last gave a sign of life (since boot, before its first). */
async function silentFor(results: string): Promise<number> {
  const last = (await stat(join(results, 'alive')).catch(() => undefined)) ?? (await stat(join(results, 'booted')).catch(() => undefined));
  return last ? Date.now() - last.mtimeMs : 0;
}

/** What a VM that ended without a result left: its last sign of life and the end of its console. */
async function lastWords(results: string): Promise<string> {
  const tail = (text: string, n: number): string => text.trimEnd().split('\n').slice(-n).join('\n');
  const alive = await stat(join(results, 'alive')).catch(() => undefined);
  const life = alive
    ? `; its last sign of life ${Math.round((Date.now() - alive.mtimeMs) / 1000)} s before the end (uptime, then its processes):\n${await readFile(join(results, 'alive'), 'utf8')}`
    : '; it never gave a sign of life after boot';
  const serial = tail(await readFile(join(results, 'serial.log'), 'utf8').catch(() => ''), 40);
  return `${life}\nits console ended with:\n${serial}`;
}

export async function runInVm(o: VmRunOptions): Promise<number> {
  const { host, missing } = await findVmHost();
  if (!host) throw new SetupError(`--vm needs ${missing.map((m) => `${m.what} (${m.fix})`).join('; ')}; \`ocicomply doctor\` lists what this machine has`);
  const [initramfs, probe] = await Promise.all([buildInitramfs(host, join(PACKAGE_ROOT, 'build', 'vm')), ensureProbe()]);
  // A run directory of its own (no containers on this side): a killed run's is removed by the next.
  const results = await mkdtemp(join(await ensurePrivateDir(o.workDir), `run-vm-${o.mode}-`));
  await claimRunDir(results);
  const started = performance.now();
  let interruptedBy: NodeJS.Signals | undefined;
  const serial = await open(join(results, 'serial.log'), 'w');
  try {
    await writeFile(join(results, 'stage2'), stageTwo(o, probe), { mode: 0o755 });
    await mkdir(join(results, 'json'));
    // setpriv execs qemu with a parent-death signal: a harness killed with
    // SIGKILL (no handler runs) takes its VM with it.
    const qemu = spawn(host.setpriv, ['--pdeathsig', 'KILL', '--', host.qemu,
      // KVM is not used: where /dev/kvm exists but does not work, qemu hangs with it.
      '-accel', 'tcg,thread=single', '-m', '3072', '-smp', '2', '-nographic', '-no-reboot',
      '-kernel', host.kernel, '-initrd', initramfs,
      '-append', 'console=ttyS0 loglevel=5 panic=-1',
      '-virtfs', 'local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap',
      '-virtfs', `local,path=${results},mount_tag=results,security_model=none,multidevs=remap`,
      // A disk that reads zeroes and stores nothing: a block device for the block I/O cases.
      '-blockdev', 'driver=null-co,node-name=disk,size=1073741824,read-zeroes=on', '-device', 'virtio-blk-pci,drive=disk',
    ], { stdio: ['ignore', serial.fd, serial.fd] });
    const exited = new Promise<void>((resolve) => qemu.once('exit', () => resolve()));
    const stop = (sig?: NodeJS.Signals): void => {
      if (sig) interruptedBy ??= sig;
      qemu.kill('SIGKILL');
    };
    const onSignal = (sig: NodeJS.Signals): void => {
      process.stderr.write(`\nocicomply: ${sig}: stopping the VM\n`);
      stop(sig);
    };
    for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(s, onSignal);
    const deadline = setTimeout(() => stop(), o.timeoutMs);
    let bootMs: number | null = null;
    let shown = 0;
    const forward = async (): Promise<void> => {
      // The inner run's output arrives through the shared directory as it is written.
      const text = await readFile(join(results, 'output')).catch(() => Buffer.alloc(0));
      if (text.length > shown) {
        o.reporterOut.write(text.subarray(shown));
        shown = text.length;
      }
      if (bootMs === null && (await readFile(join(results, 'booted')).then(() => true, () => false))) bootMs = Math.round(performance.now() - started);
    };
    let running = true;
    let stalled = false;
    void exited.then(() => (running = false));
    while (running) {
      await forward();
      if (bootMs !== null && !stalled && (await silentFor(results)) > STALL_MS) {
        stalled = true;
        stop();
      }
      await pollUntil(() => (running ? undefined : true), { timeoutMs: 200 });
    }
    await forward();
    clearTimeout(deadline);
    for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.off(s, onSignal);
    if (interruptedBy) return interruptedBy === 'SIGINT' ? 130 : interruptedBy === 'SIGTERM' ? 143 : 129;

    const status = Number((await readFile(join(results, 'status'), 'utf8').catch(() => '')).trim());
    const errors = await readFile(join(results, 'errors'), 'utf8').catch(() => '');
    if (errors) process.stderr.write(errors);
    if (!Number.isInteger(status) || (await readFile(join(results, 'status')).then(() => false, () => true))) {
      const why = stalled ? ` (stopped: the guest gave no sign of life for ${STALL_MS / 1000} s)` : performance.now() - started >= o.timeoutMs ? ` (killed at its deadline, ${o.timeoutMs} ms)` : '';
      throw new SetupError(`the ${o.mode} VM ended without a result${why}${await lastWords(results)}`);
    }
    const vm: VmFacts = { mode: o.mode, kernel: host.kernelVersion, bootMs, wallMs: Math.round(performance.now() - started) };
    // A runtime the run inside could not run has no document; it said why on its standard error.
    const documentOf = async (name: string): Promise<RunDocument | undefined> => {
      const text = await readFile(join(results, 'json', `${name}.json`), 'utf8').catch(() => undefined);
      if (text === undefined) return undefined;
      const doc = JSON.parse(text) as RunDocument;
      // The run inside does not know it is in a VM; its record says so here.
      const run = doc.run && { ...doc.run, options: { ...doc.run.options, vm: o.mode } };
      return { ...doc, ...(run ? { run } : {}), vm };
    };
    for (const [name, out] of o.json) {
      const doc = await documentOf(name);
      if (doc) await out.write(renderJsonDocument(doc));
    }
    for (const name of o.certify?.names ?? []) {
      const doc = await documentOf(name);
      const inner = o.certify!.names.length > 1 ? join(results, 'certify', name) : join(results, 'certify');
      const [junit, tap] = await Promise.all(['junit.xml', 'tap.log'].map((f) => readFile(join(inner, f), 'utf8').catch(() => undefined)));
      // An interrupted or failed run inside wrote no bundle: none is written here either.
      if (doc && junit !== undefined && tap !== undefined) await o.certify!.write(name, { doc, junit, tap });
    }
    if (o.junit) await o.junit.write(await readFile(join(results, 'junit.xml'), 'utf8'));
    process.stderr.write(`ocicomply: ${o.mode} VM (kernel ${host.kernelVersion}): booted in ${bootMs ?? '?'} ms, ${vm.wallMs} ms in all\n`);
    return status;
  } finally {
    await serial.close();
    await rm(results, { recursive: true, force: true });
  }
}
