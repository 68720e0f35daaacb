/**
 * The registry transport: one place that owns the auth challenge (Basic, Bearer token),
 * retries with backoff, and decoding of registry errors, like go-containerregistry's
 * `transport` package. The client in `client.ts` builds every call on it.
 *
 * @see {@link https://github.com/opencontainers/distribution-spec/blob/main/spec.md#error-codes | OCI distribution spec, Error codes}
 * @see {@link https://distribution.github.io/distribution/spec/auth/token/ | Docker token authentication}
 * @packageDocumentation
 */
import { STATUS_CODES } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import pLimit from 'p-limit';
import type { LimitFunction } from 'p-limit';
import pRetry from 'p-retry';
import { RegistryError } from '../errors.js';
import type { OciErrorEntry } from '../errors.js';
import { redact, redactUrl, registerSecret } from '../redact.js';
import type { Credential, Keychain } from './keychain.js';
import { DOCKER_HUB } from './reference.js';
import { TokenResponseSchema, parseResponse } from './responses.js';

/** One HTTP request as it went over the wire, reported through `onRequest`. */
export interface RequestEvent {
  /** `GET`, `HEAD`, `PUT`, `POST`, `DELETE`. */
  method: string;
  /** The URL with credentials removed. */
  url: string;
  /** HTTP status; 0 when no response arrived. */
  status: number;
  /** Request body bytes (a streamed body: its `Content-Length`). */
  bytesSent: number;
  /** Response body bytes (a streamed response: its `Content-Length`). */
  bytesReceived: number;
}

/** Retry settings; the delay doubles from `minTimeoutMs` up to `maxTimeoutMs`. */
export interface RetryOptions {
  /** Retries after the first attempt (default 4). */
  retries?: number;
  /** First delay in milliseconds (default 500). */
  minTimeoutMs?: number;
  /** Longest delay in milliseconds (default 10 000). A `Retry-After` may ask for longer, up to 60 s. */
  maxTimeoutMs?: number;
}

/**
 * Per-request time limits. Both apply to every attempt (retries included), to token requests too.
 */
export interface TimeoutOptions {
  /**
   * Milliseconds allowed to connect (default 10 000); until the response headers arrive the request
   * may take `connectMs + idleMs` in all.
   */
  connectMs?: number;
  /**
   * Milliseconds allowed without a byte from the registry while its answer is awaited or read, and
   * between the chunks of a streamed request body (default 30 000).
   */
  idleMs?: number;
}

/** Options of the transport; the same as the client's. */
export interface TransportOptions {
  fetch?: typeof fetch;
  keychain?: Keychain;
  retry?: RetryOptions;
  userAgent?: string;
  insecureRegistries?: string[];
  onRequest?: (event: RequestEvent) => void;
  /** Connect and idle timeouts of every request (default 10 s and 30 s). */
  timeouts?: TimeoutOptions;
  /**
   * Stops every request, retry wait and further retry when it aborts: the request in flight is
   * cancelled and a {@link RegistryError} `ABORTED` is thrown.
   */
  signal?: AbortSignal;
  /**
   * Most requests in flight at once to one host (`host:port` of the URL; token servers count on
   * their own host). Default {@link DEFAULT_MAX_CONCURRENCY_PER_HOST}. Further requests wait for a
   * slot; a retry's backoff does not hold one. A `429` from a host halves its bound (down to 1)
   * for the rest of the run, once per burst (the 429s within its `Retry-After` count once).
   */
  maxConcurrencyPerHost?: number;
}

/**
 * Default of {@link TransportOptions.maxConcurrencyPerHost}: 8, enough for a two-platform image's
 * blobs (config and 3 layers each) in one round trip, and well below what ghcr.io and Docker Hub
 * throttle (their limits count requests per period, not concurrency; a small bound keeps bursts such
 * as a cleanup's reads from tripping 429s).
 */
export const DEFAULT_MAX_CONCURRENCY_PER_HOST = 8;

/** A request to a registry. */
export interface TransportRequest {
  /** What is being done, for messages: `get manifest`, `put blob`, … */
  operation: string;
  /** The registry as in references (`docker.io`, `127.0.0.1:5000`). */
  registry: string;
  method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'DELETE' | 'PATCH';
  /** Absolute URL. */
  url: string | URL;
  headers?: Record<string, string>;
  /**
   * Request body. A `ReadableStream` is sent as it is read (`duplex: 'half'`), never buffered; such
   * a request is sent once: no retry, no second attempt after an auth challenge (authenticate first
   * with a buffered request of the same scopes, e.g. the upload's `POST`).
   */
  body?: Uint8Array | ReadableStream<Uint8Array>;
  /**
   * Leave a successful (2xx) response body unread and hand it over as {@link TransportResponse.stream}
   * (large blobs); error bodies are still read and decoded.
   */
  stream?: boolean;
  /** Token scopes the request needs, e.g. `repository:acme/app:pull`. */
  scopes: string[];
  /** Statuses returned to the caller; any other status becomes a {@link RegistryError}. */
  okStatuses: number[];
}

