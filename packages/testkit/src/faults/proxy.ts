/**
 * A fault-injecting HTTP proxy for tests: it listens on 127.0.0.1 at a free port in front of a real
 * upstream (a `docker-registry` or the token server started by this test kit), forwards every request
 * unchanged unless a rule matches it, and then answers a status, resets the connection, hangs, delays,
 * rewrites the body or headers, echoes the decoded credentials, or points `Link` at a foreign host.
 * Every request is logged with monotonic start/end times, for assertions and for deriving critical paths.
 */
import { Agent, request as httpRequest, createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';

/** Which of the requests matching a rule's method and path it applies to. */
export type FaultCount =
  /** Every matching request (the default). */
  | 'every'
  /** Only the n-th matching request (1-based). */
  | { nth: number }
  /** The first n matching requests, then none. */
  | { first: number };

/** What a rule does to a request it matches. */
export type Fault =
  /** Answers itself, without asking the upstream. */
  | { kind: 'status'; status: number; body?: string | Uint8Array; headers?: Record<string, string> }
  /** Destroys the connection before any answer (`before`), or after the headers and half the body (`mid-body`). */
  | { kind: 'reset'; when?: 'before' | 'mid-body' }
  /**
   * Never answers (`before`, the default), or stalls after the headers and half the body
   * (`mid-body`); the connection is released when the proxy closes or the client gives up.
   */
  | { kind: 'hang'; when?: 'before' | 'mid-body' }
  /** Forwards after `ms` milliseconds. */
  | { kind: 'delay'; ms: number }
  /**
   * Forwards, then changes the upstream's answer: `body` replaces the body (a function gets the
   * upstream bytes); `headers` sets a header to a value, drops it (`null`) or maps its value (a function
   * getting the value or null). `Content-Length` follows the new body.
   */
  | {
      kind: 'rewrite';
      status?: number;
      body?: string | Uint8Array | ((upstream: Buffer) => string | Uint8Array);
      headers?: Record<string, string | null | ((value: string | null) => string | null)>;
    }
  /** Answers `status` (default 403) with an OCI error body quoting the request's decoded `Authorization`. */
  | { kind: 'echo-authorization'; status?: number }
  /** Forwards, then sets `Link: <url>; rel="next"` (a tag list page on another host). */
  | { kind: 'link'; url: string }
  /**
   * A rate limit on concurrency: while `maxConcurrent` requests matched by this rule are in flight,
   * a further one is answered `429` with `Retry-After: retryAfter` (seconds, default `1`) and a
   * `TOOMANYREQUESTS` OCI error; the others are forwarded. Every answer, 429s included, comes after
   * `delayMs` (default 0), so the rule also stands for a latency.
   */
  | { kind: 'rate-limit'; maxConcurrent: number; retryAfter?: string; delayMs?: number };

/** A rule: which requests (method, path regexp over path + query, count) and what happens to them. */
export interface FaultRule {
  /** `GET`, `HEAD`, … ; any when absent. */
  method?: string;
  /** Matched against the path with its query, e.g. `/v2/acme/app/manifests/[^/]+$`. */
  path: RegExp;
  /** Default `every`. */
  count?: FaultCount;
  fault: Fault;
}

/** One request as the proxy saw it. */
export interface ProxyLogEntry {
  /** Order of arrival, from 0. */
  seq: number;
  method: string;
  /** Path with query. */
  path: string;
  /** The `Host` the request was sent to (the proxy's `host[:port]`). */
  host: string;
  /** Status sent to the client; 0 when none was (reset, hang). */
  status: number;
  /** `performance.now()` (ms, monotonic) when the request arrived. */
  startMs: number;
  /** `performance.now()` (ms) when the answer ended or the connection closed; undefined while open. */
  endMs?: number;
  /** Request headers, lowercase names, with `authorization`, `proxy-authorization` and `cookie` removed. */
  headers: Record<string, string>;
  /** Whether the request carried an `Authorization` header (its value is never logged). */
  authorization: boolean;
  /** The kind of the fault applied, if any. */
  fault?: Fault['kind'];
}

/** A running proxy. */
export interface FaultProxy {
  /** `http://127.0.0.1:PORT`. */
  url: string;
  /** `127.0.0.1:PORT`: the registry part of references through the proxy. */
  host: string;
  /** Every request so far, in order of arrival. */
  readonly log: readonly ProxyLogEntry[];
  /** Adds a rule (checked after earlier ones; the first match applies); returns a function removing it. */
  addRule(rule: FaultRule): () => void;
  /** Removes every rule and resets their counts. */
  clearRules(): void;
  /** Stops listening and destroys every open connection (hung ones included). */
  close(): Promise<void>;
}

const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie']);
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te', 'trailer']);

interface ActiveRule extends FaultRule {
  seen: number;
  /** Requests admitted by a `rate-limit` rule and not yet answered. */
  inFlight: number;
}

function applies(rule: ActiveRule): boolean {
  const count = rule.count ?? 'every';
  if (count === 'every') return true;
  if ('nth' in count) return rule.seen === count.nth;
  return rule.seen <= count.first;
}

function describeAuthorization(value: string | undefined): string {
  if (!value) return '(none)';
  const [scheme = '', credential = ''] = value.split(/\s+/, 2);
  if (scheme.toLowerCase() === 'basic') return Buffer.from(credential, 'base64').toString('utf8');
  return credential;
}

function responseHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  return out;
}

