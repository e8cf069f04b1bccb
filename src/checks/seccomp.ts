/**
 * Seccomp checks that judge by behaviour: what the filter did to the
 * program's calls. /proc/self/status lines and kernel log records are
 * evidence where the kernel offers them; a kernel that does not (older than
 * 5.9, a sandbox) skips what only they could show, never fails it.
 */
import { constants } from 'node:os';
import type { CheckStep } from '../cases/types.js';
import type { CaseContext, Container } from '../engine/context.js';
import { stateFields } from '../engine/context.js';
import { readAction, type ActionResult, type ActionState } from '../engine/actions.js';
import { readSeccompRecords, type SeccompRecord } from '../host/kernel-log.js';
import { pollUntil } from '../util/poll.js';
import { legacyCreateRefusal, judge, legacyCheck } from './check.js';
import { actionOf, errnoName, resultOf } from './actions.js';

export interface Verdict {
  readonly outcome: 'pass' | 'fail' | 'skip';
  readonly message: string;
}

const actionIndex = { type: 'integer', minimum: 0 } as const;

// runtime.md (create): a property the runtime cannot apply is an error; such a refusal is no verdict.
const REFUSABLE = { type: 'boolean' } as const;

/** Skips the step's requirements when it allows a refused create and create was refused. */
function refused(ctx: CaseContext, step: CheckStep, c: Container): boolean {
  const why = step.params['refusable'] === true ? legacyCreateRefusal(ctx, c) : undefined;
  if (why) ctx.skipRequirements(step.requirements, why);
  return why !== undefined;
}

function record(ctx: CaseContext, step: CheckStep, v: Verdict): void {
  if (v.outcome === 'skip') return ctx.skipRequirements(step.requirements, v.message);
  judge(ctx, step, v.outcome === 'pass', v.message);
}

/** The status lines as evidence: what the kernel wrote, or that it wrote none. */
function statusEvidence(status: ActionResult | undefined): string {
  if (!status) return 'no status read';
  const seccomp = status.seccomp === undefined || status.seccomp < 0 ? 'no Seccomp line' : `Seccomp: ${status.seccomp}`;
  const filters = status.filters === undefined || status.filters < 0 ? 'no Seccomp_filters line' : `Seccomp_filters: ${status.filters}`;
  return `${seccomp}, ${filters}`;
}

/**
 * seccomp.applied: the filter is in force when a call it denies was denied
 * (with the configured errno). /proc/self/status is supporting evidence only:
 * Linux before 5.9 has no Seccomp_filters line and a sandboxed kernel may
 * show neither line, while the filter blocks calls all the same.
 */
export function appliedVerdict(denied: ActionResult, what: string, errno: number | undefined, status: ActionResult | undefined): Verdict {
  const evidence = `/proc/self/status: ${statusEvidence(status)}`;
  if (denied.ret !== -1) return { outcome: 'fail', message: `${what} ran (returned ${denied.ret}): no filter denied it (${evidence})` };
  if (errno !== undefined && denied.errno !== errno) {
    return { outcome: 'fail', message: `${what} failed with ${errnoName(denied.errno)}, not the configured ${errnoName(errno)} (${evidence})` };
  }
  return { outcome: 'pass', message: `${what} was denied with ${errnoName(denied.errno)} (${evidence})` };
}

const ERRNO_PARAM = { type: 'string', pattern: '^E[A-Z0-9]+$' } as const;

