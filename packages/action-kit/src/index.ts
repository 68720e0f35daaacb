/**
 * The runtime shared by every tagwright action: the one place that talks to `@actions/core`
 * besides each action's `inputs.ts`. Private; bundled into each action.
 *
 * @packageDocumentation
 */
export { runAction } from './run-action.js';
export type { ActionResult, ActionRuntime, OutputValue } from './run-action.js';
export { readWorkflowContext } from './context.js';
export type { WorkflowContext } from './context.js';
export {
  getOptionalInput,
  getRequiredInput,
  getBooleanInput,
  getListInput,
  getKeyValueInput,
  getSecretInput,
  getChoiceInput,
  namedInput,
  inputError,
  getDurationInput,
} from './inputs.js';
export { markdownTable, escapeMarkdown } from './markdown.js';
export { readRegistryInputs, createActionRegistryClient, withDeadline, DEFAULT_ACTION_TIMEOUT } from './registry.js';
export type { RegistryInputs } from './registry.js';
export { readVerificationInputs, readReleaseInputs } from './policy-inputs.js';
export { readForgeInput, FORGE_CHOICES } from './forge.js';
export type { ForgeChoice } from './forge.js';
export type { VerificationInputs, ReleaseInputs } from './policy-inputs.js';
export type { DigestVerifier, VerificationOutcome } from './verification.js';
// Loaded lazily through subpaths (heavy: sigstore, octokit): `@tagwright/action-kit/verification`
// (prepareVerifier) and `@tagwright/action-kit/github` (createForgeClient, createReleaseStore, createReleasePorts).
