import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OpenAPIBackend, type Document, type Operation, type Request as OpenApiRequest } from 'openapi-backend';

/**
 * The machinery shared by the forge API doubles (GitHub, Forgejo): a local HTTP server on
 * 127.0.0.1 that matches each request to an operation of a published API description, validates the
 * request and every response it sends with openapi-backend and ajv, records both, and answers with
 * the double's handlers. The doubles differ only in their descriptions, handlers, authentication
 * and error bodies, which they pass in.
 */

/** One request a double answered. */
export interface RecordedRequest {
  method: string;
  /** Path as sent (percent-encoding kept), without the query. */
  path: string;
  query: Record<string, string>;
  /** The operation of the description it matched, e.g. `git/create-ref` or `repoCreateTag`. */
  operationId?: string;
  body?: unknown;
  status: number;
  /** True when the request carried an `Authorization` header (of any value). */
  sentAuthorization: boolean;
}

/** A request or response that does not follow the API description. */
export interface Violation {
  kind: 'request' | 'response' | 'unknown-operation' | 'not-implemented' | 'bad-json';
  method: string;
  path: string;
  operationId?: string;
  status?: number;
  errors: unknown;
}

/** A reply of a handler. */
export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** What a handler is given: path parameters (decoded), the query, the JSON body, the request URL. */
export interface HandlerContext {
  params: Record<string, string>;
  query: Record<string, string>;
  body: Record<string, unknown>;
  url: URL;
}

/** Answers one operation. */
export type Handler = (ctx: HandlerContext) => Reply;

/** A failure injected before the handler of an operation runs. */
export interface InjectedFailure {
  operationId: string;
  status: number;
  times?: number;
  message?: string;
  headers?: Record<string, string>;
}

/** How one API double differs from another. */
export interface OpenApiDoubleOptions {
  /** The name used in messages, e.g. `GitHub API`. */
  name: string;
  /** The loaded description. */
  api: OpenAPIBackend;
  /** The handlers by operation id, given the server's base URL once known. */
  handlers(base: () => string): Record<string, Handler>;
  /** The API root path prefix (`/api/v1` for Forgejo); default none. */
  prefix?: string;
  /** Rewrites a request path before matching (e.g. encoding the slashes of a ref); default unchanged. */
  normalizePath?(pathname: string): string;
  /** An error body in the forge's own shape. */
  errorBody(status: number, message: string, base: string): unknown;
  /** Checks credentials; returns the reply to send when they are missing or wrong. */
  authorize(authorization: string | undefined, operationId: string | undefined, base: string): Reply | undefined;
  /** Whether credentials are checked before the operation is matched (GitHub) or after (Forgejo). */
  authorizeBeforeMatch?: boolean;
  /** Status answered for a body that is not JSON; default 400. */
  badJsonStatus?: number;
  /** Headers sent with every reply. */
  headers?: Record<string, string>;
  /** Response media type checked against the description; default any declared content. */
  responseMediaType?: string;
}

/** A running API double. */
export interface OpenApiDouble {
  /** `http://127.0.0.1:<port>`. */
  base: string;
  /** Every request, in arrival order. */
  requests: RecordedRequest[];
  /** Requests and responses that broke the description; a test asserts it stays empty. */
  violations: Violation[];
  /** Makes the next `times` requests to an operation fail with `status` before the handler runs (not checked against the description). */
  injectFailure(failure: InjectedFailure): void;
  /** Throws with the details when {@link OpenApiDouble.violations} is not empty. */
  assertNoViolations(): void;
  stop(): Promise<void>;
}

const matchers = new WeakMap<OpenAPIBackend, (method: string, path: string) => Operation | undefined>();

/**
 * Loads a description into openapi-backend. `quick: true` compiles the ajv validators lazily, per
 * operation, on first use (request and response bodies are still validated); formats are ignored
 * quietly (the descriptions use formats ajv does not know without ajv-formats).
 */
export async function loadOpenApiBackend(definition: Document): Promise<OpenAPIBackend> {
  const api = new OpenAPIBackend({
    definition,
    quick: true,
    validate: true,
    ajvOpts: { strict: false, validateFormats: false, logger: false },
  });
  await api.init();
  return api;
}

