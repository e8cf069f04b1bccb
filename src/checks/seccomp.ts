/**
 * Seccomp checks that judge by behaviour: what the filter did to the
 * program's calls. /proc/self/status lines and kernel log records are
 * evidence where the kernel offers them; a kernel that does not (older than
 * 5.9, a sandbox) skips what only they could show, never fails it.
 */
import type { ActionResult, ActionState } from '../engine/actions.js';
import type { SeccompRecord } from '../host/kernel-log.js';
import type { Finding } from '../engine/check.js';
import type { ActionSeen } from '../engine/observers/actions.js';
import { observeApplied, observeArch32, observeLogged, observeSpecAllow } from '../engine/observers/seccomp.js';
import type { CreateOutcome } from '../engine/observers/common.js';
import { errnoName, errnoNumber } from '../util/errno.js';
import { createRefusal, defineCheck, fail, unjudged, verdict } from './check.js';
import { actionOf, returned } from './actions.js';

export interface Verdict {
  readonly outcome: 'pass' | 'fail' | 'skip';
  readonly message: string;
}

const actionIndex = { type: 'integer', minimum: 0 } as const;

// runtime.md (create): a property the runtime cannot apply is an error; such a refusal is no verdict.
const REFUSABLE = { type: 'boolean' } as const;

/** The skip of a step that allows a refused create, when create was refused. */
function refusal(seen: object): Finding[] | undefined {
  if (!('create' in seen) || !('refused' in seen)) return undefined;
  const why = createRefusal(seen.create as CreateOutcome);
  return why === undefined ? undefined : [unjudged(why)];
}

function finding(v: Verdict): Finding {
  return v.outcome === 'skip' ? unjudged(v.message) : verdict(v.outcome === 'pass', v.message);
}

/** An action's log as the verdicts below read it. */
function stateOf(a: ActionSeen | undefined): ActionState {
  return a?.result ? { begun: a.begun, result: a.result } : { begun: a?.begun ?? false };
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

export const seccompApplied = defineCheck({
  name: 'seccomp-applied',
  description: 'The filter is in force: the `denied` action (a call a rule denies) failed, with `errno` when given; the `status` action (/proc/self/status) is reported as evidence, never judged.',
  params: {
    type: 'object', additionalProperties: false, required: ['denied'],
    properties: { denied: actionIndex, errno: ERRNO_PARAM, status: actionIndex },
  } as const,
  observe: (ctx, params, c) => observeApplied(ctx, c, params.denied, params.status),
  judge(params, seen) {
    const denied = returned(seen.denied);
    if (typeof denied === 'string') return [fail(denied)];
    const errno = params.errno === undefined ? undefined : errnoNumber(params.errno);
    if (params.errno !== undefined && errno === undefined) return [fail(`unknown errno ${params.errno}`)];
    return [finding(appliedVerdict(denied, actionOf(seen.denied), errno, seen.status?.result ?? undefined))];
  },
});

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

export const seccompArch32 = defineCheck({
  name: 'seccomp-arch32',
  description: 'With SCMP_ARCH_X86 in the filter: the `native` action (a native call a rule denies) was denied, the `control` action (a 32-bit x86 call no rule names) ran and the `call` action (the rule\'s call made as a 32-bit one) was denied; skipped where the machine runs no 32-bit x86 calls, and with `refusable` when create refused the filter.',
  params: {
    type: 'object', additionalProperties: false, required: ['native', 'control', 'call'],
    properties: { native: actionIndex, control: actionIndex, call: actionIndex, refusable: REFUSABLE },
  } as const,
  observe: (ctx, params, c) => observeArch32(ctx, c, params),
  judge(params, seen) {
    const skip = refusal(seen);
    if (skip) return skip;
    if (!('native' in seen)) return [fail('create was refused')];
    const native = returned(seen.native);
    if (typeof native === 'string') return [fail(native)];
    const what = (a: ActionSeen | undefined, index: number): string => (a ? actionOf(a) : `action ${index}`);
    return [finding(arch32Verdict(native, stateOf(seen.control), stateOf(seen.call),
      { native: actionOf(seen.native), control: what(seen.control, params.control), call: what(seen.call, params.call) }))];
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

export const seccompLogged = defineCheck({
  name: 'seccomp-logged',
  description: "SECCOMP_FILTER_FLAG_LOG is in force: the kernel log holds a seccomp record of the `call` action (a denied syscall) of the container process, where it holds one of each `controls` action (SCMP_ACT_LOG syscalls); skipped when it holds none (this host's log does not show the container's calls).",
  params: {
    type: 'object', additionalProperties: false, required: ['call', 'controls'],
    properties: { call: actionIndex, controls: { type: 'array', minItems: 1, items: actionIndex }, refusable: REFUSABLE },
  } as const,
  observe: (ctx, params, c) => observeLogged(ctx, c, params.call, params.controls, params.refusable),
  judge(_params, seen) {
    const skip = refusal(seen);
    if (skip) return skip;
    if (!('actions' in seen)) return [fail('create was refused')];
    const results: ActionResult[] = [];
    for (const a of seen.actions) {
      const r = returned(a);
      if (typeof r === 'string') return [fail(r)];
      results.push(r);
    }
    if (seen.pid === null) return [unjudged('cannot be judged: no state named the container process (see state.pid)')];
    const [call, ...controls] = results;
    if (!call || !seen.actions[0]) return [fail('the probe reported no action')];
    return [finding(logFlagVerdict(seen.records ?? undefined, seen.pid, call, controls, actionOf(seen.actions[0])))];
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

export const seccompSpecAllow = defineCheck({
  name: 'seccomp-spec-allow',
  description: 'SECCOMP_FILTER_FLAG_SPEC_ALLOW is in force: the `denied` action (a call a rule denies) failed and the `status` action shows no forced speculative store bypass mitigation; skipped unless the kernel mitigates it for seccomp tasks, and with `refusable` when create refused the flag.',
  params: { type: 'object', additionalProperties: false, required: ['status', 'denied'], properties: { status: actionIndex, denied: actionIndex, refusable: REFUSABLE } } as const,
  observe: (ctx, params, c) => observeSpecAllow(ctx, c, params.status, params.denied, params.refusable),
  judge(_params, seen) {
    const skip = refusal(seen);
    if (skip) return skip;
    if (!('actions' in seen)) return [fail('create was refused')];
    const results: ActionResult[] = [];
    for (const a of seen.actions) {
      const r = returned(a);
      if (typeof r === 'string') return [fail(r)];
      results.push(r);
    }
    const [status, denied] = results;
    const deniedSeen = seen.actions[1];
    if (!status || !denied || !deniedSeen) return [fail('the probe reported fewer than the two actions')];
    return [finding(specAllowVerdict(status, denied, actionOf(deniedSeen)))];
  },
});
