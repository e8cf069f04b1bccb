/**
 * Every root, masked-path, read-only-path and sysctl requirement can fail:
 * each broken runtime wraps runc and breaks one rule; the rootfs cases must
 * fail exactly the requirements that rule stands for, on top of what runc
 * itself fails. One run: runc on every rootfs case, each broken runtime on
 * the cases of its rule. A runtime that resolves a relative root.path
 * elsewhere than the bundle never reaches the cases: the probe container
 * before the run, whose root.path is relative too, stops it.
 */
import t from 'tap';
import { join } from 'node:path';
import { casesOf, failures, onPath, outcomeOf, runNarrowed, RUNTIMES, whyNoResults } from './helpers/suite.js';

const BROKEN: Record<string, string[]> = {
  'broken-rootfs/drop-readonly': ['rootfs/root-readonly root.readonly'],
  'broken-rootfs/root-always-readonly': ['rootfs/root-readonly-unset root.readonly.default', 'rootfs/root-writable root.readonly.default'],
  'broken-rootfs/drop-masked-paths': ['rootfs/masked-paths masked-paths'],
  'broken-rootfs/drop-readonly-paths': ['rootfs/readonly-paths readonly-paths'],
  // with no sysctl there is nothing left to refuse
  'broken-rootfs/drop-sysctl': ['rootfs/sysctl sysctl', 'rootfs/sysctl-unknown sysctl.unknown-refused'],
  'broken-rootfs/missing-root-replaced': ['rootfs/root-missing root.path.missing-refused'],
  'broken-rootfs/absolute-root-in-bundle': ['rootfs/root-absolute root.path.absolute'],
};

t.test('broken rootfs runtimes', { skip: onPath('runc') ? false : 'runc is not on PATH' }, async (t) => {
  const many = await runNarrowed('runc', ['rootfs'], Object.entries(BROKEN).map(([name, expected]) => ({ runtime: join(RUNTIMES, name), cases: casesOf(expected) })), ['--spec-version', '1.3.0']);
  const known = failures(outcomeOf(many, 'runc').doc);
  t.same(known, [], 'runc fails none of the rootfs cases');
  for (const [name, expected] of Object.entries(BROKEN)) {
    await t.test(name, async (t) => {
      const r = outcomeOf(many, name);
      t.ok(r.doc, 'the run wrote its results document', whyNoResults(r));
      t.same(failures(r.doc).filter((f) => !known.includes(f)), [...expected].sort(), `fails exactly: ${expected.join(', ')}`);
    });
  }
});
