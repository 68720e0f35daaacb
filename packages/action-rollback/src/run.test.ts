import { MediaTypes, PartialMutationError, PolicyError, RegistryError, computeDigest } from '@tagwright/core';
import type { Descriptor, ImageReference, RawManifest, RegistryClient, RepositoryReference } from '@tagwright/core';
import { describe, expect, it } from 'vitest';
import { compileHistoryGlob, stampTemplateVariants } from './inputs.js';
import type { Inputs } from './inputs.js';
import { run } from './run.js';
import type { Deps } from './run.js';
import { rollbackInputs } from './testing.js';

const repo: RepositoryReference = { registry: 'registry.test', repository: 'acme/app' };

/**
 * An in-memory registry for the cases a real one cannot be made to show on demand: a PUT refused
 * part way, a tag that vanishes between listing and resolving. The integration tests cover the rest.
 */
function fakeRegistry(options: { refusePut?: string; vanish?: string } = {}) {
  const manifests = new Map<string, RawManifest>();
  const tags = new Map<string, string>();
  const puts: string[] = [];
  const push = (seed: string, ...tagNames: string[]): string => {
    const bytes = new TextEncoder().encode(JSON.stringify({ schemaVersion: 2, mediaType: MediaTypes.OCI_MANIFEST, seed }));
    const digest = computeDigest(bytes);
    manifests.set(digest, { bytes, mediaType: MediaTypes.OCI_MANIFEST, digest });
    for (const tag of tagNames) tags.set(tag, digest);
    return digest;
  };
  const lookup = (ref: ImageReference): RawManifest => {
    const digest = ref.digest ?? (ref.tag === options.vanish ? undefined : tags.get(ref.tag ?? 'latest'));
    const manifest = digest === undefined ? undefined : manifests.get(digest);
    if (!manifest) throw new RegistryError('NOT_FOUND', `resolve ${ref.tag ?? ref.digest}: not found`, { status: 404 });
    return manifest;
  };
  // Only the calls rollback makes (four requests and the declaration of its access); any other call
  // fails the test. Typed against the interface so that a change to these signatures breaks this fake
  // at compile time.
  const used = {
    expectAccess: () => {},
    listTags: async () => [...tags.keys()],
    resolveDigest: async (ref: ImageReference): Promise<Descriptor> => {
      const manifest = lookup(ref);
      return { mediaType: manifest.mediaType, digest: manifest.digest, size: manifest.bytes.byteLength };
    },
    getManifest: async (ref: ImageReference) => lookup(ref),
    putManifest: async (_repo: RepositoryReference, tag: string, manifest: { bytes: Uint8Array; mediaType: string }) => {
      if (tag === options.refusePut) throw new RegistryError('REGISTRY_ERROR', `put ${tag}: denied`, { status: 403 });
      const digest = computeDigest(manifest.bytes);
      tags.set(tag, digest);
      puts.push(tag);
      return digest;
    },
  } satisfies Required<Pick<RegistryClient, 'expectAccess' | 'listTags' | 'resolveDigest' | 'getManifest' | 'putManifest'>>;
  const calls: string[] = [];
  const client = new Proxy(used, {
    get: (target, name) =>
      name in target
        ? (calls.push(String(name)), target[name as keyof typeof target])
        : () => {
            throw new Error(`fake registry: ${String(name)} is not used by rollback`);
          },
  }) as unknown as RegistryClient;
  return { client, tags, puts, push, calls };
}

function inputs(overrides: Partial<Inputs> = {}): Inputs {
  return rollbackInputs(repo, overrides);
}

function deps(client: RegistryClient): Deps {
  return {
    registryClient: () => client,
    verify: async () => ({ verified: true, signers: [], detail: null }),
    release: async () => undefined,
    now: () => new Date('2026-11-22T10:15:30Z'),
    info: () => {},
  } satisfies Deps;
}