/**
 * Starts a fault proxy in front of `upstream`. Requests keep their `Host` header, so URLs the registry
 * builds (upload `Location`s) point back at the proxy.
 *
 * @param options - `upstream`: the base URL to forward to, e.g. `registry.url`; `rules`: initial rules.
 * @returns the running proxy; call `close()` in `afterAll`.
 * @example
 * ```ts
 * const proxy = await startFaultProxy({ upstream: registry.url });
 * proxy.addRule({ method: 'GET', path: /\/tags\/list$/, count: { nth: 1 }, fault: { kind: 'status', status: 503, headers: { 'Retry-After': '1' } } });
 * const client = clientFor({ host: proxy.host, credentials: registry.credentials });
 * ```
 */
export async function startFaultProxy(options: { upstream: string; rules?: FaultRule[] }): Promise<FaultProxy> {
  const upstream = new URL(options.upstream);
  const agent = new Agent({ keepAlive: true });
  let rules: ActiveRule[] = (options.rules ?? []).map((rule) => ({ ...rule, seen: 0, inFlight: 0 }));
  const log: ProxyLogEntry[] = [];
  const sockets = new Set<Socket>();

  const forward = (req: IncomingMessage, body: Buffer, onResponse: (res: IncomingMessage) => void, onError: (error: Error) => void): void => {
    const headers: OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(req.headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
    headers['content-length'] = String(body.byteLength);
    const outgoing = httpRequest(
      { protocol: upstream.protocol, hostname: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers, agent },
      onResponse,
    );
    outgoing.on('error', onError);
    outgoing.end(body);
  };

  const readAll = async (stream: IncomingMessage): Promise<Buffer> => {
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, entry: ProxyLogEntry, fault: Fault | undefined): Promise<void> => {
    const body = await readAll(req);
    const finish = (status: number): void => {
      entry.status = status;
    };
    if (fault?.kind === 'hang' && (fault.when ?? 'before') === 'before') return;
    if (fault?.kind === 'reset' && (fault.when ?? 'before') === 'before') {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'status') {
      const payload = fault.body === undefined ? Buffer.alloc(0) : Buffer.from(fault.body);
      res.writeHead(fault.status, { 'content-length': String(payload.byteLength), ...fault.headers });
      finish(fault.status);
      res.end(req.method === 'HEAD' ? undefined : payload);
      return;
    }
    if (fault?.kind === 'echo-authorization') {
      const status = fault.status ?? 403;
      const payload = Buffer.from(
        JSON.stringify({ errors: [{ code: 'DENIED', message: `access denied for ${describeAuthorization(req.headers.authorization)}` }] }),
      );
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(payload.byteLength) });
      finish(status);
      res.end(req.method === 'HEAD' ? undefined : payload);
      return;
    }
    if (fault?.kind === 'delay') await new Promise((resolve) => setTimeout(resolve, fault.ms));
    forward(
      req,
      body,
      (upstreamRes) => {
        void (async () => {
          const upstreamBody = await readAll(upstreamRes);
          let status = upstreamRes.statusCode ?? 502;
          const headers = responseHeaders(upstreamRes.headers);
          let payload = upstreamBody;
          if (fault?.kind === 'rewrite') {
            if (fault.status !== undefined) status = fault.status;
            if (fault.body !== undefined) {
              payload = Buffer.from(typeof fault.body === 'function' ? fault.body(upstreamBody) : fault.body);
            }
            for (const [name, change] of Object.entries(fault.headers ?? {})) {
              const key = name.toLowerCase();
              const current = headers[key] === undefined ? null : String(headers[key]);
              const next = typeof change === 'function' ? change(current) : change;
              if (next === null) delete headers[key];
              else headers[key] = next;
            }
          }
          if (fault?.kind === 'link') headers['link'] = `<${fault.url}>; rel="next"`;
          // A HEAD answer keeps the upstream's Content-Length; otherwise it follows the (new) body.
          if (req.method !== 'HEAD') headers['content-length'] = String(payload.byteLength);
          res.writeHead(status, headers);
          finish(status);
          if (fault?.kind === 'hang') {
            res.write(payload.subarray(0, Math.floor(payload.byteLength / 2)));
            return;
          }
          if (fault?.kind === 'reset' && req.method !== 'HEAD') {
            res.write(payload.subarray(0, Math.floor(payload.byteLength / 2)), () => req.socket.destroy());
            return;
          }
          if (fault?.kind === 'reset') {
            res.flushHeaders();
            req.socket.destroy();
            return;
          }
          res.end(req.method === 'HEAD' ? undefined : payload);
        })().catch((error: unknown) => res.destroy(error as Error));
      },
      (error) => {
        if (!res.headersSent) {
          res.writeHead(502, { 'content-type': 'text/plain' });
          finish(502);
        }
        res.end(`fault proxy: upstream failed: ${error.message}`);
      },
    );
  };

  const server: Server = createServer((req, res) => {
    const path = req.url ?? '/';
    const method = req.method ?? 'GET';
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined && !SECRET_HEADERS.has(name)) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    const entry: ProxyLogEntry = {
      seq: log.length,
      method,
      path,
      host: req.headers.host ?? '',
      status: 0,
      startMs: performance.now(),
      headers,
      authorization: req.headers.authorization !== undefined,
    };
    log.push(entry);
    let fault: Fault | undefined;
    let admittedBy: ActiveRule | undefined;
    for (const rule of rules) {
      if (rule.method !== undefined && rule.method.toUpperCase() !== method) continue;
      if (!rule.path.test(path)) continue;
      rule.seen += 1;
      if (applies(rule)) {
        fault = rule.fault;
        if (fault.kind === 'rate-limit') {
          const delay = fault.delayMs ?? 0;
          if (rule.inFlight >= fault.maxConcurrent) {
            const body = JSON.stringify({ errors: [{ code: 'TOOMANYREQUESTS', message: 'too many concurrent requests' }] });
            fault = { kind: 'status', status: 429, body, headers: { 'content-type': 'application/json', 'retry-after': fault.retryAfter ?? '1' } };
            entry.fault = 'rate-limit';
            const answer = fault;
            if (delay > 0) {
              setTimeout(() => handle(req, res, entry, answer).catch(() => req.socket.destroy()), delay);
              res.once('finish', () => (entry.endMs ??= performance.now()));
              res.once('close', () => (entry.endMs ??= performance.now()));
              return;
            }
          } else {
            rule.inFlight += 1;
            admittedBy = rule;
            fault = delay > 0 ? { kind: 'delay', ms: delay } : undefined;
            entry.fault = 'rate-limit';
          }
        }
        break;
      }
    }
    if (fault && entry.fault === undefined) entry.fault = fault.kind;
    const ended = (): void => {
      if (entry.endMs === undefined && admittedBy) admittedBy.inFlight -= 1;
      entry.endMs ??= performance.now();
    };
    res.once('finish', ended);
    res.once('close', ended);
    handle(req, res, entry, fault).catch(() => req.socket.destroy());
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('startFaultProxy: no TCP address');
  const host = `127.0.0.1:${address.port}`;

  return {
    url: `http://${host}`,
    host,
    log,
    addRule(rule) {
      const active: ActiveRule = { ...rule, seen: 0, inFlight: 0 };
      rules.push(active);
      return () => {
        rules = rules.filter((r) => r !== active);
      };
    },
    clearRules() {
      rules = [];
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      agent.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