/** A registry response with its body read. */
export interface TransportResponse {
  status: number;
  headers: Headers;
  body: Uint8Array;
  /** The unread body of a 2xx response to a request with `stream: true`; the caller must consume or cancel it. */
  stream?: ReadableStream<Uint8Array>;
  /** Final URL (after redirects). */
  url: string;
}

/** The transport the client is built on. */
export interface Transport {
  /** `http(s)://host` of a registry's API (`docker.io` → `https://registry-1.docker.io`). */
  baseUrl(registry: string): string;
  /** Sends a request with auth and retries; throws {@link RegistryError} for statuses not in `okStatuses`. */
  request(request: TransportRequest): Promise<TransportResponse>;
  /**
   * Declares token scopes the run will need on a registry (e.g. `repository:acme/app:pull,push`), so
   * that the first bearer token asked for there covers them too and later requests reuse it.
   */
  expectScopes(registry: string, scopes: readonly string[]): void;
}

const RETRYABLE_STATUSES = new Set([429, 502, 503, 504]);
const RETRYABLE_NETWORK_CODES = new Set([
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);
const MAX_RETRY_AFTER_MS = 60_000;
/** Default connect timeout (ms). */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/** Default idle timeout (ms). */
export const DEFAULT_IDLE_TIMEOUT_MS = 30_000;

/**
 * The time limits of one attempt: `connectMs + idleMs` until the response headers (or the first
 * chunk of a streamed request body), then `idleMs` while a read from the registry is pending.
 * Expiring aborts the attempt's controller.
 */
class Deadline {
  readonly controller = new AbortController();
  expired: 'response' | 'idle' | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    readonly connectMs: number,
    readonly idleMs: number,
  ) {
    this.#arm(connectMs + idleMs, 'response');
  }

  #arm(ms: number, phase: 'response' | 'idle'): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.expired = phase;
      this.controller.abort(new Error(this.describe()));
    }, ms);
  }

  /** Bytes moved: the idle limit starts again. */
  waiting(): void {
    if (!this.expired) this.#arm(this.idleMs, 'idle');
  }

  /** Nothing is awaited from the registry (the caller holds the bytes): no limit runs. */
  pause(): void {
    clearTimeout(this.#timer);
  }

  describe(): string {
    return this.expired === 'idle'
      ? `no bytes from the registry for ${this.idleMs} ms (idle timeout)`
      : `no response within ${this.connectMs + this.idleMs} ms (connect timeout ${this.connectMs} ms + idle timeout ${this.idleMs} ms)`;
  }
}

/**
 * Parses a `Retry-After` header: delay-seconds or an HTTP date
 * ({@link https://www.rfc-editor.org/rfc/rfc9110#field.retry-after | RFC 9110, Retry-After}).
 *
 * @param value - the header value, or null when absent.
 * @param now - the current time, for HTTP dates.
 * @returns the delay in milliseconds (never negative), or undefined when absent or unparseable.
 */
export function parseRetryAfter(value: string | null | undefined, now: Date): number | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  if (!/[a-z]/i.test(trimmed)) return undefined;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now.getTime());
}

/** A `WWW-Authenticate` challenge. */
export interface Challenge {
  /** Lowercased scheme: `bearer` or `basic`. */
  scheme: string;
  /** Parameters with lowercased names: `realm`, `service`, `scope`, … */
  params: Record<string, string>;
}

/**
 * Parses the first challenge of a `WWW-Authenticate` header, e.g.
 * `Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"`
 * ({@link https://www.rfc-editor.org/rfc/rfc9110#field.www-authenticate | RFC 9110, WWW-Authenticate}).
 *
 * @param header - the header value.
 * @returns the scheme and parameters, or undefined when there is no challenge.
 */
