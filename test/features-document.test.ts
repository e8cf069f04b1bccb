/**
 * The pure parts of judging a features document: which properties each spec
 * version defines, where nulls stand, the shipped 1.3.0 schema, and the
 * configs that use a family of claims. Needs no root and no runtime.
 */
import t from 'tap';
import { definedShape, listAt, nullsIn, parseFeatures, undefinedProperties, withoutNulls } from '../src/spec/features.js';
import { featuresSchemaErrors } from '../src/engine/features-schema.js';
import { configUsing } from '../src/engine/features-claims.js';

const doc = {
  ociVersionMin: '1.0.0', ociVersionMax: '1.2.0', hooks: ['prestart'], potentiallyUnsafeConfigAnnotations: ['org.systemd.property.'],
  linux: { namespaces: ['pid'], mountExtensions: { idmap: { enabled: true } }, netDevices: { enabled: true }, intelRdt: { enabled: true, schemata: true } },
  annotations: { 'org.example.x': 'y' },
};

t.test('defined properties grow with the version', async (t) => {
  t.same(undefinedProperties(doc, definedShape('1.1.0')), ['potentiallyUnsafeConfigAnnotations', 'linux.mountExtensions', 'linux.netDevices', 'linux.intelRdt.schemata']);
  t.same(undefinedProperties(doc, definedShape('1.2.0')), ['linux.netDevices', 'linux.intelRdt.schemata']);
  t.same(undefinedProperties(doc, definedShape('1.2.1-rc.1')), ['linux.netDevices', 'linux.intelRdt.schemata'], 'a pre-release stands for its release');
  t.same(undefinedProperties(doc, definedShape('1.3.0')), []);
  t.same(undefinedProperties({ annotations: { anything: 'x' }, linux: { seccomp: { actions: [{ odd: 1 }] } } }, definedShape('1.1.0')), [], 'annotations and lists are not looked into');
});

t.test('nulls: as properties, list elements, annotation values', async (t) => {
  const d = { ociVersionMin: '1.0.0', hooks: null, linux: { namespaces: ['pid', null], cgroup: { v1: null } }, annotations: { 'a.b': null } };
  t.same(nullsIn(d), [
    { path: 'hooks', as: 'property' }, { path: 'linux.namespaces[1]', as: 'element' }, { path: 'linux.cgroup.v1', as: 'property' }, { path: 'annotations.a.b', as: 'annotation' },
  ]);
  t.same(withoutNulls(d), { ociVersionMin: '1.0.0', linux: { namespaces: ['pid'], cgroup: {} }, annotations: {} });
  t.same(listAt(d, 'linux.namespaces'), ['pid']);
  t.equal(listAt(d, 'hooks'), undefined, 'a null list is no list');
});

t.test('parse and the 1.3.0 schema', async (t) => {
  t.match(parseFeatures('not json'), { kind: 'not-object' });
  t.match(parseFeatures('[1]'), { kind: 'not-object' });
  t.same(featuresSchemaErrors(doc), [], 'a valid document');
  t.match(featuresSchemaErrors({ ociVersionMax: '1.0.0', hooks: 'prestart', linux: { namespaces: ['nope'] } }),
    [/required/, /\/hooks must be array/, /\/linux\/namespaces\/0 must be equal to one of the allowed values/]);
});

t.test('configs that use claims', async (t) => {
  const base = {
    ociVersion: '1.0.2', hooks: { prestart: [{ path: '/p' }] }, process: { args: ['/x'] },
    mounts: [{ destination: '/ocicomply', type: 'bind', source: '/host/shared', options: ['rbind'] }],
    linux: { namespaces: [{ type: 'pid' }], seccomp: { listenerPath: '/s', listenerMetadata: 'm' } },
  };
  const mounts = configUsing('mountOptions', ['ro', 'bind', 'remount'], base)['mounts'];
  t.same(mounts, [
    base.mounts[0],
    { destination: '/ocicomply-mount-0', type: 'tmpfs', source: 'tmpfs', options: ['ro'] },
    { destination: '/ocicomply-mount-1', type: 'bind', source: '/host/shared', options: ['bind'] },
    { destination: '/ocicomply-mount-2', type: 'tmpfs', source: 'tmpfs' },
    { destination: '/ocicomply-mount-2', type: 'tmpfs', source: 'tmpfs', options: ['remount'] },
  ], 'one mount per option; remount on a mount made just before');
  t.notOk('hooks' in configUsing('mountOptions', ['ro'], base), 'hooks only where hooks are claimed');
  t.same(configUsing('hooks', ['poststop', 'made-up'], base)['hooks'], { poststop: [{ path: '/p' }], 'made-up': [{ path: '/p' }] }, 'an undeclared type borrows prestart\'s entry');
  const ns = configUsing('namespaces', ['pid', 'user'], base)['linux'] as Record<string, unknown>;
  t.same(ns['namespaces'], [{ type: 'pid' }, { type: 'user' }]);
  t.ok(ns['uidMappings'] && ns['gidMappings'], 'a user namespace comes with mappings');
  const notify = (configUsing('seccompActions', ['SCMP_ACT_NOTIFY'], base)['linux'] as Record<string, Record<string, unknown>>)['seccomp']!;
  t.match(notify, { defaultAction: 'SCMP_ACT_ALLOW', listenerPath: '/s', syscalls: [{ action: 'SCMP_ACT_NOTIFY' }] });
  const errno = (configUsing('seccompActions', ['SCMP_ACT_ERRNO', 'SCMP_ACT_LOG'], base)['linux'] as Record<string, Record<string, unknown>>)['seccomp']!;
  t.notOk('listenerPath' in errno, 'no listener without the notify action');
  t.not((errno['syscalls'] as { names: string[] }[])[0]!.names[0], (errno['syscalls'] as { names: string[] }[])[1]!.names[0], 'each rule its own syscall');
});
