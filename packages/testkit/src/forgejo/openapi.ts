import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Document, OpenAPIBackend } from 'openapi-backend';
import { loadOpenApiBackend } from '../openapi/double.js';
import swagger2openapi from 'swagger2openapi';

/**
 * Where the Forgejo API description is read from: `../shared/fixtures/forgejo/swagger.v1.json`
 * relative to the repository root (it is test data from outside the repository, see its README;
 * it is never copied in).
 */
export const FORGEJO_API_DESCRIPTION_PATH = fileURLToPath(
  new URL('../../../../../shared/fixtures/forgejo/swagger.v1.json', import.meta.url),
);

/** True when the Forgejo API description is there; tests that need it skip (and say so) otherwise. */
export function hasForgejoApiDescription(): boolean {
  return existsSync(FORGEJO_API_DESCRIPTION_PATH);
}

/** The message a test prints when it skips for want of the description. */
export const FORGEJO_API_DESCRIPTION_MISSING = `skipped: the Forgejo API description is absent (${FORGEJO_API_DESCRIPTION_PATH}); the Forgejo double validates against it`;

let loading: Promise<OpenAPIBackend> | undefined;

/**
 * Forgejo's published API description (Swagger 2.0, as every instance serves it at
 * `/swagger.v1.json`), converted to OpenAPI 3.0 with swagger2openapi and loaded into openapi-backend
 * once per process. Paths in it are relative to `/api/v1` (its `basePath`).
 *
 * @throws Error when the description file is absent (check {@link hasForgejoApiDescription} first).
 */
export function loadForgejoOpenApi(): Promise<OpenAPIBackend> {
  loading ??= (async () => {
    const swagger = JSON.parse(await readFile(FORGEJO_API_DESCRIPTION_PATH, 'utf8')) as object;
    const { openapi } = await swagger2openapi.convertObj(swagger as never, { patch: true, warnOnly: true });
    return loadOpenApiBackend(openapi as unknown as Document);
  })();
  loading.catch(() => {
    loading = undefined;
  });
  return loading;
}