export function parseChallenge(header: string | null | undefined): Challenge | undefined {
  if (!header) return undefined;
  const match = /^\s*([A-Za-z][A-Za-z0-9._~+/-]*)\s*(.*)$/s.exec(header);
  if (!match) return undefined;
  const scheme = (match[1] ?? '').toLowerCase();
  const params: Record<string, string> = {};
  const paramPattern = /([A-Za-z][A-Za-z0-9._-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*,?\s*/gy;
  const rest = match[2] ?? '';
  let param: RegExpExecArray | null;
  while ((param = paramPattern.exec(rest)) !== null && param[0].length > 0) {
    const name = (param[1] ?? '').toLowerCase();
    if (!(name in params)) params[name] = param[2] !== undefined ? param[2].replace(/\\(.)/g, '$1') : (param[3] ?? '');
  }
  return { scheme, params };
}

/**
 * Whether a registry is reached over plain HTTP: loopback hosts (`localhost`, `127.x.x.x`,
 * `[::1]`) and those listed in `insecureRegistries`.
 */
export function isInsecureRegistry(registry: string, insecureRegistries: readonly string[] = []): boolean {
  const host = registry.toLowerCase();
  if (insecureRegistries.some((entry) => entry.toLowerCase() === host)) return true;
  const hostname = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0];
  return hostname === 'localhost' || hostname === '[::1]' || /^127(?:\.\d{1,3}){3}$/.test(hostname ?? '');
}

interface AuthState {
  scheme: 'basic' | 'bearer';
  realm?: string;
  service?: string;
}

/** Token scopes as a set: resource (`repository:acme/app`) → actions (`pull`, `push`, `*`). */
type ScopeSet = Map<string, Set<string>>;

interface CachedToken {
  token: string;
  expiresAt: number;
  /** What the token was asked for (a server may grant less: a 401 with it evicts it). */
  scopes: ScopeSet;
}

/**
 * Reads scopes (`repository:acme/app:pull,push`, `registry:catalog:*`) as a {@link ScopeSet}
 * ({@link https://distribution.github.io/distribution/spec/auth/scope/ | token scope documentation}).
 */
function parseScopes(scopes: readonly string[]): ScopeSet {
  const set: ScopeSet = new Map();
  for (const scope of scopes) {
    const colon = scope.lastIndexOf(':');
    if (colon <= 0) continue;
    const resource = scope.slice(0, colon);
    const actions = set.get(resource) ?? new Set<string>();
    for (const action of scope.slice(colon + 1).split(',')) if (action) actions.add(action);
    set.set(resource, actions);
  }
  return set;
}

function mergeScopes(...sets: Array<ScopeSet | undefined>): ScopeSet {
  const merged: ScopeSet = new Map();
  for (const set of sets) {
    for (const [resource, actions] of set ?? []) merged.set(resource, new Set([...(merged.get(resource) ?? []), ...actions]));
  }
  return merged;
}

function coversScopes(granted: ScopeSet, needed: ScopeSet): boolean {
  for (const [resource, actions] of needed) {
    const held = granted.get(resource);
    if (!held) return false;
    if (held.has('*')) continue;
    for (const action of actions) if (!held.has(action)) return false;
  }
  return true;
}

/** Scope strings, one per resource, sorted (the cache and in-flight key). */
function formatScopes(set: ScopeSet): string[] {
  return [...set]
    .map(([resource, actions]) => `${resource}:${[...actions].sort().join(',')}`)
    .sort();
}

class RetryableResponse extends Error {
  constructor(
    readonly response: TransportResponse,
    readonly retryAfterMs: number | undefined,
  ) {
    super(`retryable status ${response.status}`);
  }
}

/**
 * Creates the transport. Credentials are resolved once per registry from the keychain.
 *
 * Bearer tokens are kept per registry until they expire and reused by every request whose scopes
 * one of them covers, across repositories: a new token is asked for the scopes the request needs
 * together with those of the registry's earlier tokens and those declared with
 * {@link Transport.expectScopes}, so that one token usually serves a whole run (a cross-repository
 * promotion: 1 token request instead of 12). Requests needing the same token at once share one token
 * request. A token the registry refuses (401) is dropped and the request is tried once more with a
 * token for exactly its scopes; a token server refusing the wider scope set is asked again for exactly
 * the request's. A token only goes to the registry it was issued for, never to another host.
 *
 * @param options - see {@link TransportOptions}.
 * @returns a {@link Transport}.
 */
export function createTransport(options: TransportOptions = {}): Transport {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const userAgent = options.userAgent ?? 'tagwright';
  const retries = options.retry?.retries ?? 4;
  const minTimeout = options.retry?.minTimeoutMs ?? 500;
  const maxTimeout = options.retry?.maxTimeoutMs ?? 10_000;
  const connectMs = options.timeouts?.connectMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const idleMs = options.timeouts?.idleMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const outerSignal = options.signal;
  const authStates = new Map<string, AuthState>();
  const credentials = new Map<string, Promise<Credential | undefined>>();
  /** Per registry: the tokens held. */
  const tokens = new Map<string, CachedToken[]>();
  /** Per registry and scope set: the token requests under way. */
  const pendingTokens = new Map<string, { registry: string; scopes: ScopeSet; token: Promise<CachedToken> }>();
  /** Per registry: the scopes declared with expectScopes. */
  const expected = new Map<string, ScopeSet>();
  const maxPerHost = options.maxConcurrencyPerHost ?? DEFAULT_MAX_CONCURRENCY_PER_HOST;
  if (!Number.isInteger(maxPerHost) || maxPerHost < 1) {
    throw new RangeError(`createTransport: maxConcurrencyPerHost must be a whole number ≥ 1, got ${maxPerHost}`);
  }
  const hostLimits = new Map<string, LimitFunction>();
  const hostLimit = (url: string): LimitFunction | undefined => {
    let host: string;
    try {
      host = new URL(url).host;
    } catch {
      return undefined;
    }
    let limit = hostLimits.get(host);
    if (!limit) {
      limit = pLimit(maxPerHost);
      hostLimits.set(host, limit);
    }
    return limit;
  };
  /** Runs `task` in one of the host's slots. */
  const inHostSlot = <T>(url: string, task: () => Promise<T>): Promise<T> => {
    const limit = hostLimit(url);
    return limit ? limit(task) : task();
  };
  /**
   * A `429 Too Many Requests` halves the host's bound (down to 1) for the rest of the run, so that the
   * retries after `Retry-After` do not collide again with the same burst; the 429s of one burst
   * (within `Retry-After`, at least the first retry delay) halve it once.
   */
  const lastThrottle = new Map<LimitFunction, number>();
  const throttled = (url: string, retryAfterMs: number | undefined): void => {
    const limit = hostLimit(url);
    if (!limit || limit.concurrency <= 1) return;
    // The 429s of one burst count once: no second halving until the first one's retries had their turn.
    const now = Date.now();
    if (now - (lastThrottle.get(limit) ?? -Infinity) < Math.max(retryAfterMs ?? 0, minTimeout)) return;
    lastThrottle.set(limit, now);
    limit.concurrency = Math.max(1, Math.ceil(limit.concurrency / 2));
  };

  const credentialFor = (registry: string): Promise<Credential | undefined> => {
    let found = credentials.get(registry);
    if (!found) {
      found = (options.keychain ? options.keychain.resolve(registry) : Promise.resolve(undefined)).then((credential) => {
        // Every secret the run holds is removed from messages wherever it appears, not only in header shapes.
        registerSecret(credential?.password);
        registerSecret(credential?.identityToken);
        registerSecret(credential?.registryToken);
        if (credential?.username !== undefined && credential.password !== undefined) {
          registerSecret(basicAuthorization(credential).slice('Basic '.length));
        }
        return credential;
      });
      credentials.set(registry, found);
    }
    return found;
  };

  const baseUrl = (registry: string): string => {
    const host = registry === DOCKER_HUB ? 'registry-1.docker.io' : registry;
    return `${isInsecureRegistry(registry, options.insecureRegistries) ? 'http' : 'https'}://${host}`;
  };

  /** One HTTP exchange with retries on 429/502/503/504 and connection resets. */
  const send = async (
    operation: string,
    method: string,
    url: string,
    headers: Record<string, string>,
    body: Uint8Array | ReadableStream<Uint8Array> | undefined,
    streamResponse = false,
  ): Promise<TransportResponse> => {
    const streamingBody = body instanceof ReadableStream;
    // A streamed body counts as the Content-Length it was sent with.
    const declaredLength = Number(Object.entries(headers).find(([name]) => name.toLowerCase() === 'content-length')?.[1] ?? '0');
    const bytesSent = body instanceof Uint8Array ? body.byteLength : body ? declaredLength || 0 : 0;
    // Each attempt waits for a slot of the host first (its time limits start once it has one) and
    // gives the slot back when its response is read (a streamed response: when its headers arrived).
    const attempt = (): Promise<TransportResponse> => inHostSlot(url, attemptInSlot);
    const attemptInSlot = async (): Promise<TransportResponse> => {
      if (outerSignal?.aborted) throw aborted(operation, url, outerSignal);
      const deadline = new Deadline(connectMs, idleMs);
      const signal = outerSignal ? AbortSignal.any([deadline.controller.signal, outerSignal]) : deadline.controller.signal;
      /** Any failure of this attempt as the error to report: timeout, abort, our own, or a network error. */
      const failure = (error: unknown): RegistryError => {
        deadline.pause();
        if (deadline.expired) {
          return new RegistryError('TIMEOUT', `${operation} ${redactUrl(url)}: ${deadline.describe()}`, { retryable: true });
        }
        if (outerSignal?.aborted) return aborted(operation, url, outerSignal);
        // A streamed body that failed its own check (e.g. openBlob's DIGEST_MISMATCH) is that error, not a network one.
        const own = registryErrorIn(error);
        if (own) return own;
        const code = networkErrorCode(error);
        // fetch's own errors can quote a header value (undici: `Headers.append: "Bearer …" is an
        // invalid header value`) or a URL with its userinfo: the sent credentials are cut out first,
        // and the raw error is not kept as the cause, only its cleaned text and code.
        let detail = describeNetworkError(error);
        for (const [name, value] of Object.entries(headers)) {
          if (/^(?:proxy-)?authorization$/i.test(name) && value.length > 0) detail = detail.split(value).join('***');
        }
        detail = redact(detail);
        return new RegistryError('NETWORK_ERROR', `${operation} ${redactUrl(url)}: ${detail}`, {
          retryable: code !== undefined && RETRYABLE_NETWORK_CODES.has(code),
          cause: Object.assign(new Error(detail), code !== undefined ? { code } : {}),
        });
      };
      // Each chunk of a streamed request body sent starts the idle limit again.
      const sentBody = streamingBody
        ? body.pipeThrough(
            new TransformStream<Uint8Array, Uint8Array>({
              transform(chunk, controller) {
                deadline.waiting();
                controller.enqueue(chunk);
              },
            }),
          )
        : body;
      let response: Response;
      let received: Uint8Array;
      let stream: ReadableStream<Uint8Array> | undefined;
      try {
        response = await fetchImpl(url, {
          method,
          headers: { 'User-Agent': userAgent, ...headers },
          ...(sentBody !== undefined ? { body: sentBody } : {}),
          ...(streamingBody ? { duplex: 'half' } : {}),
          redirect: 'follow',
          signal,
        } as RequestInit);
        deadline.pause();
        if (streamResponse && response.ok && response.body) {
          stream = guardedStream(response.body, deadline, failure);
          received = new Uint8Array(0);
        } else {
          received = await readBody(response.body, deadline);
        }
      } catch (error) {
        options.onRequest?.({ method, url: redactUrl(url), status: 0, bytesSent, bytesReceived: 0 });
        throw failure(error);
      }
      options.onRequest?.({
        method,
        url: redactUrl(url),
        status: response.status,
        bytesSent,
        // A streamed response counts as the Content-Length the registry announced.
        bytesReceived: stream ? Number(response.headers.get('content-length') ?? '0') || 0 : received.byteLength,
      });
      const result: TransportResponse = {
        status: response.status,
        headers: response.headers,
        body: received,
        ...(stream ? { stream } : {}),
        url: response.url || url,
      };
      if (response.status === 429) throttled(url, parseRetryAfter(response.headers.get('retry-after'), new Date()));
      if (RETRYABLE_STATUSES.has(response.status)) {
        throw new RetryableResponse(result, parseRetryAfter(response.headers.get('retry-after'), new Date()));
      }
      return result;
    };
    try {
      return await pRetry(attempt, {
        // A streamed body cannot be replayed.
        retries: streamingBody ? 0 : retries,
        minTimeout,
        maxTimeout,
        factor: 2,
        shouldRetry: ({ error }) => error instanceof RetryableResponse || (error instanceof RegistryError && error.retryable),
        onFailedAttempt: async ({ error, retriesConsumed, retriesLeft }) => {
          if (!(error instanceof RetryableResponse) || error.retryAfterMs === undefined || retriesLeft <= 0) return;
          // p-retry waits its own backoff after this; wait the rest of what Retry-After asks for.
          const backoff = Math.min(minTimeout * 2 ** retriesConsumed, maxTimeout);
          const extra = Math.min(error.retryAfterMs, MAX_RETRY_AFTER_MS) - backoff;
          if (extra > 0) await sleep(extra, undefined, outerSignal ? { signal: outerSignal } : {});
        },
        ...(outerSignal ? { signal: outerSignal } : {}),
      });
    } catch (error) {
      if (error instanceof RetryableResponse) return error.response;
      if (outerSignal?.aborted && !(error instanceof RegistryError)) throw aborted(operation, url, outerSignal);
      throw error;
    }
  };

  /** Asks the token server (the challenge's realm) for a token with `scopes`. */
  const requestToken = async (registry: string, state: AuthState, scopes: string[], credential: Credential | undefined): Promise<{ token: string; expiresAt: number }> => {
    if (!state.realm) {
      throw new RegistryError('UNAUTHORIZED', `authenticate to ${registry}: bearer challenge has no realm`, { status: 401 });
    }
    const realm = new URL(state.realm);
    let response: TransportResponse;
    const operation = `fetch token for ${registry}`;
    if (credential?.identityToken) {
      const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: credential.identityToken, client_id: 'tagwright' });
      if (state.service) form.set('service', state.service);
      if (scopes.length > 0) form.set('scope', scopes.join(' '));
      response = await send(
        operation,
        'POST',
        realm.toString(),
        { 'Content-Type': 'application/x-www-form-urlencoded' },
        new TextEncoder().encode(form.toString()),
      );
    } else {
      if (state.service) realm.searchParams.set('service', state.service);
      for (const scope of scopes) realm.searchParams.append('scope', scope);
      const headers: Record<string, string> = {};
      if (credential?.username !== undefined && credential.password !== undefined) {
        headers['Authorization'] = basicAuthorization(credential);
      }
      response = await send(operation, 'GET', realm.toString(), headers, undefined);
    }
    if (response.status >= 500) {
      // The token server failed: the credentials were not judged, so do not call them rejected.
      const decoded = decodeError(operation, realm.toString(), response);
      throw new RegistryError(
        'TOKEN_SERVER_ERROR',
        `${decoded.message} (the token server for ${registry} failed; the credentials were not checked)`,
        { status: response.status, ociErrors: decoded.ociErrors, retryable: decoded.retryable },
      );
    }
    if (response.status !== 200) {
      throw decodeError(operation, realm.toString(), response, credentialHint(registry, credential, response.status));
    }
    const record = parseResponse(TokenResponseSchema, response.body, 'token response', operation, realm);
    const token = record.token || record.access_token || '';
    registerSecret(token);
    registerSecret(record.refresh_token);
    const expiresIn = typeof record.expires_in === 'number' && record.expires_in > 0 ? record.expires_in : 60;
    return { token, expiresAt: Date.now() + Math.max(expiresIn - 10, 1) * 1000 };
  };

  /**
   * A token covering `scopes`: one held or under way that covers them (`reuse`), else a new one for
   * them and everything the registry's tokens and declarations named; `exact` asks for just `scopes`
   * (after the registry refused a token that should have covered them).
   */
  const fetchToken = async (
    registry: string,
    state: AuthState,
    scopes: string[],
    credential: Credential | undefined,
    mode: 'reuse' | 'exact',
  ): Promise<string> => {
    if (credential?.registryToken) return credential.registryToken;
    const needed = parseScopes(scopes);
    const held = (tokens.get(registry) ?? []).filter((cached) => cached.expiresAt > Date.now());
    tokens.set(registry, held);
    if (mode === 'reuse') {
      const covering = held.find((cached) => coversScopes(cached.scopes, needed));
      if (covering) return covering.token;
      const underWay = [...pendingTokens.values()].find((pending) => pending.registry === registry && coversScopes(pending.scopes, needed));
      // Awaited: a token under way that covers the request serves it too.
      if (underWay) return (await underWay.token).token;
    }
    const underWayHere = [...pendingTokens.values()].filter((pending) => pending.registry === registry);
    const wanted =
      mode === 'exact'
        ? needed
        : mergeScopes(needed, expected.get(registry), ...held.map((cached) => cached.scopes), ...underWayHere.map((pending) => pending.scopes));
    const key = `${registry}|${formatScopes(wanted).join(' ')}`;
    let pending = pendingTokens.get(key);
    if (!pending) {
      const wider = formatScopes(wanted).join(' ') !== formatScopes(needed).join(' ');
      const token = (async (): Promise<CachedToken> => {
        try {
          return { ...(await requestToken(registry, state, formatScopes(wanted), credential)), scopes: wanted };
        } catch (error: unknown) {
          // A token server that refuses the wider set (rather than granting a part of it): just what is needed.
          if (!wider || !(error instanceof RegistryError) || (error.status !== 401 && error.status !== 403)) throw error;
          return { ...(await requestToken(registry, state, formatScopes(needed), credential)), scopes: needed };
        }
      })();
      pending = { registry, scopes: wanted, token };
      pendingTokens.set(key, pending);
      token.then(
        (cached) => {
          pendingTokens.delete(key);
          tokens.set(registry, [...(tokens.get(registry) ?? []), cached]);
        },
        () => pendingTokens.delete(key),
      );
    }
    return (await pending.token).token;
  };

  /** Drops a token the registry refused. */
  const dropToken = (registry: string, token: string): void => {
    tokens.set(registry, (tokens.get(registry) ?? []).filter((cached) => cached.token !== token));
  };

  const authorization = async (
    registry: string,
    scopes: string[],
    mode: 'reuse' | 'exact',
  ): Promise<string | undefined> => {
    const state = authStates.get(registry);
    if (!state) return undefined;
    const credential = await credentialFor(registry);
    if (state.scheme === 'basic') {
      return credential?.username !== undefined && credential.password !== undefined ? basicAuthorization(credential) : undefined;
    }
    return `Bearer ${await fetchToken(registry, state, scopes, credential, mode)}`;
  };

  const request = async (req: TransportRequest): Promise<TransportResponse> => {
    const url = String(req.url);
    // Credentials (Basic or bearer) only go to the registry they are for: a URL the registry named on
    // another host or port (a `Link: rel=next` page, an upload `Location`) is sent without them,
    // as redirects are, and as go-containerregistry's transport only authorizes the registry's host.
    if (!isRegistryOrigin(url, baseUrl(req.registry))) {
      const response = await send(req.operation, req.method, url, { ...req.headers }, req.body, req.stream);
      if (!req.okStatuses.includes(response.status)) {
        const hint =
          response.status === 401 || response.status === 403
            ? `${new URL(url).host} is not ${req.registry}: no credentials are sent there`
            : undefined;
        throw decodeError(req.operation, url, response, hint);
      }
      return response;
    }
    let scopes = req.scopes;
    let sentBasic = false;
    let sentBearer: string | undefined;
    const withAuth = async (mode: 'reuse' | 'exact'): Promise<TransportResponse> => {
      const authz = await authorization(req.registry, scopes, mode);
      sentBasic = authz?.startsWith('Basic ') ?? false;
      sentBearer = authz?.startsWith('Bearer ') ? authz.slice('Bearer '.length) : undefined;
      return send(req.operation, req.method, url, { ...req.headers, ...(authz ? { Authorization: authz } : {}) }, req.body, req.stream);
    };
    let response = await withAuth('reuse');
    if (response.status === 401) {
      const challenge = parseChallenge(response.headers.get('www-authenticate'));
      const previous = authStates.get(req.registry);
      if (challenge && (challenge.scheme === 'bearer' || challenge.scheme === 'basic')) {
        const state: AuthState = {
          scheme: challenge.scheme,
          ...(challenge.params['realm'] !== undefined ? { realm: challenge.params['realm'] } : {}),
          ...(challenge.params['service'] !== undefined ? { service: challenge.params['service'] } : {}),
        };
        authStates.set(req.registry, state);
        // Ask for what the challenge names too (e.g. `delete`), besides what the operation needs.
        const challenged = (challenge.params['scope'] ?? '').split(' ').filter((s) => s.length > 0);
        scopes = [...new Set([...req.scopes, ...challenged])];
        // A token was sent and refused: drop it, and ask for exactly this request's scopes.
        const refusedToken = sentBearer;
        if (refusedToken !== undefined) dropToken(req.registry, refusedToken);
        const credential = await credentialFor(req.registry);
        const canAnswer = state.scheme === 'bearer' || (credential?.username !== undefined && credential.password !== undefined);
        // Retry once with fresh auth unless this request's own Basic credentials were refused (a
        // concurrent first request may have learnt the scheme meanwhile: this one went without them).
        // A streamed body was consumed by the first attempt: it cannot be sent again.
        const refusedBasic = sentBasic && previous?.scheme === 'basic' && state.scheme === 'basic';
        if (canAnswer && !refusedBasic && !(req.body instanceof ReadableStream)) {
          response = await withAuth(refusedToken !== undefined ? 'exact' : 'reuse');
        }
      }
    }
    if (!req.okStatuses.includes(response.status)) {
      const hint =
        response.status === 401 || response.status === 403
          ? credentialHint(req.registry, await credentialFor(req.registry), response.status)
          : undefined;
      throw decodeError(req.operation, url, response, hint);
    }
    return response;
  };

  const expectScopes = (registry: string, scopes: readonly string[]): void => {
    expected.set(registry, mergeScopes(expected.get(registry), parseScopes(scopes)));
  };

  return { baseUrl, request, expectScopes };
}