export const seccompApplied = legacyCheck({
  name: 'seccomp-applied',
  description: 'The filter is in force: the `denied` action (a call a rule denies) failed, with `errno` when given; the `status` action (/proc/self/status) is reported as evidence, never judged.',
  params: {
    type: 'object', additionalProperties: false, required: ['denied'],
    properties: { denied: actionIndex, errno: ERRNO_PARAM, status: actionIndex },
  },
  async run(ctx, step, c) {
    const deniedIndex = step.params['denied'] as number;
    const denied = await resultOf(ctx, c, deniedIndex);
    if (typeof denied === 'string') return judge(ctx, step, false, denied);
    const statusIndex = step.params['status'] as number | undefined;
    const status = statusIndex === undefined ? undefined : (await readAction(c.paths.actions, statusIndex)).result;
    const errnoParam = step.params['errno'];
    const errno = errnoParam === undefined ? undefined : errnoNumber(String(errnoParam));
    if (errnoParam !== undefined && errno === undefined) return judge(ctx, step, false, `unknown errno ${String(errnoParam)}`);
    record(ctx, step, appliedVerdict(denied, actionOf(c, deniedIndex), errno, status));
  },
});

function errnoNumber(name: string): number | undefined {
  return (constants.errno as Readonly<Record<string, number>>)[name];
}

/** An action once it has a result, or once it began and the container stopped (the program died in it). */
async function settled(ctx: CaseContext, c: Container, index: number): Promise<ActionState> {
  const got = await pollUntil(async () => {
    const a = await readAction(c.paths.actions, index);
    if (a.result) return a;
    if (!a.begun) return undefined;
    const { parsed } = await ctx.queryState(c);
    return stateFields(parsed)?.status === 'stopped' ? a : undefined;
  }, { timeoutMs: ctx.timing.waitTimeoutMs, signal: ctx.signal });
  return got ?? (await readAction(c.paths.actions, index));
}

/**
 * seccomp.architectures with a second architecture (SCMP_ARCH_X86 beside
 * SCMP_ARCH_X86_64): `control` is a 32-bit call no rule names, `call` a
 * 32-bit call a rule denies. With the architecture in the filter the control
 * runs and the rule denies the call; without it the kernel gives every 32-bit
 * call the filter's bad-architecture action (libseccomp's default: kill), so
 * the control never returns or fails. A machine that runs no 32-bit calls
 * (no IA32 emulation: SIGSEGV, caught by the probe) skips. `native` is the
 * rule's call made natively: it must be denied as well.
 */
export function arch32Verdict(native: ActionResult, control: ActionState, call: ActionState, what: { native: string; control: string; call: string }): Verdict {
  const { control: controlWhat, call: callWhat } = what;
  if (native.ret !== -1) return { outcome: 'fail', message: `${what.native} ran (returned ${native.ret}): the rule is not in force for the native architecture` };
  const c = control.result;
  if (c?.no32 || c?.unknown) return { outcome: 'skip', message: `cannot be judged: the container's machine runs no 32-bit x86 syscalls (${controlWhat} is not an x86_64 int 0x80 call there)` };
  if (!control.begun) return { outcome: 'fail', message: `${controlWhat} never ran` };
  if (!c) return { outcome: 'fail', message: `${controlWhat}, a 32-bit call no rule names, ended the program: the filter treats the i386 architecture as foreign (SCMP_ARCH_X86 is not in it)` };
  if (c.ret === -1) return { outcome: 'fail', message: `${controlWhat}, a 32-bit call no rule names, failed with ${errnoName(c.errno)}: the filter does not take the i386 architecture` };
  const r = call.result;
  if (!r) return { outcome: 'fail', message: call.begun ? `${callWhat} ended the program instead of being denied by its rule` : `${callWhat} never ran` };
  if (r.ret !== -1) return { outcome: 'fail', message: `${callWhat} ran (returned ${r.ret}): the rule does not reach the i386 architecture` };
  return { outcome: 'pass', message: `${controlWhat} ran and ${callWhat} was denied with ${errnoName(r.errno)}: the rule applies to the i386 architecture` };
}