/**
 * Finds the operation of a request as openapi-backend's `matchOperation` does (an exact path first,
 * then the template with the longest literal part), over routes compiled once: openapi-backend
 * rebuilds and recompiles every operation on each call (about 80 ms for GitHub's ~1 100).
 *
 * @param api - the loaded description.
 * @returns `(method, path) => operation`, path relative to the API root, percent-encoding kept, no query.
 */
export function createOperationMatcher(api: OpenAPIBackend): (method: string, path: string) => Operation | undefined {
  const known = matchers.get(api);
  if (known) return known;
  const routes = api.router.getOperations().map((operation) => ({
    method: operation.method.toLowerCase(),
    pattern: new RegExp(
      `^${operation.path
        .split(/(\{[^}]+\})/)
        .map((part) => (part.startsWith('{') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
        .join('')}$`,
    ),
    literalLength: operation.path.replace(/\{.*?\}/g, '').length,
    operation,
  }));
  const match = (method: string, path: string): Operation | undefined => {
    const wanted = method.toLowerCase();
    const normalized = path.length > 1 ? path.replace(/\/+$/, '') : path;
    let best: (typeof routes)[number] | undefined;
    for (const route of routes) {
      if (route.method !== wanted) continue;
      if (route.operation.path === normalized) return route.operation;
      if (route.pattern.test(normalized) && (!best || route.literalLength > best.literalLength)) best = route;
    }
    return best?.operation;
  };
  matchers.set(api, match);
  return match;
}


/**
 * Starts an API double on 127.0.0.1 (a free port). Every request is matched to an operation of the
 * description and validated (an invalid request is answered 422 and recorded as a violation, as is an
 * unknown operation, one the double does not implement, an undeclared status and an invalid response).
 *
 * @param options - how this double differs from others.
 * @returns the running double; stop it with `stop()`.
 */
