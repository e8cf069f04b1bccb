// Shared by the broken runtimes written in JavaScript: each wraps a real runtime
// ($OCICOMPLY_REAL_RUNTIME, default runc) and breaks exactly one rule,
// mostly by rewriting config.json for the duration of `create`.
import { spawnSync } from 'node:child_process';
import { readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const REAL = process.env.OCICOMPLY_REAL_RUNTIME || 'runc';
export const argv = process.argv.slice(2);

function parse(args) {
  let root, cmd, bundle = process.cwd(), id;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!cmd) {
      if (a === '--root') root = args[++i];
      else if (!a.startsWith('-')) cmd = a;
      continue;
    }
    if (a === '--bundle' || a === '-b') bundle = resolve(args[++i]);
    else if (a === '--console-socket' || a === '--pid-file') i++;
    else if (!a.startsWith('-') && id === undefined) id = a;
  }
  return { root, cmd, bundle, id };
}
export const call = parse(argv);

/** Runs the real runtime with these arguments, passing stdio through. */
export function real(args = argv, input) {
  const r = spawnSync(REAL, args, input === undefined ? { stdio: 'inherit' } : { input, stdio: ['pipe', 'inherit', 'inherit'] });
  return r.status ?? 128 + 9;
}

export function realOutput(args) {
  return spawnSync(REAL, args, { encoding: 'utf8' });
}

/** `create` with config.json rewritten by `edit`; the file is put back afterwards. */
export function createWith(edit) {
  const file = join(call.bundle, 'config.json');
  const original = readFileSync(file, 'utf8');
  const config = JSON.parse(original);
  edit(config);
  writeFileSync(file, JSON.stringify(config));
  try {
    return real();
  } finally {
    writeFileSync(file, original);
  }
}

/** Rewrites every hook entry of the given types (all types when omitted). */
export function eachHook(config, types, fn) {
  for (const [type, list] of Object.entries(config.hooks ?? {})) {
    if (types && !types.includes(type)) continue;
    config.hooks[type] = list.map((h) => fn(h, type) ?? h);
  }
}

/** Runs `main` for create, passes every other operation through. */
export function onCreate(edit) {
  process.exit(call.cmd === 'create' ? createWith(edit) : real());
}

/**
 * Takes the poststart hooks out of the config at `create` and runs them itself
 * during `start`: before the real start when `before` is set (the program has
 * not started), else once the container process executes something other than
 * what it executed before the start (the program). A failing hook is only
 * reported. The hooks wait in a file under --root until then.
 */
export function poststartByWrapper(before) {
  const saved = join(call.root ?? '/run/runc', `poststart-${call.id}.json`);
  if (call.cmd === 'create') {
    process.exit(createWith((c) => {
      writeFileSync(saved, JSON.stringify(c.hooks?.poststart ?? []));
      delete c.hooks?.poststart;
    }));
  }
  if (call.cmd === 'delete') {
    const status = real();
    rmSync(saved, { force: true });
    process.exit(status);
  }
  if (call.cmd !== 'start') process.exit(real());
  const hooks = JSON.parse(readFileSync(saved, 'utf8'));
  const stateArgs = [...(call.root ? ['--root', call.root] : []), 'state', call.id];
  const runHooks = () => {
    const state = realOutput(stateArgs).stdout;
    for (const h of hooks) {
      const r = spawnSync(h.path, h.args.slice(1), { argv0: h.args[0], env: Object.fromEntries((h.env ?? []).map((e) => e.split(/=(.*)/s, 2))), input: state, stdio: ['pipe', 'inherit', 'inherit'] });
      if (r.status !== 0) process.stderr.write(`warning: poststart hook ${h.path} failed\n`);
    }
  };
  if (before) runHooks();
  const pid = JSON.parse(realOutput(stateArgs).stdout).pid;
  const exeOf = () => { try { return readlinkSync(`/proc/${pid}/exe`); } catch { return undefined; } };
  const was = exeOf();
  const status = real();
  if (status !== 0) process.exit(status);
  if (!before) {
    const deadline = Date.now() + 5000;
    while (exeOf() === was && Date.now() < deadline) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
    runHooks();
  }
  process.exit(0);
}