export const seccompArch32 = legacyCheck({
  name: 'seccomp-arch32',
  description: 'With SCMP_ARCH_X86 in the filter: the `native` action (a native call a rule denies) was denied, the `control` action (a 32-bit x86 call no rule names) ran and the `call` action (the rule\'s call made as a 32-bit one) was denied; skipped where the machine runs no 32-bit x86 calls, and with `refusable` when create refused the filter.',
  params: {
    type: 'object', additionalProperties: false, required: ['native', 'control', 'call'],
    properties: { native: actionIndex, control: actionIndex, call: actionIndex, refusable: REFUSABLE },
  },
  async run(ctx, step, c) {
    if (refused(ctx, step, c)) return;
    const [nativeIndex, controlIndex, callIndex] = (['native', 'control', 'call'] as const).map((k) => step.params[k] as number) as [number, number, number];
    const native = await resultOf(ctx, c, nativeIndex);
    if (typeof native === 'string') return judge(ctx, step, false, native);
    const control = await settled(ctx, c, controlIndex);
    const call = control.result && control.result.ret !== -1 ? await settled(ctx, c, callIndex) : await readAction(c.paths.actions, callIndex);
    const what = (i: number): string => actionOf(c, i);
    record(ctx, step, arch32Verdict(native, control, call, { native: what(nativeIndex), control: what(controlIndex), call: what(callIndex) }));
  },
});

/**
 * SECCOMP_FILTER_FLAG_LOG: the kernel logs every action but ALLOW of a filter
 * with the flag, and without it only SCMP_ACT_LOG (and kills). `controls` are
 * SCMP_ACT_LOG calls made around the `call` (an SCMP_ACT_ERRNO one): when
 * the log holds the controls' records, the flag alone decides whether the
 * call's record is there. No control record: the harness cannot see this
 * kernel's seccomp log (an audit daemon takes it, or the container runs on
 * another kernel), so it skips. Controls on both sides of the call keep the
 * kernel's rate limit from passing for a missing flag.
 */
export function logFlagVerdict(records: readonly SeccompRecord[] | undefined, pid: number, call: ActionResult, controls: readonly ActionResult[], callWhat: string): Verdict {
  if (call.ret !== -1) return { outcome: 'fail', message: `${callWhat} ran (returned ${call.ret}): the filter is not in force` };
  if (!records) return { outcome: 'skip', message: 'cannot be judged: the kernel log (/dev/kmsg) cannot be read here' };
  const logged = (r: ActionResult): boolean => records.some((x) => x.pid === pid && x.syscall === r.nr);
  const missing = controls.filter((r) => !logged(r));
  if (missing.length > 0) {
    return { outcome: 'skip', message: `cannot be judged: the kernel log seen here holds no record of ${missing.length} of the ${controls.length} SCMP_ACT_LOG calls of pid ${pid} (an audit daemon takes the records, the kernel's rate limit dropped them, the harness's pid namespace is not the kernel's first, or the container runs on another kernel)` };
  }
  return logged(call)
    ? { outcome: 'pass', message: `the kernel logged ${callWhat} (denied with ${errnoName(call.errno)}), as only SECCOMP_FILTER_FLAG_LOG makes it` }
    : { outcome: 'fail', message: `the kernel logged the SCMP_ACT_LOG calls around ${callWhat} but not it: the filter lacks SECCOMP_FILTER_FLAG_LOG` };
}

/** How long the kernel may take to print a record the call already caused. */
const KERNEL_LOG_WAIT_MS = 2000;

export const seccompLogged = legacyCheck({
  name: 'seccomp-logged',
  description: "SECCOMP_FILTER_FLAG_LOG is in force: the kernel log holds a seccomp record of the `call` action (a denied syscall) of the container process, where it holds one of each `controls` action (SCMP_ACT_LOG syscalls); skipped when it holds none (this host's log does not show the container's calls).",
  params: {
    type: 'object', additionalProperties: false, required: ['call', 'controls'],
    properties: { call: actionIndex, controls: { type: 'array', minItems: 1, items: actionIndex }, refusable: REFUSABLE },
  },
  async run(ctx, step, c) {
    if (refused(ctx, step, c)) return;
    const indexes = [step.params['call'] as number, ...(step.params['controls'] as number[])];
    const results: ActionResult[] = [];
    for (const i of indexes) {
      const r = await resultOf(ctx, c, i);
      if (typeof r === 'string') return judge(ctx, step, false, r);
      results.push(r);
    }
    if (!c.process) return ctx.skipRequirements(step.requirements, 'cannot be judged: no state named the container process (see state.pid)');
    const [call, ...controls] = results as [ActionResult, ...ActionResult[]];
    const pid = c.process.pid;
    // the kernel prints audit records from its own thread: give the controls' records a moment to appear
    const records = (await pollUntil(() => {
      const all = readSeccompRecords();
      return all && controls.every((r) => all.some((x) => x.pid === pid && x.syscall === r.nr)) ? all : undefined;
    }, { timeoutMs: KERNEL_LOG_WAIT_MS, signal: ctx.signal })) ?? readSeccompRecords();
    record(ctx, step, logFlagVerdict(records, pid, call, controls, actionOf(c, indexes[0] as number)));
  },
});

