/**
 * Every feature requirement can fail: each broken runtime wraps runc and
 * breaks one rule of features.md or features-linux.md (its features output,
 * or create refusing what that output claims); the feature cases must fail
 * exactly the (case, requirement) pairs that rule stands for, on top of what
 * runc itself fails. One of them breaks nothing (a null property, which
 * features.md allows) and must fail nothing; one has no features command, and
 * every feature requirement is then a skip. Judged against spec 1.3.0 (runc
 * 1.1.5's own features say 1.0.2-dev, where these requirements do not apply).
 */
import t from 'tap';
import { join } from 'node:path';
import { failures, onPath, RUNTIMES, runNarrowed, whyNoResults, outcomeOf } from './helpers/suite.js';
import { cgroupMode } from '../src/host/cgroups.js';

const ARGS = ['--spec-version', '1.3.0'];

const BROKEN: Record<string, { cases: string[]; fails: string[] }> = {
  'drops-claimed-hook': { cases: ['features/hooks'], fails: ['features/hooks features.hooks'] },
  'claims-time-namespace': { cases: ['features/namespaces'], fails: ['features/namespaces features.linux.namespaces'] },
  'refuses-claimed-capability': { cases: ['features/capabilities'], fails: ['features/capabilities features.linux.capabilities'] },
  'max-below-min': { cases: ['features/document', 'features/oci-versions'], fails: ['features/document features.oci-version.order'] },
  'null-annotation-value': { cases: ['features/document'], fails: ['features/document features.null'] },
  'null-for-unreported': { cases: ['features/document', 'features/mount-options'], fails: [] },
  'undefined-property': { cases: ['features/document'], fails: ['features/document features.defined-properties'] },
  'no-features-command': { cases: ['features'], fails: [] },
};

/** runc 1.1.5's own deviation here (expectations/runc.yaml): it lists `defaults` and passes it to mount(2) as data. */
const RUNC_FAILS = ['features/mount-options features.mount-options'];

t.test('broken features runtimes', { skip: onPath('runc') ? false : 'runc is not on PATH' }, async (t) => {
  const names = Object.keys(BROKEN);
  const broken = names.map((name) => ({ runtime: join(RUNTIMES, 'broken-features', name), cases: BROKEN[name]!.cases }));
  // crun beside them: expectations/crun.yaml lists nothing of these cases (1.8.1 has no features command).
  const crun = onPath('crun') ? [{ runtime: (await cgroupMode()) === 'hybrid' ? join(RUNTIMES, 'crun-hybrid') : 'crun', cases: ['features'] }] : [];
  const many = await runNarrowed('runc', ['features'], [...broken, ...crun], ARGS);
  const baseline = outcomeOf(many, 'runc');
  t.ok(baseline.doc, 'runc: the run wrote its results document', whyNoResults(baseline));
  t.same(failures(baseline.doc), RUNC_FAILS, 'runc fails only its recorded deviation');
  for (const name of names) {
    const { doc } = outcomeOf(many, name);
    const { cases, fails } = BROKEN[name]!;
    t.ok(doc, `${name}: the run wrote its results document`);
    const ran = new Set(doc?.results.map((r) => r.case));
    t.ok(cases.every((c) => [...ran].some((r) => r === c || r.startsWith(`${c}/`))), `${name}: ran ${cases.join(', ')}`);
    t.same(failures(doc).filter((f) => !RUNC_FAILS.includes(f)), [...fails].sort(), `${name} fails exactly: ${fails.join(', ') || 'nothing'}`);
    t.same(doc?.leftovers ?? [], [], `${name}: nothing left behind`);
  }
  for (const { runtime } of crun) {
    const { doc } = outcomeOf(many, runtime);
    t.ok(doc, 'crun: the run wrote its results document');
    t.same(failures(doc), [], 'crun fails nothing of the feature cases');
  }
  const none = outcomeOf(many, 'no-features-command').doc;
  const notSkipped = (none?.results ?? []).filter((r) => r.status !== 'skip' || !/no features command/.test(r.message));
  t.same(notSkipped.map((r) => `${r.case} ${r.requirement} ${r.status}`), [], 'no-features-command: every feature requirement is a skip saying there is no features command');
  const nulled = outcomeOf(many, 'null-for-unreported').doc;
  t.match(nulled?.results.find((r) => r.requirement === 'features.mount-options'), { status: 'skip', message: /lists no mountOptions/ }, 'null-for-unreported: a null list claims nothing, so its claims are a skip');
});