describe('run', () => {
  describe('when verification is configured and its inputs are wrong', () => {
    it('fails in prepareVerify before any registry request', async () => {
      const registry = fakeRegistry();
      registry.push('c', 'prod-20261120-ccccccc', 'prod');
      const failing = {
        ...deps(registry.client),
        prepareVerify: async () => {
          throw new Error('read input key: not a key');
        },
      } satisfies Deps;

      await expect(run(inputs({ verification: { required: true, configured: true, key: 'x' } }), failing)).rejects.toThrow(
        'read input key: not a key',
      );
      expect(registry.calls).toEqual([]);
    });
  });

  describe('when the track tag does not exist', () => {
    it('throws TRACK_NOT_FOUND and writes nothing', async () => {
      const registry = fakeRegistry();
      registry.push('a', 'prod-20261101-aaaaaaa');

      await expect(run(inputs(), deps(registry.client))).rejects.toMatchObject({ name: 'PolicyError', code: 'TRACK_NOT_FOUND' });
      expect(registry.puts).toEqual([]);
    });
  });

  describe('when the audit tag already exists on another build', () => {
    it('refuses before anything moves: an audit tag is never moved', async () => {
      const registry = fakeRegistry();
      registry.push('a', 'prod-20261101-aaaaaaa');
      registry.push('c', 'prod-20261120-ccccccc', 'prod');
      registry.push('x', 'prod-rollback-20261122-101530-from-ccccccc');

      const error = await run(inputs(), deps(registry.client)).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(PolicyError);
      expect((error as PolicyError).code).toBe('AUDIT_TAG_TAKEN');
      expect(registry.puts).toEqual([]);
    });
  });

  describe('when an audit template without a time renders a tag that exists on another build', () => {
    it('refuses before anything moves', async () => {
      const registry = fakeRegistry();
      registry.push('a', 'prod-20261101-aaaaaaa');
      registry.push('c', 'prod-20261120-ccccccc', 'prod');
      registry.push('x', 'rolled-back-from-ccccccc');

      await expect(run(inputs({ auditTemplate: 'rolled-back-from-{sha}' }), deps(registry.client))).rejects.toMatchObject({
        code: 'AUDIT_TAG_TAKEN',
      });
      expect(registry.puts).toEqual([]);
    });
  });

  describe('when two history stamps have the same time', () => {
    it('says so in the summary', async () => {
      const registry = fakeRegistry();
      registry.push('a', 'prod-20261101-aaaaaaa');
      registry.push('b', 'prod-20261101-bbbbbbb');
      registry.push('c', 'prod-20261120-ccccccc', 'prod');

      const result = await run(inputs(), deps(registry.client));

      expect(result.summary).toContain('**Warnings:**');
      expect(result.summary).toMatch(/prod-20261101-aaaaaaa and prod-20261101-bbbbbbb have the same stamp time/);
    });
  });

  describe('when a history tag vanishes between listing and resolving', () => {
    it('lists it as skipped and picks among the rest', async () => {
      const registry = fakeRegistry({ vanish: 'prod-20261110-bbbbbbb' });
      const a = registry.push('a', 'prod-20261101-aaaaaaa');
      registry.push('b', 'prod-20261110-bbbbbbb');
      registry.push('c', 'prod-20261120-ccccccc', 'prod');

      const result = await run(inputs(), deps(registry.client));

      expect(result.outputs['to-digest']).toBe(a);
      expect(result.summary).toContain('| `prod-20261110-bbbbbbb` | 2026-11-10T00:00:00Z | — | skipped: the tag vanished while the history was read |');
    });
  });

  describe('when moving the track fails after the audit tag was written', () => {
    it('throws a PartialMutationError reporting the audit tag and each moved tag', async () => {
      const registry = fakeRegistry({ refusePut: 'latest' });
      const b = registry.push('b', 'prod-20261110-bbbbbbb');
      const c = registry.push('c', 'prod-20261120-ccccccc', 'prod', 'latest');

      const error = await run(inputs({ also: ['latest'] }), deps(registry.client)).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(PartialMutationError);
      const report = (error as PartialMutationError<{ audit: { targets: unknown[] }; move: { targets: unknown[] } }>).report;
      expect(report.audit.targets).toEqual([{ tag: 'prod-rollback-20261122-101530-from-ccccccc', before: null, after: c, status: 'written' }]);
      expect(report.move.targets).toEqual([
        { tag: 'prod', before: c, after: b, status: 'written' },
        { tag: 'latest', before: c, after: c, status: 'failed' },
      ]);
      expect((error as Error).message).toMatch(/the audit tag prod-rollback-20261122-101530-from-ccccccc was written, then moving the tags failed: .*put latest: denied/);
      expect(registry.tags.get('prod')).toBe(b);
      expect(registry.tags.get('latest')).toBe(c);
    });
  });

  describe('when to names the digest the track already has', () => {
    it('throws ALREADY_AT_TARGET and writes nothing', async () => {
      const registry = fakeRegistry();
      const c = registry.push('c', 'prod-20261120-ccccccc', 'prod');

      await expect(run(inputs({ to: { kind: 'digest', digest: c } }), deps(registry.client))).rejects.toMatchObject({
        code: 'ALREADY_AT_TARGET',
      });
      expect(registry.puts).toEqual([]);
    });
  });

  describe('when the workflow run is re-run without to', () => {
    it('refuses before any request, since picking again would move the track back twice', async () => {
      const registry = fakeRegistry();
      registry.push('b', 'prod-20261110-bbbbbbb');
      registry.push('c', 'prod-20261120-ccccccc', 'prod');

      await expect(run(inputs({ runAttempt: 2 }), deps(registry.client))).rejects.toMatchObject({ code: 'RERUN_NEEDS_TO' });
      expect(registry.puts).toEqual([]);
    });

    it('goes ahead on a re-run that names to', async () => {
      const registry = fakeRegistry();
      const b = registry.push('b', 'prod-20261110-bbbbbbb');
      registry.push('c', 'prod-20261120-ccccccc', 'prod');

      const result = await run(inputs({ runAttempt: 2, to: { kind: 'digest', digest: b } }), deps(registry.client));
      expect(result.outputs['to-digest']).toBe(b);
    });
  });

  describe('when earlier audit tags match the history glob', () => {
    it('leaves them out of the history', async () => {
      const registry = fakeRegistry();
      registry.push('a', 'prod-20261101-aaaaaaa');
      const c = registry.push('c', 'prod-20261120-ccccccc', 'prod', 'prod-rollback-20261121-090000-from-ccccccc');

      const result = await run(inputs(), deps(registry.client));

      expect(result.summary).not.toContain('| `prod-rollback-20261121-090000-from-ccccccc` |');
      expect(result.outputs['from-digest']).toBe(c);
    });
  });
});

describe('compileHistoryGlob', () => {
  it.each([
    ['prod-*', 'prod-20261101-aaaaaaa', true],
    ['prod-*', 'prod', false],
    ['prod-*', 'staging-20261101-aaaaaaa', false],
    ['prod-2026*', 'prod-20261101-aaaaaaa', true],
    ['{prod,live}-*', 'live-20261101-aaaaaaa', true],
  ])('%s matching %s is %s', (pattern, tag, expected) => {
    expect(compileHistoryGlob(pattern).matches(tag)).toBe(expected);
  });

  it.each(['prod-[', 'prod *'])('rejects %s', (pattern) => {
    expect(() => compileHistoryGlob(pattern)).toThrow(pattern);
  });
});

describe('stampTemplateVariants', () => {
  it.each([
    ['prod-{date}-{sha}', ['prod-{date}-{sha}', 'prod-{datetime}-{sha}']],
    ['prod-{datetime}-{sha}', ['prod-{datetime}-{sha}', 'prod-{date}-{sha}']],
    ['prod-{date}-{datetime}', ['prod-{date}-{datetime}']],
  ])('%s is read as %j', (template, expected) => {
    expect(stampTemplateVariants(template)).toEqual(expected);
  });
});
