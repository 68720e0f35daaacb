import { clientFor, pushImage, pushIndex, readAccessLog, startRegistry } from '@tagwright/testkit';
import type { AccessLogEntry, RunningRegistry } from '@tagwright/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryError } from '../errors.js';
import type { CopyImage } from '../promote/promote.js';
import { copyImage } from './copy.js';
import { staticKeychain } from './keychain.js';
import { createRegistryClient } from './client.js';
import type { RegistryClient } from './client.js';
import type { RepositoryReference } from './reference.js';
import { MediaTypes } from './types.js';

// core promote takes copyImage as its injected CopyImage.
copyImage satisfies CopyImage;

const blobRequests = (log: AccessLogEntry[]): AccessLogEntry[] => log.filter((e) => e.path.includes('/blobs/'));

describe('copyImage', () => {
  let registry: RunningRegistry;
  let other: RunningRegistry;
  let client: RegistryClient;
  const repo = (repository: string, on: RunningRegistry = registry): RepositoryReference => ({ registry: on.host, repository });

  beforeAll(async () => {
    [registry, other] = await Promise.all([startRegistry({ auth: 'htpasswd' }), startRegistry()]);
    client = createRegistryClient({
      keychain: staticKeychain(registry.credentials ? { [registry.host]: registry.credentials } : {}),
      retry: { retries: 1, minTimeoutMs: 20, maxTimeoutMs: 50 },
    });
  });
  afterAll(async () => {
    await Promise.all([registry?.stop(), other?.stop()]);
  });

  describe('when the destination is another repository of the same registry', () => {
    it('mounts every blob, writes the children by digest and moves no blob byte', async () => {
      const source = repo('copy/staging');
      const destination = repo('copy/production');
      const index = await pushIndex(client, source, { tag: '1.0.0', layerSizes: [3000, 2000, 1000] });
      const root = await client.getManifest({ ...source, tag: '1.0.0' });
      const before = (await readAccessLog(registry)).length;

      expect(await copyImage(client, source, destination, root)).toEqual({
        blobsMounted: 8,
        blobsCopied: 0,
        blobsPresent: 0,
        bytesCopied: 0,
        manifestsWritten: 2,
      });
      const log = (await readAccessLog(registry)).slice(before).filter((e) => e.status !== 401);
      expect(blobRequests(log).every((e) => e.method === 'POST' && e.path.includes('mount=') && e.status === 201)).toBe(true);
      expect(log.filter((e) => e.path.includes('/blobs/')).reduce((sum, e) => sum + e.bytes, 0)).toBe(0);

      await client.putManifest(destination, '1.0.0', root);
      expect((await client.resolveDigest({ ...destination, tag: '1.0.0' })).digest).toBe(index.digest);
      for (const child of index.childDigests ?? []) {
        expect((await client.getManifest({ ...destination, digest: child })).digest).toBe(child);
      }
    });

    it('writes the root by digest too when asked', async () => {
      const source = repo('copy/root-src');
      const destination = repo('copy/root-dst');
      const image = await pushImage(client, source, { tag: 'v1', layerSizes: [10] });
      const root = await client.getManifest({ ...source, tag: 'v1' });

      expect(await copyImage(client, source, destination, root, { writeRoot: true })).toMatchObject({ blobsMounted: 2, manifestsWritten: 1 });
      expect((await client.getManifest({ ...destination, digest: image.digest })).digest).toBe(image.digest);
    });

    it('streams a blob when the registry refuses the mount (202)', async () => {
      const source = repo('copy/refused-src');
      const destination = repo('copy/refused-dst');
      // Rewrites `from=` to a repository without the blob: distribution then answers 202 and opens an upload.
      const refusing = createRegistryClient({
        keychain: staticKeychain(registry.credentials ? { [registry.host]: registry.credentials } : {}),
        fetch: (input, init) => fetch(String(input).replace('from=copy%2Frefused-src', 'from=copy%2Fnowhere'), init),
      });
      const image = await pushImage(refusing, source, { tag: 'v1', layerSizes: [4096] });
      const root = await refusing.getManifest({ ...source, tag: 'v1' });

      const figures = await copyImage(refusing, source, destination, root);
      expect(figures).toMatchObject({ blobsMounted: 0, blobsCopied: 2, manifestsWritten: 0 });
      expect(figures.bytesCopied).toBe(4096 + (await refusing.getBlob(source, image.configDigest ?? '')).byteLength);
      await refusing.putManifest(destination, 'v1', root);
      expect((await refusing.resolveDigest({ ...destination, tag: 'v1' })).digest).toBe(image.digest);
    });
  });

  describe('when the destination is on another registry', () => {
    it('streams the blobs, keeps every digest, and finds them present the second time', async () => {
      const multi = createRegistryClient({
        keychain: staticKeychain(registry.credentials ? { [registry.host]: registry.credentials } : {}),
      });
      const source = repo('copy/cross');
      const destination = repo('mirror/cross', other);
      const index = await pushIndex(multi, source, { tag: 'v2', layerSizes: [2 * 1024 * 1024, 100], format: 'docker' });
      const root = await multi.getManifest({ ...source, tag: 'v2' });

      const first = await copyImage(multi, source, destination, root);
      expect(first).toMatchObject({ blobsMounted: 0, blobsCopied: 6, blobsPresent: 0, manifestsWritten: 2 });
      expect(first.bytesCopied).toBeGreaterThan(2 * (2 * 1024 * 1024 + 100));
      await multi.putManifest(destination, 'v2', root);
      const copied = await multi.getManifest({ ...destination, tag: 'v2' });
      expect(copied).toMatchObject({ digest: index.digest, mediaType: MediaTypes.DOCKER_MANIFEST_LIST });

      expect(await copyImage(multi, source, destination, root)).toEqual({
        blobsMounted: 0,
        blobsCopied: 0,
        blobsPresent: 6,
        bytesCopied: 0,
        manifestsWritten: 2,
      });
    });

    it('fails with DIGEST_MISMATCH when the source serves other bytes, and the destination keeps nothing', async () => {
      const source = repo('copy/corrupt');
      const destination = repo('mirror/corrupt', other);
      const image = await pushImage(clientFor(registry), source, { tag: 'v1', layerSizes: [64 * 1024] });
      const layer = image.layerDigests?.[0] ?? '';
      // Flips one byte of the layer as it arrives from the source.
      const corrupting = createRegistryClient({
        keychain: staticKeychain(registry.credentials ? { [registry.host]: registry.credentials } : {}),
        fetch: async (input, init) => {
          const response = await fetch(input, init);
          if (!(init?.method === 'GET' && String(input).endsWith(`/blobs/${layer}`) && response.body)) return response;
          let flipped = false;
          const body = response.body.pipeThrough(
            new TransformStream<Uint8Array, Uint8Array>({
              transform(chunk, controller) {
                const copy = new Uint8Array(chunk);
                if (!flipped && copy.length > 0) {
                  copy[0] = (copy[0] ?? 0) ^ 0xff;
                  flipped = true;
                }
                controller.enqueue(copy);
              },
            }),
          );
          return new Response(body, { status: response.status, headers: response.headers });
        },
      });
      const root = await corrupting.getManifest({ ...source, tag: 'v1' });

      const error = await copyImage(corrupting, source, destination, root).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(RegistryError);
      expect((error as RegistryError).code).toBe('DIGEST_MISMATCH');
      expect((error as RegistryError).message).toMatch(new RegExp(`^get blob \\S+/blobs/${layer}: content has digest sha256:[0-9a-f]{64}, expected ${layer}$`));
      expect(await corrupting.headBlob(destination, layer)).toBeUndefined();
    });
  });

  describe('when a manifest is not JSON', () => {
    it('names the manifest in a RegistryError', async () => {
      const root = { bytes: new TextEncoder().encode('not json'), mediaType: MediaTypes.OCI_MANIFEST, digest: `sha256:${'a'.repeat(64)}` };
      const error = await copyImage(client, repo('a/b'), repo('a/c'), root).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RegistryError);
      expect((error as RegistryError).message).toBe(`copy image ${registry.host}/a/b@sha256:${'a'.repeat(64)}: manifest is not JSON`);
    });
  });
});
