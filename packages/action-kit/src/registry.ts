import {
  chainKeychains,
  createNodeHttpFetch,
  createRegistryClient,
  dockerConfigKeychain,
  staticKeychain,
} from '@tagwright/core/registry';
import type { Credential, Keychain, RegistryClient, RequestEvent } from '@tagwright/core/registry';
import { getListInput, getOptionalInput, getSecretInput } from './inputs.js';
import type { ActionRuntime } from './run-action.js';

/** The registry inputs every registry-facing action shares. */
export interface RegistryInputs {
  username?: string;
  password?: string;
  /** Registry hosts reached over plain HTTP (besides localhost, which always is). */
  insecureRegistries: string[];
}

/** Reads `username`, `password` (masked) and `insecure-registries`. */
export function readRegistryInputs(): RegistryInputs {
  const inputs: RegistryInputs = { insecureRegistries: getListInput('insecure-registries') };
  const username = getOptionalInput('username');
  const password = getSecretInput('password');
  if (username !== undefined) inputs.username = username;
  if (password !== undefined) inputs.password = password;
  return inputs;
}

/**
 * A registry client for an action: explicit credentials (for the given registry hosts) first,
 * then the Docker config (`$DOCKER_CONFIG/config.json` or `~/.docker/config.json`, as
 * docker/login-action writes it).
 */
export function createActionRegistryClient(
  inputs: RegistryInputs,
  registries: readonly string[],
  runtime: Pick<ActionRuntime, 'env'>,
  options: { userAgent: string; onRequest?: (event: RequestEvent) => void },
): RegistryClient {
  const keychains: Keychain[] = [];
  if (inputs.username !== undefined || inputs.password !== undefined) {
    const credential: Credential = {};
    if (inputs.username !== undefined) credential.username = inputs.username;
    if (inputs.password !== undefined) credential.password = inputs.password;
    keychains.push(staticKeychain(Object.fromEntries(registries.map((registry) => [registry, credential]))));
  }
  keychains.push(dockerConfigKeychain({ env: runtime.env }));
  return createRegistryClient({
    // node:http instead of Node's fetch: an action is a fresh process, and fetch's first request
    // costs ~60 ms of undici start-up against ~20 ms (bench/first-request.ts).
    fetch: createNodeHttpFetch(),
    keychain: chainKeychains(...keychains),
    insecureRegistries: inputs.insecureRegistries,
    userAgent: options.userAgent,
    ...(options.onRequest ? { onRequest: options.onRequest } : {}),
  });
}
