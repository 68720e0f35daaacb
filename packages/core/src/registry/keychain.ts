/**
 * Credentials per registry, in the manner of go-containerregistry's `authn.Keychain`.
 *
 * @see {@link https://github.com/opencontainers/distribution-spec/blob/main/spec.md#authentication | OCI distribution spec}
 * @see {@link https://docs.docker.com/reference/cli/docker/login/#credential-stores | Docker config.json auths}
 * @packageDocumentation
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ConfigurationError } from '../errors.js';
import { DOCKER_HUB } from './reference.js';

/**
 * What a registry accepts as proof of identity. Give `username` + `password` (Basic, or sent
 * to the token realm), an `identityToken` (an OAuth2 refresh token, as `docker login` stores
 * for some registries), or a `registryToken` (a bearer token sent as is).
 */
export interface Credential {
  username?: string;
  password?: string;
  /** OAuth2 refresh token exchanged at the token realm (`grant_type=refresh_token`). */
  identityToken?: string;
  /** A bearer token for the registry, used without a token exchange. */
  registryToken?: string;
}

/** Resolves the credential to use for a registry; `undefined` means anonymous. */
export interface Keychain {
  /**
   * @param registry - the registry as written in references, e.g. `ghcr.io`, `docker.io`, `127.0.0.1:5000`.
   * @returns the credential, or `undefined` for anonymous access.
   */
  resolve(registry: string): Promise<Credential | undefined>;
}

/**
 * Normalises a registry key as `docker login` writes it: drops the scheme and any path,
 * lowercases, and maps the Docker Hub aliases (`index.docker.io`, `registry-1.docker.io`,
 * `https://index.docker.io/v1/`) to `docker.io`.
 */
export function normalizeRegistryKey(key: string): string {
  let host = key.trim().toLowerCase().replace(/^[a-z][a-z0-9+.-]*:\/\//, '');
  const slash = host.indexOf('/');
  if (slash !== -1) host = host.slice(0, slash);
  if (host === 'index.docker.io' || host === 'registry-1.docker.io' || host === 'registry.hub.docker.com') {
    return DOCKER_HUB;
  }
  return host;
}

/**
 * A keychain over a fixed table, e.g. the credentials given as action inputs.
 *
 * @param entries - credentials keyed by registry host (`ghcr.io`, `docker.io`, `127.0.0.1:5000`;
 *   Docker Hub aliases are accepted).
 * @returns a {@link Keychain}.
 * @example
 * ```ts
 * const keychain = staticKeychain({ 'ghcr.io': { username: 'x-access-token', password: token } });
 * ```
 */
export function staticKeychain(entries: Record<string, Credential>): Keychain {
  const table = new Map<string, Credential>();
  for (const [key, credential] of Object.entries(entries)) table.set(normalizeRegistryKey(key), credential);
  return {
    resolve: (registry) => Promise.resolve(table.get(normalizeRegistryKey(registry))),
  };
}

/**
 * A keychain reading Docker's `config.json` as `docker login` and `docker/login-action` write
 * it: `$DOCKER_CONFIG/config.json`, else `<home>/.docker/config.json`. Each `auths` entry may hold
 * `auth` (base64 of `user:password`), `username` + `password`, `identitytoken` or
 * `registrytoken`. Keys may be hosts or URLs (`https://index.docker.io/v1/`). A missing file
 * means no credentials; credential helpers (`credsStore`, `credHelpers`) are not run.
 * The file is read once, on the first `resolve`.
 *
 * @param options - `configPath` overrides the lookup; `env` (default `process.env`) supplies
 *   `DOCKER_CONFIG`; `homeDir` (default the user's home directory).
 * @returns a {@link Keychain}.
 * @throws {@link ConfigurationError} from `resolve` when the file is not valid JSON (the message
 *   names the file, never its content).
 */
export function dockerConfigKeychain(
  options: { configPath?: string; env?: Record<string, string | undefined>; homeDir?: string } = {},
): Keychain {
  let table: Promise<Map<string, Credential>> | undefined;
  const path = (): string => {
    if (options.configPath) return options.configPath;
    const env = options.env ?? process.env;
    const dockerConfig = env['DOCKER_CONFIG'];
    if (dockerConfig) return join(dockerConfig, 'config.json');
    return join(options.homeDir ?? homedir(), '.docker', 'config.json');
  };
  return {
    async resolve(registry) {
      table ??= readDockerConfig(path());
      return (await table).get(normalizeRegistryKey(registry));
    },
  };
}

async function readDockerConfig(path: string): Promise<Map<string, Credential>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw new ConfigurationError('INVALID_INPUT', `read Docker config ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ConfigurationError('INVALID_INPUT', `read Docker config ${path}: not valid JSON`);
  }
  const table = new Map<string, Credential>();
  const auths = isRecord(parsed) && isRecord(parsed['auths']) ? parsed['auths'] : {};
  for (const [key, value] of Object.entries(auths)) {
    if (!isRecord(value)) continue;
    const credential = credentialFromEntry(value);
    if (!credential) continue;
    const normalized = normalizeRegistryKey(key);
    // An exact host key wins over an alias written as a URL.
    if (!table.has(normalized) || normalized === key.toLowerCase()) table.set(normalized, credential);
  }
  return table;
}

function credentialFromEntry(entry: Record<string, unknown>): Credential | undefined {
  const credential: Credential = {};
  const auth = typeof entry['auth'] === 'string' ? entry['auth'] : '';
  if (auth) {
    const decoded = Buffer.from(auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) {
      credential.username = decoded.slice(0, colon);
      credential.password = decoded.slice(colon + 1);
    }
  }
  if (typeof entry['username'] === 'string' && entry['username']) credential.username = entry['username'];
  if (typeof entry['password'] === 'string' && entry['password']) credential.password = entry['password'];
  if (typeof entry['identitytoken'] === 'string' && entry['identitytoken']) {
    credential.identityToken = entry['identitytoken'];
  }
  if (typeof entry['registrytoken'] === 'string' && entry['registrytoken']) {
    credential.registryToken = entry['registrytoken'];
  }
  return Object.keys(credential).length > 0 ? credential : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Asks each keychain in turn and returns the first credential found, like
 * go-containerregistry's `authn.NewMultiKeychain`.
 *
 * @param keychains - in priority order, e.g. explicit inputs before `config.json`.
 * @returns a {@link Keychain}.
 */
export function chainKeychains(...keychains: Keychain[]): Keychain {
  return {
    async resolve(registry) {
      for (const keychain of keychains) {
        const credential = await keychain.resolve(registry);
        if (credential) return credential;
      }
      return undefined;
    },
  };
}