function basicAuthorization(credential: Credential): string {
  return `Basic ${Buffer.from(`${credential.username ?? ''}:${credential.password ?? ''}`, 'utf8').toString('base64')}`;
}

function credentialHint(registry: string, credential: Credential | undefined, status: number): string {
  if (!credential) return `no credentials for ${registry}`;
  return status === 403 ? `the credentials for ${registry} lack permission` : `the credentials for ${registry} were rejected`;
}

/**
 * Turns an error response into a {@link RegistryError}:
 * `<operation> <redacted url>: <status> <CODE: message>[ (<hint>)]`.
 */
export function decodeError(operation: string, url: string, response: TransportResponse, hint?: string): RegistryError {
  const ociErrors = decodeOciErrors(response.body);
  const detail =
    ociErrors.length > 0
      ? ociErrors.map((e) => (e.message ? `${e.code}: ${e.message}` : e.code)).join('; ')
      : (STATUS_CODES[response.status] ?? 'error');
  const code =
    response.status === 401 || response.status === 403
      ? 'UNAUTHORIZED'
      : response.status === 404
        ? 'NOT_FOUND'
        : 'REGISTRY_ERROR';
  const message = `${operation} ${redactUrl(url)}: ${response.status} ${redact(detail)}${hint ? ` (${hint})` : ''}`;
  return new RegistryError(code, message, {
    status: response.status,
    ociErrors,
    retryable: RETRYABLE_STATUSES.has(response.status),
  });
}

