/**
 * Strictness profiles: base configs from least strict to most. "minimal" is
 * the harness's own base config (baseConfig), which holds per-container values
 * and so is no file; the others are patches in profiles/NAME.json merged over
 * it, under every case's own config. A run records its profile: the name and
 * the base config as written for a container, with the per-container values
 * shown as placeholders.
 */
import type { ProfileRecord } from '../results.js';
import { baseConfig, mergeConfig } from './config.js';

export const PROFILE_NAMES = ['minimal', 'default', 'strict'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

/** The case areas a profile other than minimal runs: the others set up what they judge on the minimal base. */
export const PROFILE_AREAS = ['lifecycle', 'state', 'process'] as const;

export interface Profile {
  readonly name: ProfileName;
  /** Merged over the minimal base, under the case's config; {} for minimal. */
  readonly patch: Readonly<Record<string, unknown>>;
}

export function isProfileName(name: string): name is ProfileName {
  return (PROFILE_NAMES as readonly string[]).includes(name);
}

/** The cases a profile runs: all for minimal, else those of PROFILE_AREAS (the others set up what they judge on the minimal base). */
export function inProfile<C extends { readonly id: string }>(profile: ProfileName, cases: readonly C[]): C[] {
  return profile === 'minimal' ? [...cases] : cases.filter((c) => (PROFILE_AREAS as readonly string[]).includes(c.id.split('/')[0]!));
}

/** The base config a case's config merges over. */
export function profileBase(base: Readonly<Record<string, unknown>>, profile: Profile): Record<string, unknown> {
  return mergeConfig(base, profile.patch);
}

export function profileRecord(profile: Profile, ociVersion: string, specVersion: string): ProfileRecord {
  return {
    name: profile.name,
    baseConfig: profileBase(baseConfig({
      ociVersion, specVersion, program: { wait: true }, hooks: {}, cgroupMount: 'none',
      sharedDir: '<the container\'s shared directory>', cgroupsPath: '<the container\'s cgroups path>', token: '<the container\'s token>',
      hookPaths: { hostProbe: '<the probe on the host>', hostLog: '<the hook log on the host>' },
    }), profile),
  };
}

export const MINIMAL: Profile = { name: 'minimal', patch: {} };