/**
 * SECCOMP_FILTER_FLAG_SPEC_ALLOW: where the kernel mitigates speculative
 * store bypass for seccomp tasks (mode "seccomp"), a filter without the flag
 * forces the mitigation on ("thread force mitigated" in /proc/self/status);
 * with the flag it leaves the task as it was. In any other mode the line does
 * not depend on the flag, so the requirement is skipped; so it is when the
 * container cannot read the mode and the line shows no forced mitigation.
 */
export function specAllowVerdict(status: ActionResult, denied: ActionResult, deniedWhat: string): Verdict {
  if (denied.ret !== -1) return { outcome: 'fail', message: `${deniedWhat} ran (returned ${denied.ret}): the filter is not in force` };
  const mode = status.ssbMitigation;
  const ssb = status.ssb;
  if (!ssb) return { outcome: 'skip', message: 'cannot be judged: /proc/self/status has no Speculation_Store_Bypass line' };
  const modeText = mode ? `mode "${mode}"` : 'mode unknown: the container sees no /sys/devices/system/cpu/vulnerabilities/spec_store_bypass';
  const forced = /force mitigated/i.test(ssb);
  // a forced mitigation in a fresh container comes from a filter without the flag; anything else needs the mode to tell
  if (forced && (!mode || /seccomp/i.test(mode))) {
    return { outcome: 'fail', message: `Speculation_Store_Bypass: ${ssb} (${modeText}): the filter forced the mitigation, as one without SECCOMP_FILTER_FLAG_SPEC_ALLOW does` };
  }
  if (!mode || !/seccomp/i.test(mode)) {
    return { outcome: 'skip', message: `cannot be judged: Speculation_Store_Bypass: ${ssb} (${modeText}); only a kernel that mitigates speculative store bypass for seccomp tasks shows SECCOMP_FILTER_FLAG_SPEC_ALLOW` };
  }
  return { outcome: 'pass', message: `Speculation_Store_Bypass: ${ssb} (${modeText}): the filter left speculation alone, as SECCOMP_FILTER_FLAG_SPEC_ALLOW asks` };
}

export const seccompSpecAllow = legacyCheck({
  name: 'seccomp-spec-allow',
  description: 'SECCOMP_FILTER_FLAG_SPEC_ALLOW is in force: the `denied` action (a call a rule denies) failed and the `status` action shows no forced speculative store bypass mitigation; skipped unless the kernel mitigates it for seccomp tasks, and with `refusable` when create refused the flag.',
  params: { type: 'object', additionalProperties: false, required: ['status', 'denied'], properties: { status: actionIndex, denied: actionIndex, refusable: REFUSABLE } },
  async run(ctx, step, c) {
    if (refused(ctx, step, c)) return;
    const status = await resultOf(ctx, c, step.params['status'] as number);
    if (typeof status === 'string') return judge(ctx, step, false, status);
    const deniedIndex = step.params['denied'] as number;
    const denied = await resultOf(ctx, c, deniedIndex);
    if (typeof denied === 'string') return judge(ctx, step, false, denied);
    record(ctx, step, specAllowVerdict(status, denied, actionOf(c, deniedIndex)));
  },
});
