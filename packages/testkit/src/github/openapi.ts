import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Document, OpenAPIBackend } from 'openapi-backend';
import { loadOpenApiBackend } from '../openapi/double.js';

/**
 * GitHub's published OpenAPI description (`@octokit/openapi`, `generated/api.github.com.json`,
 * OpenAPI 3.0), loaded into openapi-backend once per process: it is 13 MB.
 *
 * `quick: true` compiles the ajv validators lazily, per operation, on first use; `quick: false`
 * validates the whole description up front and fails on its `nullable` keywords (see
 * TOOLCHAIN-NOTES). Request and response bodies are still validated by ajv, operation by operation.
 */
let loading: Promise<OpenAPIBackend> | undefined;

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
    return loadOpenApiBackend(allowNullWithoutType(JSON.parse(await readFile(path, 'utf8'))) as Document);
  })();
  return loading;
}
