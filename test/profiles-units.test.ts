/** Profile loading and merging, without root or a runtime. */
import t from 'tap';
import { loadProfile } from '../src/bundle/profile-file.js';
import { inProfile, MINIMAL, profileRecord } from '../src/bundle/profile.js';
import { mergeConfig } from '../src/bundle/config.js';
import { SetupError } from '../src/util/errors.js';

t.test('loading', async (t) => {
  t.equal(await loadProfile('minimal'), MINIMAL, 'minimal is the base itself');
  const strict = await loadProfile('strict');
  t.equal(strict.name, 'strict');
  t.match(strict.patch, { process: { noNewPrivileges: true }, linux: { seccomp: { defaultAction: 'SCMP_ACT_ALLOW' } } });
  const def = await loadProfile('default');
  t.equal((def.patch['process'] as { capabilities: { bounding: string[] } }).capabilities.bounding.length, 14, 'the 14 default capabilities of a container engine');
  await t.rejects(loadProfile('loose'), SetupError);
});

t.test('merging: base, then profile, then the case', async (t) => {
  const strict = await loadProfile('strict');
  const rec = profileRecord(strict, '1.3.0', '1.3.0');
  t.equal(rec.name, 'strict');
  t.match(rec.baseConfig, { hostname: 'ocicomply', process: { noNewPrivileges: true, cwd: '/' }, linux: { namespaces: [{ type: 'pid' }], maskedPaths: ['/proc/asound'] } });
  const merged = mergeConfig(rec.baseConfig, { process: { capabilities: { bounding: ['CAP_SYS_ADMIN'] } } });
  t.same((merged['process'] as { capabilities: { bounding: string[]; effective: string[] } }).capabilities.bounding, ['CAP_SYS_ADMIN'], 'the case\'s own set wins');
  t.equal(profileRecord(MINIMAL, '1.3.0', '1.3.0').name, 'minimal');
});

t.test('the areas a profile runs', async (t) => {
  const cases = [{ id: 'lifecycle/a' }, { id: 'hooks/b' }, { id: 'process/c' }, { id: 'state/d' }];
  t.same(inProfile('minimal', cases).length, 4);
  t.same(inProfile('strict', cases).map((c) => c.id), ['lifecycle/a', 'process/c', 'state/d']);
});
