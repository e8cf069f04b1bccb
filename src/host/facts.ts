import { release } from 'node:os';
import type { HostFacts } from '../results.js';
import { cgroupMode } from './cgroups.js';

export async function hostFacts(): Promise<HostFacts> {
  return { kernel: release(), cgroup: await cgroupMode() };
}
