import { startRegistry, type RunningRegistry } from '../registry/registry.js';
import { FORGEJO_TOKEN_SERVICE } from '../registry/token-server.js';

/**
 * Starts a real registry (CNCF distribution) whose auth is shaped like Forgejo's container registry
 * ({@link https://forgejo.org/docs/latest/user/packages/container/ | Forgejo: Container registry}):
 *
 * - one host for both, as on Forgejo: the returned `url`/`host` is a front that serves the token
 *   endpoint at `/v2/token` and passes every other request (`/v2/…`) to the registry behind it;
 * - service `container_registry`;
 * - Basic credentials at the realm: the user name and an access token as the password;
 * - scopes `repository:<owner>/<image>:pull,push`, granted only under the user's `<owner>/` namespace;
 * - OCI manifests; no referrers API (distribution 2.8 has none either).
 *
 * @param options - `owner`: the user (and namespace), default `acme`.
 * @returns the running registry, `url`/`host` the one front host (the registry's own port stays
 *   reachable but is not what clients use); `credentials` is `{ username: owner, password: <token> }`; call `stop()`.
 */
export async function startForgejoStyleRegistry(options: { owner?: string } = {}): Promise<RunningRegistry> {
  const owner = options.owner ?? 'acme';
  const registry = await startRegistry({ auth: 'token', username: owner, token: { ...FORGEJO_TOKEN_SERVICE, namespace: owner } });
  const front = new URL(registry.tokenServer!.realm);
  registry.tokenServer!.setUpstream(registry.url);
  return { ...registry, url: front.origin, host: front.host };
}
