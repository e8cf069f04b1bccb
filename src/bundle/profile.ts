/**
 * The profile a run records: until profiles exist, "default", the base
 * config every case's config is merged over, as written for a container,
 * with the values that differ per container shown as placeholders.
 */
import type { ProfileRecord } from '../results.js';
import { baseConfig } from './config.js';

export function defaultProfile(ociVersion: string, specVersion: string): ProfileRecord {
  return {
    name: 'default',
    baseConfig: baseConfig({
      ociVersion, specVersion, program: { wait: true }, hooks: {}, cgroupMount: 'none',
      sharedDir: '<the container\'s shared directory>', cgroupsPath: '<the container\'s cgroups path>', token: '<the container\'s token>',
      hookPaths: { hostProbe: '<the probe on the host>', hostLog: '<the hook log on the host>' },
    }),
  };
}
