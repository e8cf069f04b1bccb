/** Removes what runs that died without cleaning up left behind. */
import { RuntimeDriver } from '../runtime/driver.js';
import { readJournal, staleRuns } from './workspace.js';
import { teardown } from './teardown.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';

export interface CleanReport {
  readonly runs: number;
  readonly containers: number;
  readonly problems: string[];
}

const TIMING = { callTimeoutMs: 10_000, waitTimeoutMs: 5_000 };

export async function cleanStaleRuns(workDir: string): Promise<CleanReport> {
  const problems: string[] = [];
  let containers = 0;
  const runs = await staleRuns(workDir);
  for (const run of runs) {
    const journal = await readJournal(run.dir);
    if (run.owner && journal.length > 0) {
      const scratch = await mkdtemp(join(run.dir, 'clean-'));
      const driver = new RuntimeDriver({ runtime: { path: run.owner.runtime }, root: run.owner.root, scratchDir: scratch, timeoutMs: TIMING.callTimeoutMs });
      for (const entry of journal) {
        const left = await teardown(driver, entry, TIMING);
        problems.push(...left);
        containers++;
      }
    }
    if (problems.length === 0) await rm(run.dir, { recursive: true, force: true, maxRetries: 3 });
    else problems.push(`kept ${run.dir} so that a later clean can try again`);
  }
  return { runs: runs.length, containers, problems };
}
