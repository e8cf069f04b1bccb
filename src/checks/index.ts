/** Every named check a case can refer to. */
import type { CheckDefinition, CheckRegistry } from '../engine/check.js';
import { actionKilled, actionResult, deviceNode } from './actions.js';
import { seccompApplied, seccompArch32, seccompLogged, seccompSpecAllow } from './seccomp.js';
import { ptmxIsContainers } from './devices.js';
import { seccompAgentState } from './seccomp-agent.js';
import { cgroupOwner, cgroupParent, cgroupPath, cgroupValue, cgroupVisible, nothingCreated } from './cgroups.js';
import { programAsConfigured, programNotStarted, programStarted, signalReceived } from './program.js';
import { bundleUnchanged, cgroupsRemoved, processGone, runExitStatus } from './resources.js';
import { hookAborted, hooksArgv, hooksEnv, hooksInArrayOrder, hooksInTypeOrder, hooksNamespace, hooksNotRun, hooksObserved, hooksRan, hooksState, hooksStatePid, hooksVsProgram } from './hooks.js';
import { processAsConfigured } from './process.js';
import { featuresAnnotations, featuresClaimsAccepted, featuresDefinedProperties, featuresNull, featuresSchema, featuresVersionAccepted, featuresVersions } from './features.js';

import { openFds } from './fds.js';
import { consoleReceived } from './console.js';
import { namespacesAsConfigured, userMappings, utsNames } from './namespaces.js';
import { pathRead } from './paths.js';
import { stateAnnotations, stateBundle, stateErrors, stateId, statePid, stateSchema, stateStatus } from './state.js';

const all: readonly CheckDefinition[] = [
  programNotStarted, programStarted, programAsConfigured, signalReceived,
  stateStatus, stateErrors, stateSchema, stateId, stateBundle, stateAnnotations, statePid,
  processGone, cgroupsRemoved, bundleUnchanged, runExitStatus,
  hooksRan, hooksNotRun, hooksInArrayOrder, hooksInTypeOrder, hooksVsProgram, hooksState, hooksStatePid, hooksNamespace,
  hooksArgv, hooksEnv, hooksObserved, hookAborted,
  processAsConfigured,
  featuresSchema, featuresVersions, featuresDefinedProperties, featuresNull, featuresAnnotations, featuresClaimsAccepted, featuresVersionAccepted,

  openFds, consoleReceived,
  namespacesAsConfigured, utsNames, userMappings,
  actionResult, actionKilled, deviceNode, ptmxIsContainers, seccompApplied, seccompArch32, seccompLogged, seccompSpecAllow, seccompAgentState, cgroupValue, cgroupVisible, cgroupPath, cgroupParent, nothingCreated, cgroupOwner,
  pathRead,
];

export const CHECKS: CheckRegistry = new Map(all.map((c) => [c.name, c]));
