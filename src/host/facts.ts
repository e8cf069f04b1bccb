import { release } from 'node:os';
import type { HostFacts } from '../results.js';
import { findBlockDevice } from './block.js';
import { cgroupControllers, cgroupMode } from './cgroups.js';
import { securityFacts } from './security.js';

export async function hostFacts(): Promise<HostFacts> {
  const [cgroup, blockDevice, security] = await Promise.all([cgroupMode(), findBlockDevice(), securityFacts()]);
  return { kernel: release(), cgroup, controllers: await cgroupControllers(cgroup), blockDevice, security };
}
