import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { OpenAPIBackend, type Document, type Operation } from 'openapi-backend';

/**
 * GitHub's published OpenAPI description (`@octokit/openapi`, `generated/api.github.com.json`,
 * OpenAPI 3.0), loaded into openapi-backend once per process: it is 13 MB.
 *
 * `quick: true` compiles the ajv validators lazily, per operation, on first use; `quick: false`
 * validates the whole description up front and fails on its `nullable` keywords (see
 * TOOLCHAIN-NOTES). Request and response bodies are still validated by ajv, operation by operation.
 */
let loading: Promise<OpenAPIBackend> | undefined;
let routes: Array<{ method: string; pattern: RegExp; literalLength: number; operation: Operation }> | undefined;

/**
 * OpenAPI 3.0 lets `nullable: true` sit beside `oneOf`/`allOf` with no `type` (GitHub's description
 * does, e.g. a commit's `author`); ajv refuses that ("nullable cannot be used without type").
 * Rewrites each such schema to `{ anyOf: [<schema>, { type: 'null' }] }`, which means the same.
 */
function allowNullWithoutType(node: unknown): unknown {
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) node[i] = allowNullWithoutType(node[i]);
    return node;
  }
  if (node === null || typeof node !== 'object') return node;
  const object = node as Record<string, unknown>;
  for (const key of Object.keys(object)) object[key] = allowNullWithoutType(object[key]);
  if (object.nullable === true && !('type' in object)) {
    const { nullable: _nullable, ...rest } = object;
    return { anyOf: [rest, { type: 'null' }] };
  }
  return object;
}

export function loadGitHubOpenApi(): Promise<OpenAPIBackend> {
  loading ??= (async () => {
    const require = createRequire(import.meta.url);
    const path = require.resolve('@octokit/openapi/generated/api.github.com.json');
    const definition = allowNullWithoutType(JSON.parse(await readFile(path, 'utf8'))) as Document;
    const api = new OpenAPIBackend({
      definition,
      quick: true,
      validate: true,
      // The description uses formats (uri, date-time, email) ajv does not know without ajv-formats:
      // ignore them quietly rather than print a warning per schema.
      ajvOpts: { strict: false, validateFormats: false, logger: false },
    });
    await api.init();
    return api;
  })();
  return loading;
}

/**
 * Finds the operation of a request, as openapi-backend's `matchOperation` does (an exact path first,
 * then the template with the longest literal part), over routes compiled once: openapi-backend
 * rebuilds and recompiles all of GitHub's ~1 100 operations on every call (about 80 ms).
 *
 * @param api - the backend from {@link loadGitHubOpenApi}.
 * @param method - HTTP method, any case.
 * @param path - the request path, percent-encoding kept, no query.
 */
export function matchGitHubOperation(api: OpenAPIBackend, method: string, path: string): Operation | undefined {
  routes ??= api.router.getOperations().map((operation) => ({
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
  const wanted = method.toLowerCase();
  const normalized = path.length > 1 ? path.replace(/\/+$/, '') : path;
  let best: (typeof routes)[number] | undefined;
  for (const route of routes) {
    if (route.method !== wanted) continue;
    if (route.operation.path === normalized) return route.operation;
    if (route.pattern.test(normalized) && (!best || route.literalLength > best.literalLength)) best = route;
  }
  return best?.operation;
}
