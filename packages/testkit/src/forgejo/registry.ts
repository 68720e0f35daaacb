import { startRegistry, type RunningRegistry } from '../registry/registry.js';
import { FORGEJO_TOKEN_SERVICE } from '../registry/token-server.js';

/**
 * Starts a real registry (CNCF distribution) whose auth is shaped like Forgejo's container registry
 * ({@link https://forgejo.org/docs/latest/user/packages/container/ | Forgejo: Container registry}):
 *
 * - bearer tokens from a token endpoint at the path `/v2/token` (Forgejo serves it on its own host;
 *   here the token server listens on its own 127.0.0.1 port, which a client reaches through the
 *   `realm` of the challenge, as it would on Forgejo);
 * - service `container_registry`;
 * - Basic credentials at the realm: the user name and an access token as the password;
 * - scopes `repository:<owner>/<image>:pull,push`, granted only under the user's `<owner>/` namespace;
 * - OCI manifests; no referrers API (distribution 2.8 has none either).
 *
 * @param options - `owner`: the user (and namespace), default `acme`.
 * @returns the running registry; `credentials` is `{ username: owner, password: <token> }`; call `stop()`.
 */
export function startForgejoStyleRegistry(options: { owner?: string } = {}): Promise<RunningRegistry> {
  const owner = options.owner ?? 'acme';
  return startRegistry({ auth: 'token', username: owner, token: { ...FORGEJO_TOKEN_SERVICE, namespace: owner } });
}
