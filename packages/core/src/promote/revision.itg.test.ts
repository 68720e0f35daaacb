import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientFor, pushImage, pushIndex, startRegistry } from '@tagwright/testkit';
import type { RunningRegistry } from '@tagwright/testkit';
import { builtCommit, renderStamp } from '../policy/index.js';
import { readImageRevision } from './revision.js';

const built = '4f1c2d3e5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d';

describe('readImageRevision on a real registry', () => {
  let registry: RunningRegistry;
  beforeAll(async () => {
    registry = await startRegistry();
  });
  afterAll(async () => {
    await registry?.stop();
  });

  it('reads the org.opencontainers.image.revision label of the config: the stamp gets its 7 hex', async () => {
    const client = clientFor(registry);
    const repo = { registry: registry.host, repository: 'rev/labelled' };
    const image = await pushImage(client, repo, { tag: 'staging', labels: { 'org.opencontainers.image.revision': built } });

    const revision = await readImageRevision(client, { ...repo, digest: image.digest });
    const chosen = builtCommit({ ...(revision !== undefined ? { revision } : {}), workflow: 'a'.repeat(40) });

    expect(revision).toBe(built);
    expect(renderStamp('prod-{date}-{sha}', { now: new Date(Date.UTC(2026, 10, 29)), sha: chosen.sha })).toBe('prod-20261129-4f1c2d3');
  });

  it('says none for an image without the label (the caller falls back to the workflow commit)', async () => {
    const client = clientFor(registry);
    const repo = { registry: registry.host, repository: 'rev/plain' };
    const image = await pushImage(client, repo, { tag: 'staging' });
    expect(await readImageRevision(client, { ...repo, digest: image.digest })).toBeUndefined();
  });

  it('reads through an index to the first platform image', async () => {
    const client = clientFor(registry);
    const repo = { registry: registry.host, repository: 'rev/index' };
    const index = await pushIndex(client, repo, { tag: 'staging', labels: { 'org.opencontainers.image.revision': built } });
    expect(await readImageRevision(client, { ...repo, digest: index.digest })).toBe(built);
  });
});
