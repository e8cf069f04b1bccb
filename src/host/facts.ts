import { release } from 'node:os';
import type { HostFacts } from '../results.js';
import { findBlockDevice } from './block.js';
import { cgroupControllers, cgroupMode } from './cgroups.js';

export async function hostFacts(): Promise<HostFacts> {
  const [cgroup, blockDevice] = await Promise.all([cgroupMode(), findBlockDevice()]);
  return { kernel: release(), cgroup, controllers: await cgroupControllers(cgroup), blockDevice };
}