export async function startOpenApiDouble(options: OpenApiDoubleOptions): Promise<OpenApiDouble> {
  const { api, name } = options;
  const match = createOperationMatcher(api);
  const prefix = options.prefix ?? '';
  const requests: RecordedRequest[] = [];
  const violations: Violation[] = [];
  const failures: Array<Required<Omit<InjectedFailure, 'headers'>> & { headers: Record<string, string> }> = [];
  let base = '';
  const handlers = options.handlers(() => base);
  const error = (status: number, message: string): Reply => ({ status, body: options.errorBody(status, message, base) });

  const server = createServer((req, res) => {
    handle(req, res).catch((cause: unknown) => {
      violations.push({ kind: 'response', method: req.method ?? '', path: req.url ?? '', status: 500, errors: String(cause) });
      if (!res.headersSent) send(res, { status: 500, body: { message: 'Server Error' } });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    // Links (`Link` pagination) name the host the client asked, as a server behind a proxy does: through
    // testkit's fault proxy, the next page goes through the proxy too.
    const url = new URL(req.url ?? '/', /^[\w.-]+(:\d+)?$/.test(req.headers.host ?? '') ? `http://${req.headers.host}` : base);
    const fullPath = options.normalizePath ? options.normalizePath(url.pathname) : url.pathname;
    const query = Object.fromEntries(url.searchParams);
    const raw = await readBody(req);
    const authorization = req.headers.authorization;
    const record = (status: number, operationId?: string, body?: unknown): void => {
      requests.push({
        method,
        path: fullPath,
        query,
        status,
        sentAuthorization: authorization !== undefined,
        ...(operationId ? { operationId } : {}),
        ...(body !== undefined ? { body } : {}),
      });
    };
    const reply = (status: number, answer: Reply, operationId?: string, body?: unknown): void => {
      record(status, operationId, body);
      send(res, answer);
    };

    if (options.authorizeBeforeMatch) {
      const refusal = options.authorize(authorization, undefined, base);
      if (refusal) return reply(refusal.status, refusal);
    }
    const path = prefix === '' ? fullPath : fullPath.startsWith(`${prefix}/`) ? fullPath.slice(prefix.length) : undefined;
    const operation = path === undefined ? undefined : match(method, path);
    if (path === undefined || !operation?.operationId) {
      violations.push({ kind: 'unknown-operation', method, path: fullPath, errors: `no operation of the ${name} has this method and path` });
      return reply(404, error(404, 'Not Found'));
    }
    const operationId = operation.operationId;
    if (!options.authorizeBeforeMatch) {
      const refusal = options.authorize(authorization, operationId, base);
      if (refusal) return reply(refusal.status, refusal, operationId);
    }

    let body: unknown;
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch (cause) {
        violations.push({ kind: 'bad-json', method, path: fullPath, operationId, errors: String(cause) });
        const status = options.badJsonStatus ?? 400;
        return reply(status, error(status, 'Problems parsing JSON'), operationId);
      }
    }
    const request: OpenApiRequest = {
      method,
      path,
      query,
      headers: req.headers as IncomingHttpHeaders as Record<string, string | string[]>,
      ...(body !== undefined ? { body } : {}),
    };
    const validation = api.validateRequest(request, operation);
    if (!validation.valid) {
      violations.push({ kind: 'request', method, path: fullPath, operationId, errors: validation.errors });
      return reply(422, error(422, `Invalid request.\n\n${JSON.stringify(validation.errors)}`), operationId, body);
    }
    const failure = failures.find((f) => f.operationId === operationId && f.times > 0);
    if (failure) {
      failure.times -= 1;
      return reply(failure.status, { ...error(failure.status, failure.message), headers: failure.headers }, operationId, body);
    }
    const handler = handlers[operationId];
    if (!handler) {
      violations.push({ kind: 'not-implemented', method, path: fullPath, operationId, errors: 'the double does not implement it' });
      return reply(501, { status: 501, body: { message: `${operationId} is not implemented by the ${name} double` } }, operationId, body);
    }
    const params = Object.fromEntries(
      Object.entries(api.router.parseRequest(request, operation).params as Record<string, string>).map(([k, v]) => [k, decodeURIComponent(String(v))]),
    );
    const answer = handler({ params, query, body: (body ?? {}) as Record<string, unknown>, url });
    checkResponse(operation, method, fullPath, answer);
    reply(answer.status, answer, operationId, body);
  }

  function checkResponse(operation: Operation, method: string, path: string, answer: Reply): void {
    const operationId = operation.operationId!;
    const declared = operation.responses ?? {};
    const status = String(answer.status);
    const violation = (errors: unknown): void => {
      violations.push({ kind: 'response', method, path, operationId, status: answer.status, errors });
    };
    const spec = (declared[status] ?? declared[`${status[0]}XX`] ?? declared.default) as { content?: Record<string, unknown> } | undefined;
    if (!spec) return violation(`status ${status} is not declared (declared: ${Object.keys(declared).join(', ')})`);
    const content = options.responseMediaType ? spec.content?.[options.responseMediaType] : spec.content;
    if (!content) {
      if (answer.body !== undefined) violation('a body where none is declared');
      return;
    }
    try {
      const result = api.validateResponse(answer.body, operation, answer.status);
      if (!result.valid) violation(result.errors);
    } catch (cause) {
      violation(`cannot validate: ${String(cause)}`);
    }
  }

  function send(res: ServerResponse, answer: Reply): void {
    const headers: Record<string, string> = { ...options.headers, ...answer.headers };
    if (answer.body === undefined) {
      res.writeHead(answer.status, headers).end();
      return;
    }
    const text = JSON.stringify(answer.body);
    res
      .writeHead(answer.status, { ...headers, 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)) })
      .end(text);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    base,
    requests,
    violations,
    injectFailure(failure) {
      failures.push({ times: 1, message: 'Server Error', headers: {}, ...failure });
    },
    assertNoViolations() {
      if (violations.length > 0) {
        throw new Error(`the ${name} double saw ${violations.length} violation(s) of the ${name} description:\n${JSON.stringify(violations, null, 2)}`);
      }
    },
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((cause) => (cause ? reject(cause) : resolve()));
      }),
  };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
