import {
  getBooleanInput,
  getKeyValueInput,
  getListInput,
  getOptionalInput,
  getRequiredInput,
  getSecretInput,
  namedInput,
  readForgeInput,
  readRegistryInputs,
} from '@tagwright/action-kit';
import type { ForgeChoice, RegistryInputs } from '@tagwright/action-kit';
import { readFileSync } from 'node:fs';
import { ConfigurationError, errorMessage } from '@tagwright/core/errors';
import { commitShaProblem, normalizeCommitSha, repositoryPathProblem } from '@tagwright/core/grammar';
import { validateStampTemplate } from '@tagwright/core/policy';
import { parseRepository } from '@tagwright/core/registry';
import type { RepositoryReference } from '@tagwright/core/registry';
import { PULL_REQUEST_EVENTS, parseReleaseRef, versionOfTag } from '@tagwright/core/semver';
import type { WorkflowEvent } from '@tagwright/core/semver';

/** The validated inputs of compute-tags. */
export interface Inputs {
  images: RepositoryReference[];
  ref: string;
  sha: string;
  /** The workflow event (`GITHUB_EVENT_NAME`, and the pull request number for pull request events); undefined outside a runner. */
  event?: WorkflowEvent;
  floating: { major: boolean; minor: boolean; latest: boolean };
  branchTags: Record<string, string>;
  stamp?: string;
  shaTag: boolean;
  tagPrefix: string;
  registryAware: boolean;
  registry: RegistryInputs;
  /** The atomic staging counter (`staging-counter: true`); undefined when off. */
  staging?: StagingInputs;
}

/** Inputs of the staging counter. */
export interface StagingInputs {
  /** `staging-base` as given (`X.Y.Z` or `vX.Y.Z`); undefined to read `version` from `<path>/package.json`. */
  base?: string;
  /** The directory of the package.json that gives the base, relative to the workspace. */
  path: string;
  /** `staging-version`: reserve exactly this tag (e.g. `1.5.0-staging.4`) instead of the next N. */
  version?: string;
  /** Token for the forge's API (creating the git tag `<base>-staging.N`). */
  githubToken: string;
  /** `forge`: GitHub or Forgejo, `auto` detects it from the workflow context. */
  forge: ForgeChoice;
}

const FLOATING = ['major', 'minor', 'latest'] as const;

/** Reads and validates every input; throws ConfigurationError naming the input before any request. */
export function readInputs(): Inputs {
  const images = getListInput('images').map((image) => namedInput('images', 'ghcr.io/acme/app', () => parseRepository(image)));
  if (images.length === 0) throw new ConfigurationError('MISSING_INPUT', 'read input images: give at least one image repository, e.g. ghcr.io/acme/app');
  const ref = getRequiredInput('ref');
  namedInput('ref', 'refs/tags/v1.4.0', () => parseReleaseRef(ref));
  const sha = normalizeCommitSha(getRequiredInput('sha'));
  const shaProblem = commitShaProblem(sha, 'full');
  if (shaProblem !== undefined) {
    throw new ConfigurationError('INVALID_INPUT', `read input sha: ${JSON.stringify(sha)} ${shaProblem}, e.g. 4f1c2d3e5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d`);
  }
  const event = readWorkflowEvent(process.env);
  const floatingList = getListInput('floating');
  for (const item of floatingList) {
    if (!(FLOATING as readonly string[]).includes(item)) {
      throw new ConfigurationError('INVALID_INPUT', `read input floating: ${JSON.stringify(item)} is not one of ${FLOATING.join(', ')}, e.g. major, minor, latest`);
    }
  }
  const stamp = getOptionalInput('stamp');
  if (stamp !== undefined) namedInput('stamp', 'prod-{date}-{sha}', () => validateStampTemplate(stamp));
  const inputs: Inputs = {
    images,
    ref,
    sha,
    ...(event !== undefined ? { event } : {}),
    floating: { major: floatingList.includes('major'), minor: floatingList.includes('minor'), latest: floatingList.includes('latest') },
    branchTags: getKeyValueInput('branch-tags'),
    shaTag: getBooleanInput('sha-tag', true),
    tagPrefix: getOptionalInput('tag-prefix') ?? '',
    registryAware: getBooleanInput('registry-aware', true),
    registry: readRegistryInputs(),
  };
  if (stamp !== undefined) inputs.stamp = stamp;
  const staging = readStagingInputs();
  if (staging) inputs.staging = staging;
  return inputs;
}

