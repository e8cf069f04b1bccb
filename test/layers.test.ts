/**
 * No lower layer imports a higher one: the engine runs checks it is handed,
 * the loader validates against the registry it is handed, and neither
 * imports src/checks; reporters know only results. Type-only imports count
 * too. Needs no root and no runtime.
 */
import t from 'tap';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');

/** From the bottom up; a module may import its own layer and those below it. */
const LAYERS: readonly (readonly string[])[] = [
  ['util', 'version.ts', 'paths.ts'],
  ['spec'],
  ['results.ts', 'catalogue.ts', 'sentences.ts', 'coverage.ts'],
  ['cases'],
  ['host', 'bundle', 'runtime', 'probe'],
  ['engine'],
  ['checks', 'expectations', 'report'],
  ['run', 'certify'],
  ['vm', 'doctor.ts'],
  ['cli', 'cli.ts'],
];

function layerOf(file: string): number {
  const top = relative(SRC, file).split('/')[0]!;
  const i = LAYERS.findIndex((l) => l.includes(top));
  if (i < 0) throw new Error(`${top} is in no layer: add it to LAYERS`);
  return i;
}

async function sources(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await sources(p)));
    else if (e.name.endsWith('.ts')) out.push(p);
  }
  return out;
}

t.test('every import goes to the same layer or one below', async (t) => {
  const upward: string[] = [];
  for (const file of await sources(SRC)) {
    const text = await readFile(file, 'utf8');
    for (const m of text.matchAll(/^(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/gms)) {
      const target = join(dirname(file), m[1]!.replace(/\.js$/, '.ts'));
      if (layerOf(target) > layerOf(file)) upward.push(`${relative(SRC, file)} imports ${relative(SRC, target)}`);
    }
  }
  t.same(upward, [], 'no upward import');
});
