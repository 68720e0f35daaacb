import { createRegistryClient, staticKeychain } from '@tagwright/core';
import type { RegistryClient, RegistryClientOptions } from '@tagwright/core';
import type { RunningRegistry } from './registry.js';

/**
 * A registry client for a harness registry: its credentials in a static keychain, fast retries.
 *
 * @param registry - from `startRegistry`.
 * @param options - merged over the defaults (e.g. `onRequest`, or `keychain` to use other credentials).
 */
export function clientFor(
  registry: Pick<RunningRegistry, 'host' | 'credentials'>,
  options: RegistryClientOptions = {},
): RegistryClient {
  return createRegistryClient({
    keychain: staticKeychain(registry.credentials ? { [registry.host]: registry.credentials } : {}),
    retry: { retries: 2, minTimeoutMs: 50, maxTimeoutMs: 200 },
    userAgent: 'tagwright-testkit',
    ...options,
  });
}
