/**
 * What the runtime says about itself, through the OCI command line only:
 * `features` where it has one, else the spec version its --version prints.
 * These facts pick the config's ociVersion and the default target version.
 */
import { DEFAULT_SPEC_VERSION, releaseOf } from '../spec/version.js';
import type { RuntimeDriver } from './driver.js';
import { succeeded } from './driver.js';
import type { CallRecord } from '../results.js';

export interface RuntimeFacts {
  /** First line of --version output, or null. */
  readonly version: string | null;
  /** All of the --version output, as printed. */
  readonly versionOutput: string;
  /** The parsed `features` document, or null when the runtime has none. */
  readonly features: Record<string, unknown> | null;
  /** The `features` call itself, as the feature checks judge it (an error exit: no features command). */
  readonly featuresCall: CallRecord;
  /** The newest spec version the runtime claims, as it spells it ("1.0.2-dev"). */
  readonly newestSpec: string | null;
  /** The ociVersion to write into config.json: one the runtime accepts. */
  readonly configOciVersion: string;
  /** Where the facts came from, for the report. */
  readonly source: 'features' | 'version' | 'default';
}

export async function probeRuntime(driver: RuntimeDriver): Promise<RuntimeFacts> {
  const [versionCall, featuresCall] = await Promise.all([
    driver.call(['--version'], { withRoot: false }),
    driver.call(['features']),
  ]);
  const version = versionCall.stdout.split('\n').map((l) => l.trim()).find((l) => l !== '') ?? null;
  let features: Record<string, unknown> | null = null;
  if (succeeded(featuresCall)) {
    try {
      const parsed: unknown = JSON.parse(featuresCall.stdout);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) features = parsed as Record<string, unknown>;
    } catch {
      features = null; // garbage is treated as "no features"
    }
  }
  const fromFeatures = typeof features?.['ociVersionMax'] === 'string' ? features['ociVersionMax'] : null;
  if (fromFeatures && releaseOf(fromFeatures)) {
    return { version, versionOutput: versionCall.stdout, features, featuresCall, newestSpec: fromFeatures, configOciVersion: fromFeatures, source: 'features' };
  }
  // "spec: 1.0.0" is what runc and crun print; any runtime may print it.
  const m = /^spec(?:ification)?\s*(?:version)?\s*:\s*(\S+)/im.exec(versionCall.stdout);
  const fromVersion = m?.[1] && releaseOf(m[1]) ? m[1] : null;
  if (fromVersion) {
    return { version, versionOutput: versionCall.stdout, features, featuresCall, newestSpec: fromVersion, configOciVersion: fromVersion, source: 'version' };
  }
  return { version, versionOutput: versionCall.stdout, features, featuresCall, newestSpec: null, configOciVersion: DEFAULT_SPEC_VERSION, source: 'default' };
}
