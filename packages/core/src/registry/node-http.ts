/**
 * A `fetch`-compatible function on `node:http` / `node:https`, for the registry transport.
 *
 * Node's global `fetch` (undici) costs 90–110 ms of lazy initialisation on the first request of a
 * process; a first `node:http` request costs about 16 ms. Every action run is a fresh process, so
 * this is opt-in for callers that want the shorter start: `createRegistryClient({ fetch: createNodeHttpFetch() })`.
 *
 * It implements the subset of the Fetch standard the transport uses, and follows its redirect rules
 * ({@link https://fetch.spec.whatwg.org/#http-redirect-fetch | Fetch, HTTP-redirect fetch}), except
 * that it never sends credentials to another origin: `Authorization`, `Cookie` and
 * `Proxy-Authorization` are dropped when a redirect changes scheme, host or port (registries redirect
 * blob reads to storage such as S3 or `pkg-containers.githubusercontent.com`).
 *
 * It deliberately does not construct the global `Headers` or `Response`: in Node 20 either one loads
 * undici, which is the cost this module avoids.
 *
 * @packageDocumentation
 */
import { Agent as HttpAgent, request as httpRequest, STATUS_CODES } from 'node:http';
import type { ClientRequest, IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { Readable, pipeline } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { redactUrl } from '../redact.js';

/** Options of {@link createNodeHttpFetch}. */
export interface NodeHttpFetchOptions {
  /** Keep connections open between requests (default `true`); idle sockets never keep the process alive. */
  keepAlive?: boolean;
  /** Redirects followed before failing (default 10, as `fetch`). */
  maxRedirects?: number;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);
/** Dropped when a redirect leaves the origin. */
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];
/** Dropped when a redirect turns the request into a body-less `GET` (Fetch's request-body-header names). */
const BODY_HEADERS = ['content-type', 'content-length', 'content-encoding', 'content-language', 'content-location', 'transfer-encoding'];

/**
 * Response headers: a case-insensitive, read-only map with the `Headers` methods the registry code
 * uses. Repeated headers are joined with `, ` as `Headers.get` does.
 */
class ResponseHeaders {
  readonly #values = new Map<string, string>();
  readonly #setCookies: string[] = [];

