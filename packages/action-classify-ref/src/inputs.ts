import { getBooleanInput, getOptionalInput } from '@tagwright/action-kit';
import { validateInputs } from './options.js';
import type { Inputs } from './options.js';

export type { Inputs } from './options.js';

/**
 * Reads and validates the inputs of classify-ref (the only file that reads inputs).
 *
 * @throws ConfigurationError naming the input, before any git runs.
 */
export function readInputs(): Inputs {
  const ref = getOptionalInput('ref');
  const path = getOptionalInput('path');
  const remote = getOptionalInput('remote');
  const prefer = getOptionalInput('prefer');
  return validateInputs(
    {
      ...(ref !== undefined ? { ref } : {}),
      ...(path !== undefined ? { path } : {}),
      ...(remote !== undefined ? { remote } : {}),
      ...(prefer !== undefined ? { prefer } : {}),
      checkout: getBooleanInput('checkout', false),
    },
    (name) => `input ${name}`,
  );
}
