import {
  chainKeychains,
  createNodeHttpFetch,
  createRegistryClient,
  dockerConfigKeychain,
  staticKeychain,
} from '@tagwright/core/registry';
import type { Credential, Keychain, RegistryClient, RequestEvent } from '@tagwright/core/registry';
import { getDurationInput, getListInput, getOptionalInput, getSecretInput } from './inputs.js';
import type { ActionRuntime } from './run-action.js';

/** The registry inputs every registry-facing action shares. */
export interface RegistryInputs {
  username?: string;
  password?: string;
  /** Registry hosts reached over plain HTTP (besides localhost, which always is). */
  insecureRegistries: string[];
  /** The `timeout` input in milliseconds: after it the action writes nothing more (default 5 minutes). */
  timeoutMs?: number;
}

/** The default of the `timeout` input: below typical job timeouts, far above a normal run. */
export const DEFAULT_ACTION_TIMEOUT = '5m';

/** Reads `username`, `password` (masked) and `insecure-registries`. */
export function readRegistryInputs(): RegistryInputs {
  const inputs: RegistryInputs = {
    insecureRegistries: getListInput('insecure-registries'),
    timeoutMs: getDurationInput('timeout', DEFAULT_ACTION_TIMEOUT),
  };
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
  const keychain = chainKeychains(...keychains);
  const base = {
    // node:http instead of Node's fetch: an action is a fresh process, and fetch's first request
    // costs ~60 ms of undici start-up against ~20 ms (bench/first-request.ts).
    fetch: createNodeHttpFetch(),
    keychain,
    insecureRegistries: inputs.insecureRegistries,
    userAgent: options.userAgent,
    ...(options.onRequest ? { onRequest: options.onRequest } : {}),
  };
  if (inputs.timeoutMs === undefined) return createRegistryClient(base);
  const deadline = AbortSignal.timeout(inputs.timeoutMs);
  // After the deadline nothing more is written (the main client is aborted: the request in flight
  // is cancelled, every later call throws ABORTED), but reads go on through a second client with
  // short timeouts, so that a partial report re-reads what the registry really holds instead of
  // reporting every target as unknown.
  const main = createRegistryClient({ ...base, signal: deadline });
  const after = createRegistryClient({ ...base, timeouts: { connectMs: 5_000, idleMs: 10_000 }, retry: { retries: 1 } });
  return withDeadline(main, after, deadline);
}

/** Registry calls that change something: refused once the deadline passed. */
const WRITES: ReadonlySet<string> = new Set(['putManifest', 'deleteManifest', 'putBlob', 'uploadBlob', 'mountBlob']);

/**
 * A client that uses `main` until `deadline` aborts, then `after` for reads only (writes keep going
 * to `main`, which refuses them with `ABORTED`).
 */
export function withDeadline(main: RegistryClient, after: RegistryClient, deadline: AbortSignal): RegistryClient {
  return new Proxy(main, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof property !== 'string' || typeof value !== 'function' || WRITES.has(property)) return value;
      return (...args: unknown[]): unknown => {
        const client = deadline.aborted ? after : target;
        return (Reflect.get(client, property) as (...a: unknown[]) => unknown).apply(client, args);
      };
    },
  });
}
