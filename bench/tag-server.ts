/**
 * A small registry stand-in that serves only tag listings, paginated the way GHCR does it: 100 tags
 * per page and a `Link: <…>; rel="next"` header (distribution ignores `n`/`last`, so it cannot stand
 * in for this). `GET /v2/` answers 200; `GET /v2/<name>/tags/list[?n=&last=]` serves the pages.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A running tag server. */
export interface TagServer {
  /** `127.0.0.1:PORT`. */
  host: string;
  /** Requests served so far. */
  requests(): number;
  stop(): Promise<void>;
}

/** `count` tags like a long-lived repository: releases `1.0.0`…, `v`-less, plus `sha-<7 hex>` build tags. */
export function syntheticTags(count: number): string[] {
  const tags: string[] = [];
  for (let i = 0; tags.length < count; i++) {
    if (i % 10 < 7) {
      const patch = i % 40;
      const minor = Math.floor(i / 40) % 25;
      const major = 1 + Math.floor(i / 1000);
      tags.push(`${major}.${minor}.${patch}`);
    } else {
      tags.push(`sha-${(0x1000000 + i * 2654435761).toString(16).slice(-7)}`);
    }
  }
  return [...new Set(tags)];
}

/**
 * Starts the server on 127.0.0.1 (free port) with one repository per entry of `repositories`.
 *
 * @param repositories - repository name → its tags (served in this order).
 * @param pageSize - tags per page (GHCR: 100).
 */
export async function startTagServer(repositories: Record<string, string[]>, pageSize = 100): Promise<TagServer> {
  let served = 0;
  const server = createServer((request, response) => {
    served += 1;
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/v2/' || url.pathname === '/v2') {
      response.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
      return;
    }
    const match = /^\/v2\/(.+)\/tags\/list$/.exec(url.pathname);
    const tags = match ? repositories[match[1] ?? ''] : undefined;
    if (!match || !tags) {
      response
        .writeHead(404, { 'Content-Type': 'application/json' })
        .end(JSON.stringify({ errors: [{ code: 'NAME_UNKNOWN', message: 'repository name not known to registry' }] }));
      return;
    }
    const n = Math.min(Number(url.searchParams.get('n') ?? pageSize) || pageSize, pageSize);
    const last = url.searchParams.get('last');
    const start = last === null ? 0 : tags.indexOf(last) + 1;
    const page = tags.slice(start, start + n);
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (start + n < tags.length && page.length > 0) {
      headers['Link'] = `</v2/${match[1]}/tags/list?last=${encodeURIComponent(page[page.length - 1] ?? '')}&n=${n}>; rel="next"`;
    }
    response.writeHead(200, headers).end(JSON.stringify({ name: match[1], tags: page }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    requests: () => served,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