function readStagingInputs(): StagingInputs | undefined {
  // Masked whether or not the counter is on.
  const githubToken = getSecretInput('github-token');
  const exact = getOptionalInput('staging-version');
  // staging-version turns the reservation on by itself.
  if (!getBooleanInput('staging-counter', false) && exact === undefined) return undefined;
  if (githubToken === undefined) {
    throw new ConfigurationError('MISSING_INPUT', 'read input github-token: required when staging-counter is true or staging-version is given (it creates the staging tag refs)');
  }
  let base = getOptionalInput('staging-base');
  if (exact !== undefined) {
    const version = versionOfTag(exact);
    if (!version || !version.isPrerelease || version.build.length > 0) {
      throw new ConfigurationError('INVALID_INPUT', `read input staging-version: ${JSON.stringify(exact)} is not a SemVer pre-release, e.g. 1.5.0-staging.4`);
    }
    const exactBase = `${exact.startsWith('v') ? 'v' : ''}${version.major}.${version.minor}.${version.patch}`;
    if (base !== undefined && base !== exactBase) {
      throw new ConfigurationError('INVALID_INPUT', `read input staging-version: ${JSON.stringify(exact)} is not a pre-release of staging-base ${base}, e.g. ${base.replace(/^v/, exact.startsWith('v') ? 'v' : '')}-staging.0`);
    }
    base = exactBase;
  }
  if (base !== undefined) {
    const version = versionOfTag(base);
    if (!version || version.isPrerelease || version.build.length > 0) {
      throw new ConfigurationError('INVALID_INPUT', `read input staging-base: ${JSON.stringify(base)} is not X.Y.Z (or vX.Y.Z), e.g. 1.5.0`);
    }
  }
  const dir = getOptionalInput('path') ?? '.';
  const pathProblem = repositoryPathProblem(dir);
  if (pathProblem !== undefined) {
    throw new ConfigurationError('INVALID_INPUT', `read input path: ${JSON.stringify(dir)} must be a directory inside the workspace: it ${pathProblem}, e.g. packages/app`);
  }
  return { ...(base !== undefined ? { base } : {}), ...(exact !== undefined ? { version: exact } : {}), path: dir, githubToken, forge: readForgeInput() };
}

/**
 * Reads the workflow event the runner describes: `GITHUB_EVENT_NAME` and, for `pull_request`
 * and `pull_request_target`, the pull request number from the payload at `GITHUB_EVENT_PATH`
 * (`pull_request.number`). Other events need nothing from the payload and it is not read.
 * Returns undefined when `GITHUB_EVENT_NAME` is not set (not on a runner).
 *
 * @throws ConfigurationError when a pull request event's payload cannot be read or carries no
 *   pull request number: such a build must not fall back to its ref, which is the base branch.
 */
export function readWorkflowEvent(env: NodeJS.ProcessEnv): WorkflowEvent | undefined {
  const name = env['GITHUB_EVENT_NAME'];
  if (name === undefined || name === '') return undefined;
  if (!PULL_REQUEST_EVENTS.includes(name)) return { name };
  const file = env['GITHUB_EVENT_PATH'];
  const what = `read the ${name} event payload`;
  if (file === undefined || file === '') {
    throw new ConfigurationError('INVALID_INPUT', `${what}: GITHUB_EVENT_PATH is not set, so the pull request number is unknown`);
  }
  let payload: unknown;
  try {
    payload = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error: unknown) {
    throw new ConfigurationError('INVALID_INPUT', `${what} at ${file}: ${errorMessage(error)}`, { cause: error });
  }
  const pullRequest = typeof payload === 'object' && payload !== null ? (payload as { pull_request?: unknown }).pull_request : undefined;
  const number = typeof pullRequest === 'object' && pullRequest !== null ? (pullRequest as { number?: unknown }).number : undefined;
  if (typeof number !== 'number' || !Number.isSafeInteger(number) || number < 1) {
    throw new ConfigurationError('INVALID_INPUT', `${what} at ${file}: pull_request.number is ${JSON.stringify(number ?? null)}, not a positive integer`);
  }
  return { name, pullRequestNumber: number };
}
