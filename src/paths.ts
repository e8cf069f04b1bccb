import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package's own directory: dist/ and src/ are one level below it. */
export const PACKAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
