/** The container process as configured: the rows of process-table.ts a case step names. */
import { observeProcessAsRun } from '../engine/observers/process.js';
import { defineCheck, fail, unjudged } from './check.js';
import { allowsEveryCall, judgeRows, PROCESS_PROPERTIES, PROCESS_ROWS } from './process-table.js';

export const processAsConfigured = defineCheck({
  name: 'process-as-configured',
  description: `The running program is as config.json's process asks (waits for its report up to the deadline), for each named property: ${PROCESS_PROPERTIES.map((p) => `${p} (${PROCESS_ROWS[p].reported})`).join(', ')}.`,
  params: {
    type: 'object', additionalProperties: false, required: ['properties'],
    properties: { properties: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: PROCESS_PROPERTIES } } },
  } as const,
  observe: (ctx, _params, c) => observeProcessAsRun(ctx, c),
  judge(params, seen) {
    if ('missing' in seen.report) {
      // The probe needs a few calls to write its report; a profile that denies one leaves none, which is no fault of the runtime's.
      const profile = seen.config?.linux?.seccomp;
      if (profile && !allowsEveryCall(profile)) return [unjudged(`${seen.report.missing}; the config's seccomp profile may deny a call the probe needs to write it`)];
      return [fail(seen.report.missing)];
    }
    return judgeRows(params.properties, seen.configured, seen.report, { oomScoreAdj: seen.callerOomScoreAdj, path: seen.callerPath }, seen.config ?? { process: seen.configured });
  },
});
