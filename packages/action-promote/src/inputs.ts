import {
  getBooleanInput,
  getListInput,
  getOptionalInput,
  getRequiredInput,
  readRegistryInputs,
  readReleaseInputs,
  readVerificationInputs,
} from '@tagwright/action-kit';
import type { RegistryInputs, ReleaseInputs, VerificationInputs } from '@tagwright/action-kit';
import { ConfigurationError } from '@tagwright/core/errors';
import { validateStampTemplate } from '@tagwright/core/policy';
import { parseRepository, validateDigest, validateTag } from '@tagwright/core/registry';
import type { ImageReference, RepositoryReference } from '@tagwright/core/registry';

/** The validated inputs of promote. */
export interface Inputs {
  source: ImageReference;
  destination: RepositoryReference;
  /** Target tags or stamp templates as given; rendered in run(). */
  targets: string[];
  sha: string;
  dryRun: boolean;
  verification: VerificationInputs;
  release: ReleaseInputs;
  registry: RegistryInputs;
}

/** Reads and validates every input; throws ConfigurationError naming the input before any request. */
export function readInputs(): Inputs {
  const image = parseRepository(getRequiredInput('image'));
  const sourceInput = getRequiredInput('source');
  const source: ImageReference = { ...image };
  if (sourceInput.includes(':')) source.digest = validateDigest(sourceInput);
  else source.tag = validateTag(sourceInput);
  const destinationInput = getOptionalInput('destination');
  const destination = destinationInput === undefined ? image : parseRepository(destinationInput);
  const targets = getListInput('targets');
  if (targets.length === 0) throw new ConfigurationError('MISSING_INPUT', 'read input targets: give at least one target tag');
  for (const target of targets) {
    if (target.includes('{')) validateStampTemplate(target);
    else validateTag(target);
  }
  const sha = getOptionalInput('sha') ?? '';
  if (targets.some((t) => t.includes('{sha}')) && !/^[0-9a-f]{7,64}$/i.test(sha)) {
    throw new ConfigurationError('INVALID_INPUT', `read input sha: ${JSON.stringify(sha)} is not a commit SHA, and a target uses {sha}`);
  }
  return {
    source,
    destination,
    targets,
    sha: sha.toLowerCase(),
    dryRun: getBooleanInput('dry-run', false),
    verification: readVerificationInputs(),
    release: readReleaseInputs(),
    registry: readRegistryInputs(),
  };
}
