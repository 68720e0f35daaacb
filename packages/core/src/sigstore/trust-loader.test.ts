import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigurationError } from '../errors.js';
import { embeddedPublicGoodTrustedRoot, loadTrust, readTrustedRootFile } from './trust-loader.js';

describe('loadTrust', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tagwright-trust-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  describe('when offline with the public-good instance', () => {
    it('uses the trusted root sigstore-js ships and says so', async () => {
      const trust = await loadTrust({ instance: 'public-good', offline: true });
      expect(trust.origin).toBe('embedded-seed');
      expect(trust.trustedRoot.tlogs.map((t) => t.baseUrl)).toContain('https://rekor.sigstore.dev');
      expect(trust.warnings).toEqual([expect.stringMatching(/embedded in sigstore-js \(offline mode\)/)]);
    });
  });

  describe('when given a trusted_root.json file', () => {
    it('reads it', async () => {
      const embedded = await embeddedPublicGoodTrustedRoot();
      const { TrustedRoot } = await import('@sigstore/protobuf-specs');
      const file = join(dir, 'trusted_root.json');
      await writeFile(file, JSON.stringify(TrustedRoot.toJSON(embedded.trustedRoot)));
      const trust = await loadTrust({ trustedRootPath: file });
      expect(trust).toMatchObject({ origin: 'file', description: file, warnings: [] });
    });

    it.each([
      { name: 'is missing', content: undefined, message: /read trusted root .*missing\.json: ENOENT/ },
      { name: 'is not JSON', content: '{', message: /read trusted root .*bad\.json: not JSON/ },
    ])('throws a ConfigurationError naming the file when it $name', async ({ content, message }) => {
      const file = join(dir, content === undefined ? 'missing.json' : 'bad.json');
      if (content !== undefined) await writeFile(file, content);
      await expect(readTrustedRootFile(file)).rejects.toBeInstanceOf(ConfigurationError);
      await expect(readTrustedRootFile(file)).rejects.toThrow(message);
    });
  });
});