/** Reads the OCI `errors` array of a response body; empty when the body is not one. */
export function decodeOciErrors(body: Uint8Array): OciErrorEntry[] {
  if (body.byteLength === 0 || body.byteLength > 1024 * 1024) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(body));
  } catch {
    return [];
  }
  const errors = (parsed as { errors?: unknown } | null)?.errors;
  if (!Array.isArray(errors)) return [];
  return errors
    .filter((e): e is Record<string, unknown> => typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string')
    .map((e) => ({
      code: e['code'] as string,
      // Kept on the error object, which reports may serialize: secrets echoed by the registry go first.
      ...(typeof e['message'] === 'string' ? { message: redact(e['message']) } : {}),
      ...(e['detail'] !== undefined ? { detail: redactDetail(e['detail']) } : {}),
    }));
}

function registryErrorIn(error: unknown): RegistryError | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth++) {
    if (current instanceof RegistryError) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function networkErrorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function describeNetworkError(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth++) {
    if (current instanceof Error) {
      const code = (current as { code?: unknown }).code;
      parts.push(typeof code === 'string' && !current.message.includes(code) ? `${current.message} (${code})` : current.message);
    } else {
      parts.push(String(current));
    }
    current = (current as { cause?: unknown }).cause;
  }
  return parts.join(': ') || 'request failed';
}

