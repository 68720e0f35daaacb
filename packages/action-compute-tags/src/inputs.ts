import {
  getBooleanInput,
  getKeyValueInput,
  getListInput,
  getOptionalInput,
  getRequiredInput,
  getSecretInput,
  readRegistryInputs,
} from '@tagwright/action-kit';
import type { RegistryInputs } from '@tagwright/action-kit';
import { ConfigurationError } from '@tagwright/core/errors';
import { validateStampTemplate } from '@tagwright/core/policy';
import { parseRepository } from '@tagwright/core/registry';
import type { RepositoryReference } from '@tagwright/core/registry';
import { parseReleaseRef, versionOfTag } from '@tagwright/core/semver';

/** The validated inputs of compute-tags. */
export interface Inputs {
  images: RepositoryReference[];
  ref: string;
  sha: string;
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
  /** Token for the GitHub API (creating `refs/tags/<base>-staging.N`). */
  githubToken: string;
}

const FLOATING = ['major', 'minor', 'latest'] as const;

/** Reads and validates every input; throws ConfigurationError naming the input before any request. */
export function readInputs(): Inputs {
  const images = getListInput('images').map((image) => parseRepository(image));
  if (images.length === 0) throw new ConfigurationError('MISSING_INPUT', 'read input images: give at least one image repository');
  const ref = getRequiredInput('ref');
  parseReleaseRef(ref);
  const sha = getRequiredInput('sha');
  if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/i.test(sha)) {
    throw new ConfigurationError('INVALID_INPUT', `read input sha: ${JSON.stringify(sha)} is not a 40- or 64-hex commit SHA`);
  }
  const floatingList = getListInput('floating');
  for (const item of floatingList) {
    if (!(FLOATING as readonly string[]).includes(item)) {
      throw new ConfigurationError('INVALID_INPUT', `read input floating: ${JSON.stringify(item)} is not one of ${FLOATING.join(', ')}`);
    }
  }
  const stamp = getOptionalInput('stamp');
  if (stamp !== undefined) validateStampTemplate(stamp);
  const inputs: Inputs = {
    images,
    ref,
    sha: sha.toLowerCase(),
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
  if (!getBooleanInput('staging-counter', false)) return undefined;
  if (githubToken === undefined) {
    throw new ConfigurationError('MISSING_INPUT', 'read input github-token: required when staging-counter is true (it creates the staging tag refs)');
  }
  const base = getOptionalInput('staging-base');
  if (base !== undefined) {
    const version = versionOfTag(base);
    if (!version || version.isPrerelease || version.build.length > 0) {
      throw new ConfigurationError('INVALID_INPUT', `read input staging-base: ${JSON.stringify(base)} is not X.Y.Z (or vX.Y.Z)`);
    }
  }
  const dir = getOptionalInput('path') ?? '.';
  if (dir.startsWith('/') || /(^|[\\/])\.\.([\\/]|$)/.test(dir) || /[\x00-\x1f]/.test(dir)) {
    throw new ConfigurationError('INVALID_INPUT', `read input path: ${JSON.stringify(dir)} must be a directory inside the workspace`);
  }
  return { ...(base !== undefined ? { base } : {}), path: dir, githubToken };
}
