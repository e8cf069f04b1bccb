#!/usr/bin/env node
// Launcher. `run`, `clean` and `doctor` execute under the probe's subreaper so that
// container processes orphaned by their runtime are reaped by an ancestor of
// the harness even where the host's init does not reap them.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const dist = new URL('../dist/', import.meta.url);
let cli;
try {
  // First, before anything that an older Node.js may fail on in its own way.
  const { nodeVersionProblem } = await import(new URL('host/node-version.js', dist).href);
  const tooOld = nodeVersionProblem(process.version);
  if (tooOld) {
    process.stderr.write(`ocicomply: ${tooOld}\n`);
    process.exit(2);
  }
  cli = await import(new URL('cli.js', dist).href);
} catch (e) {
  process.stderr.write(`ocicomply: not built (${e.message}); run npm ci (or npm run build) in ${fileURLToPath(new URL('..', import.meta.url))}\n`);
  process.exit(2);
}
const { SetupError } = await import(new URL('util/errors.js', dist).href);
const args = process.argv.slice(2);
// `ocicomply run ... | head`: once the reader is gone the rest of the output is
// dropped, and the run goes on to its end, so its teardown still happens.
let stdoutGone = false;
process.stdout.on('error', (e) => {
  if (e.code !== 'EPIPE' && !stdoutGone) throw e;
  stdoutGone = true;
  process.stdout.write = (_chunk, encoding, done) => {
    const callback = typeof encoding === 'function' ? encoding : done;
    if (callback) process.nextTick(callback);
    return true;
  };
});

/** Runs this command again under the probe's subreaper; false when the probe cannot be had and that is allowed. */
async function underReaper({ probeOptional }) {
  const { ensureProbe } = await import(new URL('probe/build.js', dist).href);
  let probe;
  try {
    probe = await ensureProbe();
  } catch (e) {
    if (probeOptional) return false; // doctor says what is wrong with the probe itself
    throw e;
  }
  const child = spawn(probe, ['subreaper', process.execPath, fileURLToPath(import.meta.url), ...args], {
    stdio: 'inherit',
    env: { ...process.env, OCICOMPLY_REAPED: '1' },
  });
  // The terminal sends Ctrl-C to the whole foreground group; a signal sent to
  // this process alone is passed on.
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig));
  const code = await new Promise((resolve) => child.on('exit', (c, s) => resolve(c ?? 128 + ({ SIGINT: 2, SIGTERM: 15, SIGHUP: 1, SIGKILL: 9 }[s] ?? 0))));
  process.exit(code);
}

try {
  // doctor runs a probe container too.
  const reaped = ['run', 'clean', 'doctor'].includes(args[0]) && process.env.OCICOMPLY_REAPED !== '1'
    && await underReaper({ probeOptional: args[0] === 'doctor' });
  if (!reaped) process.exitCode = await cli.main(args);
} catch (e) {
  if (e instanceof SetupError) {
    process.stderr.write(`ocicomply: ${e.message}\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`ocicomply: internal error: ${e?.stack ?? e}\n`);
    process.exitCode = 2;
  }
}