function aborted(operation: string, url: string, signal: AbortSignal): RegistryError {
  const reason: unknown = signal.reason;
  const text = reason instanceof Error ? reason.message : String(reason ?? 'aborted');
  return new RegistryError('ABORTED', `${operation} ${redactUrl(url)}: stopped (${redact(text)})`);
}

/** Reads a whole response body, the idle limit running while each chunk is awaited. */
async function readBody(body: ReadableStream<Uint8Array> | null, deadline: Deadline): Promise<Uint8Array> {
  if (!body) return new Uint8Array(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  for (;;) {
    deadline.waiting();
    const { done, value } = await reader.read();
    deadline.pause();
    if (done) break;
    chunks.push(value);
    length += value.byteLength;
  }
  const bytes = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/**
 * A streamed response body under the idle limit: it runs only while the consumer waits for a chunk
 * (a slow consumer is not the registry's fault); failures become {@link RegistryError}s.
 */
function guardedStream(
  body: ReadableStream<Uint8Array>,
  deadline: Deadline,
  failure: (error: unknown) => RegistryError,
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      deadline.waiting();
      try {
        const { done, value } = await reader.read();
        deadline.pause();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (error) {
        controller.error(failure(error));
      }
    },
    async cancel(reason) {
      deadline.pause();
      await reader.cancel(reason);
    },
  });
}

function redactDetail(detail: unknown): unknown {
  try {
    return JSON.parse(redact(JSON.stringify(detail))) as unknown;
  } catch {
    return '***';
  }
}

/** Whether `url` is on the registry's own scheme, host and port. */
function isRegistryOrigin(url: string, registryBase: string): boolean {
  try {
    return new URL(url).origin === new URL(registryBase).origin;
  } catch {
    return false;
  }
}
