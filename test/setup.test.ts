/**
 * What set-up needs judged without root: the Node.js version doctor and the
 * launcher accept, and kernel modules as Debian ships them (plain, or
 * compressed with xz, zstd or gzip) unpacked into the VM's initramfs.
 */
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { MIN_NODE_MAJOR, nodeVersionProblem } from '../src/host/node-version.js';
import { buildInitramfs } from '../src/vm/initramfs.js';
import { moduleCompression, readModule, unpackedName } from '../src/vm/module-file.js';
import { freshDir, onPath } from './helpers/suite.js';

t.test('nodeVersionProblem: 20 and newer are enough, 18 is not, and says what is needed', async (t) => {
  t.equal(MIN_NODE_MAJOR, 20);
  const pkg = JSON.parse(await readFile(join(import.meta.dirname, '..', 'package.json'), 'utf8')) as { engines: { node: string } };
  t.equal(pkg.engines.node, `>=${MIN_NODE_MAJOR}`, 'the same minimum as package.json engines');
  for (const ok of ['v20.0.0', 'v20.19.2', '20.20.2', 'v22.11.0', 'v24.1.0']) t.equal(nodeVersionProblem(ok), undefined, `${ok} is enough`);
  for (const old of ['v18.20.4', 'v18.19.0', '16.20.2', 'v19.9.0']) {
    t.match(nodeVersionProblem(old), new RegExp(`Node\\.js ${old.replace(/\./g, '\\.')} is too old: 20 or newer is needed`), `${old} is too old`);
  }
  t.match(nodeVersionProblem('banana'), /cannot read the Node.js version "banana"/);
});

t.test('module file names: compression from the suffix, the unpacked name', async (t) => {
  t.equal(moduleCompression('/lib/modules/6.12/kernel/fs/9p/9p.ko'), 'none');
  t.equal(moduleCompression('kernel/fs/9p/9p.ko.xz'), 'xz');
  t.equal(moduleCompression('kernel/fs/9p/9p.ko.zst'), 'zstd');
  t.equal(moduleCompression('kernel/fs/9p/9p.ko.gz'), 'gzip');
  t.throws(() => moduleCompression('kernel/fs/9p/9p.ko.bz2'), /not a kernel module file/);
  t.equal(unpackedName('/lib/modules/6.12/kernel/fs/overlayfs/overlay.ko.xz'), 'overlay.ko');
  t.equal(unpackedName('virtio_pci.ko.zst'), 'virtio_pci.ko');
  t.equal(unpackedName('9pnet_virtio.ko'), '9pnet_virtio.ko');
});

/** A stand-in module: not an ELF, but bytes that must arrive unchanged. */
async function moduleFixtures(dir: string): Promise<{ plain: Buffer; files: Record<string, string> }> {
  const plain = Buffer.concat([Buffer.from('\x7fELF stand-in module\n'), randomBytes(64 * 1024)]);
  const files: Record<string, string> = { none: join(dir, 'a.ko'), gzip: join(dir, 'b.ko.gz') };
  await writeFile(files['none']!, plain);
  await writeFile(files['gzip']!, gzipSync(plain));
  // Compressed the way Debian's kernel packages are, with the same programs.
  if (onPath('xz')) {
    files['xz'] = join(dir, 'c.ko.xz');
    await writeFile(files['xz'], execFileSync('xz', ['-c', '--check=crc32'], { input: plain }));
  }
  if (onPath('zstd')) {
    files['zstd'] = join(dir, 'd.ko.zst');
    await writeFile(files['zstd'], execFileSync('zstd', ['-c', '-q'], { input: plain }));
  }
  return { plain, files };
}

const needTools = onPath('xz') && onPath('zstd') ? false : 'xz and zstd are needed (apt-get install xz-utils zstd)';

t.test('readModule unpacks .ko.xz, .ko.zst and .ko.gz to the very bytes of the .ko', { skip: needTools }, async (t) => {
  const dir = await freshDir('modules');
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const { plain, files } = await moduleFixtures(dir);
  for (const kind of ['none', 'gzip', 'xz', 'zstd']) {
    const file = files[kind]!;
    if (kind !== 'none') t.not((await readFile(file)).length, plain.length, `${kind}: the fixture is really compressed`);
    t.ok((await readModule(file)).equals(plain), `${kind}: unpacked to the original bytes`);
  }
  await writeFile(join(dir, 'broken.ko.xz'), Buffer.from('not xz at all'));
  await t.rejects(readModule(join(dir, 'broken.ko.xz')), /xz -dc .*broken\.ko\.xz failed/, 'a damaged module is an error naming the file');
});

/** The files of a newc cpio archive, by path. */
function unpackCpio(archive: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  let at = 0;
  const align = (n: number): number => (n + 3) & ~3;
  for (;;) {
    const field = (i: number): number => parseInt(archive.subarray(at + 6 + i * 8, at + 14 + i * 8).toString('ascii'), 16);
    const size = field(6);
    const nameSize = field(11);
    const name = archive.subarray(at + 110, at + 110 + nameSize - 1).toString();
    if (name === 'TRAILER!!!') return out;
    const dataAt = align(at + 110 + nameSize);
    out.set(name, archive.subarray(dataAt, dataAt + size));
    at = align(dataAt + size);
  }
}

t.test('the initramfs holds every module unpacked, as NN-name.ko in load order', { skip: needTools }, async (t) => {
  const dir = await freshDir('initramfs');
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const { plain, files } = await moduleFixtures(dir);
  const busybox = join(dir, 'busybox');
  await writeFile(busybox, 'stand-in busybox');
  const order = [files['xz']!, files['zstd']!, files['none']!, files['gzip']!];
  const host = { qemu: '/x', setpriv: '/x', kernel: '/x', kernelVersion: '0', busybox, modules: order };
  const image = await buildInitramfs(host, join(dir, 'cache'));
  const entries = unpackCpio(gunzipSync(await readFile(image)));
  const modules = [...entries.keys()].filter((p) => p.startsWith('modules/'));
  t.same(modules, ['modules/000-c.ko', 'modules/001-d.ko', 'modules/002-a.ko', 'modules/003-b.ko'], 'names keep the load order and lose the compression suffix');
  for (const m of modules) t.ok(entries.get(m)!.equals(plain), `${m} holds the unpacked module`);
  t.match(entries.get('init')!.toString(), /for m in \/modules\/\*\.ko; do insmod/, 'the init loads exactly those names');
  t.equal(await buildInitramfs(host, join(dir, 'cache')), image, 'a second build finds the cached image');
});
