/**
 * Every config requirement (config.md's Valid values and Extensibility, a
 * bundle without config.json, start without process), and each operation
 * without a container ID, can fail and can pass.
 * runc 1.1.5 accepts three invalid values itself, so the reference is
 * broken-validity/validates: runc with those checks added
 * (test/runtimes/config-validator.mjs), which must fail nothing. Each broken
 * runtime leaves one rule out or breaks one more, and must fail exactly the
 * (case, requirement) pairs that rule stands for. Judged against spec 1.1.0,
 * the last release where a mount destination MUST be absolute.
 */
import t from 'tap';
import { join } from 'node:path';
import { failures, onPath, outcomeOf, RUNTIMES, runNarrowed, whyNoResults } from './helpers/suite.js';

const ARGS = ['--spec-version', '1.1.0'];
const REFERENCE = join(RUNTIMES, 'broken-validity', 'validates');

/** Per broken runtime: the config cases its rule bears on, and the pairs that must fail there. */
const BROKEN: Record<string, { cases: string[]; fails: string[] }> = {
  'accepts-non-semver-version': { cases: ['config/invalid-oci-version', 'config/unknown-properties'], fails: ['config/invalid-oci-version config.oci-version.invalid-refused'] },
  'accepts-empty-annotation-key': { cases: ['config/invalid-annotation-key-empty', 'config/unknown-annotation'], fails: ['config/invalid-annotation-key-empty config.annotations.empty-key-refused'] },
  'accepts-relative-destination': { cases: ['config/invalid-mount-destination-relative'], fails: ['config/invalid-mount-destination-relative config.mounts.relative-destination-refused'] },
  'config-from-elsewhere': { cases: ['config/missing-config'], fails: ['config/missing-config create.missing-config'] },
  // the program's env and cwd, judged after create, are then "not judged to the end": failures too
  'refuses-unknown-properties': {
    cases: ['config/unknown-properties', 'config/unknown-annotation'],
    fails: ['config/unknown-properties config.extensibility.unknown-ignored', 'config/unknown-properties process.cwd', 'config/unknown-properties process.env'],
  },
  'refuses-unknown-annotations': {
    cases: ['config/unknown-annotation', 'config/unknown-properties'],
    fails: ['config/unknown-annotation config.extensibility.unknown-annotation-ignored', 'config/unknown-annotation process.env'],
  },
  'starts-without-process': { cases: ['config/start-without-process'], fails: ['config/start-without-process start.no-process'] },
  'no-id-exits-zero': {
    cases: ['errors/no-id', 'errors/create-no-id'],
    fails: ['errors/create-no-id cli.exit-status', 'errors/create-no-id create.no-id', 'errors/no-id cli.exit-status', 'errors/no-id delete.no-id', 'errors/no-id kill.no-id', 'errors/no-id start.no-id', 'errors/no-id state.query.no-id'],
  },
};

t.test('broken config runtimes', { skip: onPath('runc') ? false : 'runc is not on PATH' }, async (t) => {
  const names = Object.keys(BROKEN);
  const broken = names.map((name) => ({ runtime: join(RUNTIMES, 'broken-validity', name), cases: BROKEN[name]!.cases }));
  const many = await runNarrowed(REFERENCE, ['config', 'errors/no-id', 'errors/create-no-id'], broken, ARGS);
  const reference = outcomeOf(many, REFERENCE);
  t.ok(reference.doc, 'validates: the run wrote its results document', whyNoResults(reference));
  t.same(failures(reference.doc), [], 'validates fails nothing');
  // runc refuses a config without process at create, a subset config.md's Valid values allows: a skip, never a pass
  const refused = (reference.doc?.results ?? []).filter((r) => r.case === 'config/start-without-process').map((r) => `${r.status} ${r.message.slice(0, 28)}`);
  t.same(refused, ['skip not supported by the runtime', 'skip not supported by the runtime'], 'validates: start without process is skipped as not supported');
  for (const name of names) {
    const { doc } = outcomeOf(many, name);
    const { cases, fails } = BROKEN[name]!;
    t.ok(doc, `${name}: the run wrote its results document`);
    t.same(new Set(doc?.results.map((r) => r.case)), new Set(cases), `${name}: ran ${cases.join(', ')}`);
    t.same(failures(doc), [...fails].sort(), `${name} fails exactly: ${fails.join(', ')}`);
    t.same(doc?.leftovers ?? [], [], `${name}: nothing left behind`);
  }
});
