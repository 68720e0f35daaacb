// The `forge` input, light (no adapter import): the factory in `./github.ts` acts on it.
import { getChoiceInput } from './inputs.js';

/** The `forge` input: `auto` detects the forge from the workflow context; `github`/`forgejo` force it. */
export type ForgeChoice = 'auto' | 'github' | 'forgejo';

/** The values of the `forge` input. */
export const FORGE_CHOICES: readonly ForgeChoice[] = ['auto', 'github', 'forgejo'];

/** Reads the `forge` input (default `auto`). @throws ConfigurationError naming the input for any other value. */
export function readForgeInput(): ForgeChoice {
  return getChoiceInput('forge', FORGE_CHOICES, 'auto');
}
