/** `ocicomply doctor`: what this machine has for a run and for --vm, and what is missing. */
import { execa } from 'execa';
import { hostFacts } from './host/facts.js';
import { ensureProbe } from './probe/build.js';
import { SetupError } from './util/errors.js';
import { findVmHost } from './vm/host.js';

export async function doctor(): Promise<number> {
  const out = (ok: boolean, what: string): void => {
    process.stdout.write(`${ok ? 'ok     ' : 'missing'} ${what}\n`);
  };
  let problems = 0;
  const root = process.getuid?.() === 0;
  out(root, root ? 'running as root' : 'root (runs need it)');
  if (!root) problems++;
  const host = await hostFacts();
  out(true, `host cgroups: ${host.cgroup}, controllers: ${host.controllers.join(' ') || 'none'}`);
  // Not a problem: the block I/O throttle cases are skipped without one.
  process.stdout.write(`${host.blockDevice ? 'ok     ' : 'absent '} block device for the block I/O cases${host.blockDevice ? `: ${host.blockDevice.name} (${host.blockDevice.major}:${host.blockDevice.minor})` : ' (those cases are skipped)'}\n`);
  try {
    out(true, `probe: ${await ensureProbe()}`);
  } catch (e) {
    out(false, e instanceof SetupError ? e.message : String(e));
    problems++;
  }
  for (const rt of ['runc', 'crun']) {
    const r = await execa(rt, ['--version'], { reject: false });
    const first = String(r.stdout ?? '').split('\n')[0];
    process.stdout.write(`${r.exitCode === 0 ? 'ok     ' : 'absent '} ${rt}${r.exitCode === 0 ? `: ${first}` : ' (optional: any runtime can be given with --runtime)'}\n`);
  }
  const vm = await findVmHost();
  if (vm.host) out(true, `--vm: qemu ${vm.host.qemu}, kernel ${vm.host.kernelVersion}, ${vm.host.modules.length} modules, busybox ${vm.host.busybox}`);
  for (const m of vm.missing) out(false, `--vm: ${m.what} (${m.fix})`);
  return problems > 0 ? 1 : 0;
}
