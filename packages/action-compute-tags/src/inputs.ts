import {
  getBooleanInput,
  getKeyValueInput,
  getListInput,
  getOptionalInput,
  getRequiredInput,
  readRegistryInputs,
} from '@tagwright/action-kit';
import type { RegistryInputs } from '@tagwright/action-kit';
import { ConfigurationError } from '@tagwright/core/errors';
import { validateStampTemplate } from '@tagwright/core/policy';
import { parseRepository } from '@tagwright/core/registry';
import type { RepositoryReference } from '@tagwright/core/registry';
import { parseReleaseRef } from '@tagwright/core/semver';

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
  return inputs;
}
