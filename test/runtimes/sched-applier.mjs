// A reference for the scheduling cases on a runtime that predates them: it
// wraps runc (which ignores process.scheduler and process.ioPriority, and up
// to 1.1 linux.personality) and does what config.md asks itself. At create it
// refuses the invalid values config.md's Valid values rule names, runs the
// real create under the configured personality (inherited across fork and
// exec), then gives the waiting container process the configured scheduler
// and I/O priority (kept across execve). Each broken runtime of
// broken-process/ that uses it leaves exactly one of these out.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { argv, call, real, realOutput, REAL } from './edit-config.mjs';

const POLICIES = { SCHED_OTHER: '--other', SCHED_FIFO: '--fifo', SCHED_RR: '--rr', SCHED_BATCH: '--batch', SCHED_IDLE: '--idle', SCHED_DEADLINE: '--deadline' };
const FLAGS = ['SCHED_FLAG_RESET_ON_FORK', 'SCHED_FLAG_RECLAIM', 'SCHED_FLAG_DL_OVERRUN', 'SCHED_FLAG_KEEP_POLICY', 'SCHED_FLAG_KEEP_PARAMS', 'SCHED_FLAG_UTIL_CLAMP_MIN', 'SCHED_FLAG_UTIL_CLAMP_MAX'];
const IO_CLASSES = { IOPRIO_CLASS_RT: 1, IOPRIO_CLASS_BE: 2, IOPRIO_CLASS_IDLE: 3 };
const CPU_LIST = /^\s*\d+(-\d+)?(\s*,\s*\d+(-\d+)?)*\s*$/;

function invalid(c) {
  const s = c.process?.scheduler;
  if (s && !(s.policy in POLICIES)) return `unknown scheduler policy ${s.policy}`;
  if (s && (s.flags ?? []).some((f) => !FLAGS.includes(f))) return 'unknown scheduler flag';
  if (s && (s.policy === 'SCHED_FIFO' || s.policy === 'SCHED_RR') && !(s.priority >= 1 && s.priority <= 99)) return 'real-time priority out of range';
  const io = c.process?.ioPriority;
  if (io && !(io.class in IO_CLASSES)) return `unknown I/O class ${io.class}`;
  if (io && !(io.priority >= 0 && io.priority <= 7)) return 'I/O priority out of range';
  const aff = c.process?.execCPUAffinity;
  if (aff && [aff.initial, aff.final].some((l) => l !== undefined && l !== '' && !CPU_LIST.test(l))) return 'bad CPU list';
  const p = c.linux?.personality;
  if (p && !['LINUX', 'LINUX32'].includes(p.domain)) return `unknown personality domain ${p.domain}`;
  return undefined;
}

function must(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed`);
}

/**
 * breaks: { validate, personality, scheduler, ioPriority } set to false leaves that part out; ioPriority 'wrong'
 * gives the next level; unsetAsZero false gives an unset nice the value 5.
 */
export function applySched(breaks = {}) {
  if (call.cmd !== 'create') process.exit(real());
  const config = JSON.parse(readFileSync(join(call.bundle, 'config.json'), 'utf8'));
  const why = breaks.validate === false ? undefined : invalid(config);
  if (why) {
    process.stderr.write(`invalid config: ${why}\n`);
    process.exit(1);
  }
  const linux32 = breaks.personality !== false && config.linux?.personality?.domain === 'LINUX32';
  const r = linux32 ? spawnSync('setarch', ['linux32', REAL, ...argv], { stdio: 'inherit' }).status ?? 137 : real();
  if (r !== 0) process.exit(r);
  // Accepting what it should refuse, it applies nothing it cannot: as a runtime that ignores these properties.
  if (breaks.validate === false && invalid(config)) process.exit(0);
  const pid = JSON.parse(realOutput([...(call.root ? ['--root', call.root] : []), 'state', call.id]).stdout).pid;
  try {
    const s = config.process?.scheduler;
    if (s && breaks.scheduler !== false) {
      const times = s.policy === 'SCHED_DEADLINE' ? ['--sched-runtime', String(s.runtime ?? 0), '--sched-deadline', String(s.deadline ?? 0), '--sched-period', String(s.period ?? 0)] : [];
      must('chrt', [...((s.flags ?? []).includes('SCHED_FLAG_RESET_ON_FORK') ? ['--reset-on-fork'] : []), POLICIES[s.policy], ...times, '-p', String(s.priority ?? 0), String(pid)]);
      must('renice', ['-n', String(s.nice ?? (breaks.unsetAsZero === false ? 5 : 0)), '-p', String(pid)]);
    }
    const io = config.process?.ioPriority;
    if (io && breaks.ioPriority !== false) {
      const level = breaks.ioPriority === 'wrong' ? (io.priority + 1) % 8 : io.priority;
      must('ionice', ['-c', String(IO_CLASSES[io.class]), '-n', String(level), '-p', String(pid)]);
    }
  } catch (e) {
    process.stderr.write(`${e.message}\n`);
    real([...(call.root ? ['--root', call.root] : []), 'delete', '--force', call.id]);
    process.exit(1);
  }
  process.exit(0);
}