  constructor(rawHeaders: readonly string[]) {
    for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
      const name = (rawHeaders[i] ?? '').toLowerCase();
      const value = rawHeaders[i + 1] ?? '';
      if (name === 'set-cookie') this.#setCookies.push(value);
      const previous = this.#values.get(name);
      this.#values.set(name, previous === undefined ? value : `${previous}, ${value}`);
    }
  }

  get(name: string): string | null {
    return this.#values.get(name.toLowerCase()) ?? null;
  }

  has(name: string): boolean {
    return this.#values.has(name.toLowerCase());
  }

  getSetCookie(): string[] {
    return [...this.#setCookies];
  }

  forEach(callback: (value: string, name: string, headers: ResponseHeaders) => void): void {
    for (const [name, value] of this.entries()) callback(value, name, this);
  }

  *entries(): IterableIterator<[string, string]> {
    yield* [...this.#values.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }

  *keys(): IterableIterator<string> {
    for (const [name] of this.entries()) yield name;
  }

  *values(): IterableIterator<string> {
    for (const [, value] of this.entries()) yield value;
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }
}

/** The response: status, headers, final URL and a body read once (as bytes, text or a web stream). */
class NodeHttpResponse {
  readonly ok: boolean;
  readonly status: number;
  readonly statusText: string;
  readonly headers: ResponseHeaders;
  readonly url: string;
  readonly redirected: boolean;
  readonly type = 'basic';
  #raw: Readable | null;
  #body: ReadableStream<Uint8Array> | null | undefined;
  #used = false;

  constructor(message: IncomingMessage, raw: Readable | null, url: string, redirected: boolean) {
    this.status = message.statusCode ?? 0;
    this.ok = this.status >= 200 && this.status <= 299;
    this.statusText = message.statusMessage ?? STATUS_CODES[this.status] ?? '';
    this.headers = new ResponseHeaders(message.rawHeaders);
    this.url = url;
    this.redirected = redirected;
    this.#raw = raw;
  }

  /** The body as a web `ReadableStream` (null for a `HEAD` or a null-body status); cancelling it closes the connection. */
  get body(): ReadableStream<Uint8Array> | null {
    if (this.#body === undefined) {
      this.#body = this.#raw ? (Readable.toWeb(this.#raw) as unknown as ReadableStream<Uint8Array>) : null;
    }
    return this.#body;
  }

  get bodyUsed(): boolean {
    return this.#used;
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = await this.bytes();
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }

  async bytes(): Promise<Uint8Array> {
    if (this.#used) throw new TypeError('Body is unusable: Body has already been read');
    this.#used = true;
    const chunks: Uint8Array[] = [];
    try {
      if (this.#body) {
        for await (const chunk of this.#body as unknown as AsyncIterable<Uint8Array>) chunks.push(chunk);
      } else if (this.#raw) {
        for await (const chunk of this.#raw) chunks.push(chunk as Uint8Array);
      }
    } catch (error) {
      if (error instanceof DOMException && error.name === 'AbortError') throw error;
      throw new TypeError('terminated', { cause: error });
    }
    return Buffer.concat(chunks);
  }

  async text(): Promise<string> {
    return new TextDecoder().decode(await this.bytes());
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text()) as unknown;
  }
}

type Body = Buffer | ReadableStream<Uint8Array> | undefined;

function requestBody(body: unknown, headers: Map<string, string>): Body {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') {
    if (!headers.has('content-type')) headers.set('content-type', 'text/plain;charset=UTF-8');
    return Buffer.from(body, 'utf8');
  }
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  if (body instanceof URLSearchParams) {
    if (!headers.has('content-type')) headers.set('content-type', 'application/x-www-form-urlencoded;charset=UTF-8');
    return Buffer.from(body.toString(), 'utf8');
  }
  if (body instanceof ReadableStream) return body as ReadableStream<Uint8Array>;
  throw new TypeError('createNodeHttpFetch: unsupported request body (use a string, Uint8Array, ArrayBuffer, URLSearchParams or ReadableStream)');
}

function requestHeaders(init: RequestInit['headers']): Map<string, string> {
  const headers = new Map<string, string>();
  const add = (name: string, value: string): void => {
    const key = name.toLowerCase();
    const previous = headers.get(key);
    headers.set(key, previous === undefined ? String(value) : `${previous}, ${value}`);
  };
  if (!init) return headers;
  if (Array.isArray(init)) {
    for (const pair of init) add(String(pair[0]), String(pair[1]));
  } else if (typeof (init as { forEach?: unknown }).forEach === 'function') {
    (init as { forEach(cb: (value: string, name: string) => void): void }).forEach((value, name) => add(name, value));
  } else {
    for (const [name, value] of Object.entries(init as Record<string, string>)) add(name, value);
  }
  return headers;
}

/** Undoes `Content-Encoding` (gzip, deflate, br) as `fetch` does; unknown codings are left as they are. */
function decoded(message: IncomingMessage): Readable {
  const codings = (message.headers['content-encoding'] ?? '')
    .toLowerCase()
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c.length > 0 && c !== 'identity')
    .reverse();
  let stream: Readable = message;
  for (const coding of codings) {
    const decoder =
      coding === 'gzip' || coding === 'x-gzip'
        ? createGunzip()
        : coding === 'deflate'
          ? createInflate()
          : coding === 'br'
            ? createBrotliDecompress()
            : undefined;
    if (!decoder) return stream;
    stream = pipeline(stream, decoder, () => {});
  }
  return stream;
}

function fetchFailed(cause: unknown): TypeError {
  return new TypeError('fetch failed', { cause });
}

/**
 * Creates a `fetch`-compatible function on `node:http` / `node:https` with keep-alive agents, for
 * {@link RegistryClientOptions.fetch}. Supported: `method`, `headers` (record, pairs or `Headers`),
 * `body` (string, `Uint8Array`, `ArrayBuffer`, `URLSearchParams`, or a web `ReadableStream` streamed
 * without buffering; `duplex` is accepted and ignored), `redirect` (`follow`, `manual`, `error`) and
 * `signal`. The response has `ok`, `status`, `statusText`, `url` (final), `redirected`, `headers`
 * (case-insensitive `get`/`has`/`forEach`/`entries`), `body` (web `ReadableStream`), `arrayBuffer()`,
 * `bytes()`, `text()` and `json()`; not `clone()`, `blob()` or `formData()`.
 *
 * Redirects (301, 302, 303, 307, 308) are followed up to `maxRedirects` times: a 303, and a 301 or
 * 302 answering a `POST`, turn into a body-less `GET`; otherwise the method and body are kept, which
 * a streamed body cannot be (the request fails). `Authorization`, `Cookie` and `Proxy-Authorization`
 * are dropped when a redirect changes scheme, host or port
 * ({@link https://fetch.spec.whatwg.org/#http-redirect-fetch | Fetch, HTTP-redirect fetch}).
 *
 * Differences from `fetch`: no `Accept-Encoding` is sent (bodies arrive as the server stores them;
 * a `Content-Encoding` it sends anyway is still decoded), no header or body timeouts of its own
 * (the registry client's transport sets connect and idle timeouts through `signal`; undici's are
 * 300 s), no proxy, no `Request` objects as input.
 *
 * @param options - see {@link NodeHttpFetchOptions}.
 * @returns a function with the signature of `fetch`.
 * @throws (the returned function rejects) a `TypeError` `fetch failed` whose `cause` is the system
 *   error (`code`: `ECONNREFUSED`, `ECONNRESET`, …) as `fetch` does, or whose `cause` says why a
 *   redirect could not be followed; `signal.reason` when the signal aborts.
 * @example
 * ```ts
 * import { createNodeHttpFetch, createRegistryClient } from '@tagwright/core';
 * const client = createRegistryClient({ fetch: createNodeHttpFetch() });
 * ```
 */
export function createNodeHttpFetch(options: NodeHttpFetchOptions = {}): typeof fetch {
  const keepAlive = options.keepAlive ?? true;
  const maxRedirects = options.maxRedirects ?? 10;
  const httpAgent = new HttpAgent({ keepAlive });
  const httpsAgent = new HttpsAgent({ keepAlive });

  const nodeFetch = async (input: string | URL | { url: string }, init: RequestInit = {}): Promise<NodeHttpResponse> => {
    let url = new URL(typeof input === 'string' || input instanceof URL ? String(input) : input.url);
    let method = (init.method ?? 'GET').toUpperCase();
    const headers = requestHeaders(init.headers ?? undefined);
    let body = requestBody(init.body, headers);
    const redirectMode = init.redirect ?? 'follow';
    const signal = init.signal ?? undefined;
    if (!headers.has('accept')) headers.set('accept', '*/*');
    if ((method === 'GET' || method === 'HEAD') && body !== undefined) {
      throw new TypeError(`createNodeHttpFetch: a ${method} request cannot have a body`);
    }
    signal?.throwIfAborted();

    for (let redirects = 0; ; redirects++) {
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        throw fetchFailed(new Error(`unsupported URL scheme ${url.protocol} in ${redactUrl(url)}`));
      }
      const { message, req } = await send(url, method, headers, body, signal);
      const status = message.statusCode ?? 0;
      const location = message.headers.location;
      if (!REDIRECT_STATUSES.has(status) || location === undefined || redirectMode === 'manual') {
        const hasBody = method !== 'HEAD' && !NULL_BODY_STATUSES.has(status);
        if (!hasBody) message.resume();
        const raw = hasBody ? decoded(message) : null;
        if (raw && signal) {
          const onAbort = (): void => {
            raw.destroy(signal.reason as Error);
          };
          signal.addEventListener('abort', onAbort, { once: true });
          raw.once('close', () => signal.removeEventListener('abort', onAbort));
        }
        return new NodeHttpResponse(message, raw, url.toString(), redirects > 0);
      }
      // A redirect: its body is not wanted; reading it lets the connection be reused. A streamed
      // request body still being sent is abandoned (with its connection).
      message.resume();
      if (!req.writableFinished) req.destroy();
      if (redirectMode === 'error') {
        throw fetchFailed(new Error(`unexpected redirect (${status}) from ${redactUrl(url)}`));
      }
      if (redirects >= maxRedirects) {
        throw fetchFailed(new Error(`redirect count exceeded: more than ${maxRedirects} redirects from ${redactUrl(url)}`));
      }
      let next: URL;
      try {
        next = new URL(location, url);
      } catch (error) {
        throw fetchFailed(new Error(`invalid redirect location from ${redactUrl(url)}`, { cause: error }));
      }
      if (status === 303 ? method !== 'HEAD' : (status === 301 || status === 302) && method === 'POST') {
        method = 'GET';
        body = undefined;
        for (const name of BODY_HEADERS) headers.delete(name);
      } else if (body instanceof ReadableStream) {
        throw fetchFailed(
          new Error(`cannot follow a ${status} redirect from ${redactUrl(url)} to ${redactUrl(next)}: the streamed request body cannot be sent again`),
        );
      }
      if (next.origin !== url.origin) {
        for (const name of CREDENTIAL_HEADERS) headers.delete(name);
      }
      url = next;
    }
  };

  /** One HTTP exchange: resolves with the response head, rejects with `fetch failed` (cause: the system error). */
  const send = (
    url: URL,
    method: string,
    headers: Map<string, string>,
    body: Body,
    signal: AbortSignal | undefined,
  ): Promise<{ message: IncomingMessage; req: ClientRequest }> =>
    new Promise<{ message: IncomingMessage; req: ClientRequest }>((resolve, reject) => {
      const outgoing: OutgoingHttpHeaders = Object.fromEntries(headers);
      if (body instanceof Buffer) outgoing['content-length'] ??= String(body.byteLength);
      else if (body === undefined && (method === 'POST' || method === 'PUT' || method === 'PATCH')) outgoing['content-length'] ??= '0';
      const https = url.protocol === 'https:';
      let settled = false;
      const fail = (error: unknown): void => {
        if (settled) return;
        settled = true;
        reject(signal?.aborted ? signal.reason : fetchFailed(error));
      };
      let req: ClientRequest;
      try {
        req = (https ? httpsRequest : httpRequest)(url, { method, headers: outgoing, agent: https ? httpsAgent : httpAgent });
      } catch (error) {
        // Invalid header names or values are reported synchronously.
        reject(new TypeError(`createNodeHttpFetch: ${error instanceof Error ? error.message : String(error)}`, { cause: error }));
        return;
      }
      const onAbort = (): void => {
        req.destroy(signal?.reason as Error);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      req.once('close', () => signal?.removeEventListener('abort', onAbort));
      req.on('error', fail);
      req.once('response', (message) => {
        settled = true;
        resolve({ message, req });
      });
      if (body instanceof ReadableStream) {
        const source = Readable.fromWeb(body as unknown as NodeReadableStream<Uint8Array>);
        pipeline(source, req, (error) => {
          if (error) fail(error);
        });
      } else {
        req.end(body);
      }
    });

  return nodeFetch as unknown as typeof fetch;
}
