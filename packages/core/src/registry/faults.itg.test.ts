/**
 * Issue 11, registry side: the client against a real registry through the fault proxy. Each scenario
 * asserts the thrown error (code, message), the report where a use case runs, and what the registry
 * holds afterwards (every tag's digest, read directly, not through the proxy).
 */
import { clientFor, pushImage, startFaultProxy, startRegistry } from '@tagwright/testkit';
import type { FaultProxy, RunningRegistry } from '@tagwright/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PartialMutationError, RegistryError } from '../errors.js';
import { computeTags } from '../policy/compute-tags.js';
import { promote } from '../promote/promote.js';
import type { PromoteReport } from '../promote/promote.js';
import { redact } from '../redact.js';
import type { RegistryClient, RegistryClientOptions } from './client.js';
import { staticKeychain } from './keychain.js';
import { createNodeHttpFetch } from './node-http.js';
import type { RepositoryReference } from './reference.js';

async function rejection(promise: Promise<unknown>): Promise<RegistryError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof RegistryError)) throw new Error(`expected a RegistryError, got ${String(error)}`, { cause: error });
  return error;
}

async function partial(promise: Promise<unknown>): Promise<PartialMutationError<PromoteReport>> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof PartialMutationError)) throw new Error(`expected a PartialMutationError, got ${String(error)}`, { cause: error });
  return error as PartialMutationError<PromoteReport>;
}

describe('registry client through the fault proxy (htpasswd)', () => {
  let registry: RunningRegistry;
  let proxy: FaultProxy;
  /** Straight to the registry: seeds and reads the final state. */
  let direct: RegistryClient;
  /** Through the proxy: what is under test. */
  let client: RegistryClient;
  const through = (repository: string): RepositoryReference => ({ registry: proxy.host, repository });
  const at = (repository: string): RepositoryReference => ({ registry: registry.host, repository });
  const viaProxy = (options: RegistryClientOptions = {}): RegistryClient =>
    clientFor({ host: proxy.host, credentials: registry.credentials! }, { retry: { retries: 1, minTimeoutMs: 1, maxTimeoutMs: 2 }, ...options });

  /** Every tag of a repository and the digest it resolves to, read directly. */
  const state = async (repository: string): Promise<Record<string, string>> => {
    const out: Record<string, string> = {};
    for (const tag of (await direct.listTags(at(repository))).sort()) out[tag] = (await direct.resolveDigest({ ...at(repository), tag })).digest;
    return out;
  };
  const requestsTo = (pattern: RegExp, method?: string): number =>
    proxy.log.filter((entry) => pattern.test(entry.path) && (method === undefined || entry.method === method)).length;

  beforeAll(async () => {
    registry = await startRegistry({ auth: 'htpasswd' });
    proxy = await startFaultProxy({ upstream: registry.url });
    direct = clientFor(registry);
    client = viaProxy();
  });

  afterEach(() => {
    proxy.clearRules();
  });

  afterAll(async () => {
    await proxy?.close();
    await registry?.stop();
  });

  describe('item 4: garbled answers fail closed', () => {
    it.each([
      ['{}', '{}', 'name: Invalid key'],
      ['"tags": "2.0.0"', '{"name":"acme/garbled","tags":"2.0.0"}', 'tags: Invalid type'],
      ['tags that are not strings', '{"name":"acme/garbled","tags":[2]}', 'tags.0: Invalid type'],
      ['not JSON', '<html>', 'the answer is not a JSON tag list'],
    ])('listTags rejects a 200 tag list of %s with INVALID_RESPONSE', async (_name, body, problem) => {
      await pushImage(direct, at('acme/garbled'), { tag: '2.0.0' });
      proxy.addRule({ method: 'GET', path: /\/acme\/garbled\/tags\/list/, fault: { kind: 'rewrite', body } });

      const error = await rejection(client.listTags(through('acme/garbled')));

      expect(error.code).toBe('INVALID_RESPONSE');
      expect(error.message).toContain(`list tags http://${proxy.host}/v2/acme/garbled/tags/list: `);
      expect(error.message).toContain(problem);
    });

    it("compute-tags' reading path stops instead of giving latest to a lower version", async () => {
      await pushImage(direct, at('acme/policy'), { tag: '2.0.0' });
      await pushImage(direct, at('acme/policy'), { tag: 'latest' });
      const plan = (existingTags: readonly string[]) =>
        computeTags({
          ref: { ref: 'refs/tags/1.5.0', sha: 'a'.repeat(40) },
          existingTags,
          floating: { major: true, minor: true, latest: true },
          branchTags: {},
          shaTag: false,
          tagPrefix: '',
          registryAware: true,
          now: new Date('2026-01-01T00:00:00Z'),
        });
      // The reading path is "list the tags, then decide": with the real list 1.5.0 gets no `latest`.
      expect(plan(await client.listTags(through('acme/policy'))).tags).not.toContain('latest');

      proxy.addRule({ method: 'GET', path: /\/acme\/policy\/tags\/list/, fault: { kind: 'rewrite', body: '{"name":"acme/policy","tags":"2.0.0"}' } });
      const decide = async () => plan(await client.listTags(through('acme/policy')));
      await expect(decide()).rejects.toMatchObject({ code: 'INVALID_RESPONSE' });
      expect(await state('acme/policy')).toEqual({ '2.0.0': expect.any(String), latest: expect.any(String) });
    });

    it('referrers: a 500 is an error, not "no referrers"; a 200 that is not an index is INVALID_RESPONSE', async () => {
      const image = await pushImage(direct, at('acme/refs'), { tag: '1.0.0' });
      proxy.addRule({ method: 'GET', path: /\/referrers\//, fault: { kind: 'status', status: 500 } });
      const failed = await rejection(client.referrers(through('acme/refs'), image.digest));
      expect(failed).toMatchObject({ code: 'REGISTRY_ERROR', status: 500 });

      proxy.clearRules();
      proxy.addRule({ method: 'GET', path: /\/referrers\//, fault: { kind: 'status', status: 200, body: '{"manifests":"none"}' } });
      const garbled = await rejection(client.referrers(through('acme/refs'), image.digest));
      expect(garbled.code).toBe('INVALID_RESPONSE');
      expect(garbled.message).toContain('the answer is not a valid referrers index');
    });

    it('a malformed Docker-Content-Digest is INVALID_RESPONSE', async () => {
      await pushImage(direct, at('acme/header'), { tag: '1.0.0' });
      proxy.addRule({ path: /\/acme\/header\/manifests\//, fault: { kind: 'rewrite', headers: { 'Docker-Content-Digest': 'sha256 nope' } } });
      const error = await rejection(client.resolveDigest({ ...through('acme/header'), tag: '1.0.0' }));
      expect(error.code).toBe('INVALID_RESPONSE');
      expect(error.message).toBe(
        `resolve digest http://${proxy.host}/v2/acme/header/manifests/1.0.0: Docker-Content-Digest "sha256 nope" is not a digest`,
      );
    });
  });

  describe('transient faults the client already absorbs', () => {
    it.each([
      ['the global fetch', undefined],
      ['createNodeHttpFetch', createNodeHttpFetch()],
    ])('retries a reset in the middle of the body and a 503 with Retry-After (%s)', async (_name, fetchImpl) => {
      const image = await pushImage(direct, at('acme/flaky'), { tag: '1.0.0' });
      const flaky = viaProxy({ retry: { retries: 3, minTimeoutMs: 1, maxTimeoutMs: 2 }, ...(fetchImpl ? { fetch: fetchImpl } : {}) });
      await flaky.listTags(through('acme/flaky')); // learns the Basic challenge: the GETs below carry credentials
      proxy.addRule({ method: 'GET', path: /\/acme\/flaky\/manifests\/1\.0\.0$/, count: { nth: 1 }, fault: { kind: 'reset', when: 'mid-body' } });
      proxy.addRule({ method: 'GET', path: /\/acme\/flaky\/manifests\/1\.0\.0$/, count: { nth: 1 }, fault: { kind: 'status', status: 503, headers: { 'Retry-After': '0' } } });
      const before = requestsTo(/\/acme\/flaky\/manifests\/1\.0\.0$/, 'GET');

      const manifest = await flaky.getManifest({ ...through('acme/flaky'), tag: '1.0.0' });

      expect(manifest.digest).toBe(image.digest);
      const attempts = proxy.log.filter((entry) => entry.path === '/v2/acme/flaky/manifests/1.0.0' && entry.method === 'GET').slice(before);
      expect(attempts.map((entry) => [entry.fault ?? 'none', entry.status])).toEqual([
        ['reset', 200],
        ['status', 503],
        ['none', 200],
      ]);
    });
  });

  describe('item 5: integrity of a manifest read by tag', () => {
    it('refuses a body changed in flight without Docker-Content-Digest: nothing is written', async () => {
      const image = await pushImage(direct, at('acme/tamper'), { tag: '1.0.0' });
      proxy.addRule({
        method: 'GET',
        path: /\/acme\/tamper\/manifests\/1\.0\.0$/,
        fault: { kind: 'rewrite', body: (body) => Buffer.concat([body, Buffer.from('\n')]), headers: { 'Docker-Content-Digest': null } },
      });

      const error = await rejection(promote({ client, source: { ...through('acme/tamper'), tag: '1.0.0' }, targets: ['prod', '1', 'latest', '1.0'] }));

      expect(error.code).toBe('DIGEST_MISMATCH');
      expect(error.message).toMatch(/^get manifest http:\/\/127\.0\.0\.1:\d+\/v2\/acme\/tamper\/manifests\/1\.0\.0: the body has digest sha256:[0-9a-f]{64}, the registry holds sha256:[0-9a-f]{64} for the tag$/);
      expect(requestsTo(/\/acme\/tamper\/manifests\//, 'PUT')).toBe(0);
      expect(await state('acme/tamper')).toEqual({ '1.0.0': image.digest });
    });

    it('when no answer carries a digest, asks for the body digest itself and refuses one the registry does not hold', async () => {
      const image = await pushImage(direct, at('acme/nodigest'), { tag: '1.0.0' });
      proxy.addRule({ path: /\/acme\/nodigest\/manifests\/1\.0\.0$/, method: 'GET', fault: { kind: 'rewrite', body: (body) => Buffer.concat([body, Buffer.from(' ')]), headers: { 'Docker-Content-Digest': null } } });
      proxy.addRule({ path: /\/acme\/nodigest\/manifests\//, fault: { kind: 'rewrite', headers: { 'Docker-Content-Digest': null } } });

      const error = await rejection(promote({ client, source: { ...through('acme/nodigest'), tag: '1.0.0' }, targets: ['prod'] }));

      expect(error.code).toBe('DIGEST_MISMATCH');
      expect(error.message).toContain('which the registry does not hold (the answer came without Docker-Content-Digest)');
      expect(await state('acme/nodigest')).toEqual({ '1.0.0': image.digest });
    });

    it('promotes an untouched body that came without the header, after the HEAD confirms it', async () => {
      const image = await pushImage(direct, at('acme/plain'), { tag: '1.0.0' });
      proxy.addRule({ method: 'GET', path: /\/acme\/plain\/manifests\/1\.0\.0$/, fault: { kind: 'rewrite', headers: { 'Docker-Content-Digest': null } } });

      const report = await promote({ client, source: { ...through('acme/plain'), tag: '1.0.0' }, targets: ['prod'] });

      expect(report.digest).toBe(image.digest);
      expect(await state('acme/plain')).toEqual({ '1.0.0': image.digest, prod: image.digest });
    });

    it('reports a target whose write landed but whose re-read failed as unknown, not failed', async () => {
      const image = await pushImage(direct, at('acme/reread'), { tag: '1.0.0' });
      proxy.addRule({ method: 'HEAD', path: /\/acme\/reread\/manifests\/prod$/, fault: { kind: 'status', status: 500 } });

      const error = await partial(promote({ client, source: { ...through('acme/reread'), tag: '1.0.0' }, targets: ['prod', 'stable'] }));

      expect(error.report.targets).toEqual([
        { tag: 'prod', before: null, after: null, status: 'unknown' },
        { tag: 'stable', before: null, after: image.digest, status: 'written' },
      ]);
      expect(await state('acme/reread')).toEqual({ '1.0.0': image.digest, prod: image.digest, stable: image.digest });
    });
  });

  describe('item 7: timeouts and the abort signal', () => {
    it.each([
      ['the global fetch', undefined],
      ['createNodeHttpFetch', createNodeHttpFetch()],
    ])('a registry that never answers is a TIMEOUT naming the request, after the retries (%s)', async (_name, fetchImpl) => {
      await pushImage(direct, at('acme/hung'), { tag: '1.0.0' });
      proxy.addRule({ method: 'GET', path: /\/acme\/hung\/manifests\/1\.0\.0$/, fault: { kind: 'hang' } });
      const before = requestsTo(/\/acme\/hung\/manifests\/1\.0\.0$/, 'GET');
      const hungClient = viaProxy({ timeouts: { connectMs: 50, idleMs: 150 }, ...(fetchImpl ? { fetch: fetchImpl } : {}) });

      const error = await rejection(hungClient.getManifest({ ...through('acme/hung'), tag: '1.0.0' }));

      expect(error.code).toBe('TIMEOUT');
      expect(error.retryable).toBe(true);
      expect(error.message).toBe(
        `get manifest http://${proxy.host}/v2/acme/hung/manifests/1.0.0: no response within 200 ms (connect timeout 50 ms + idle timeout 150 ms)`,
      );
      // One attempt and one retry (the client's `retries: 1`), each cut by the timeout.
      expect(requestsTo(/\/acme\/hung\/manifests\/1\.0\.0$/, 'GET') - before).toBe(2);
    });

    it('a body that stalls half-way is a TIMEOUT on the idle limit', async () => {
      await pushImage(direct, at('acme/stall'), { tag: '1.0.0' });
      proxy.addRule({ method: 'GET', path: /\/acme\/stall\/manifests\/1\.0\.0$/, fault: { kind: 'hang', when: 'mid-body' } });
      const stallClient = viaProxy({ timeouts: { connectMs: 50, idleMs: 150 }, retry: { retries: 0 } });

      const error = await rejection(stallClient.getManifest({ ...through('acme/stall'), tag: '1.0.0' }));

      expect(error.code).toBe('TIMEOUT');
      expect(error.message).toBe(`get manifest http://${proxy.host}/v2/acme/stall/manifests/1.0.0: no bytes from the registry for 150 ms (idle timeout)`);
    });

    it('a promote whose PUT hangs ends with the exact partial report instead of hanging the job', async () => {
      const image = await pushImage(direct, at('acme/hungput'), { tag: '1.0.0' });
      proxy.addRule({ method: 'PUT', path: /\/acme\/hungput\/manifests\/prod$/, fault: { kind: 'hang' } });
      const hungClient = viaProxy({ timeouts: { connectMs: 50, idleMs: 150 } });

      const error = await partial(promote({ client: hungClient, source: { ...through('acme/hungput'), tag: '1.0.0' }, targets: ['prod', 'stable'] }));

      expect(error.message).toContain(`put manifest http://${proxy.host}/v2/acme/hungput/manifests/prod: no response within 200 ms`);
      expect(error.report.targets).toEqual([
        { tag: 'prod', before: null, after: null, status: 'failed' },
        { tag: 'stable', before: null, after: image.digest, status: 'written' },
      ]);
      expect(await state('acme/hungput')).toEqual({ '1.0.0': image.digest, stable: image.digest });
    });

    it('the abort signal stops the request in flight and every retry: ABORTED', async () => {
      await pushImage(direct, at('acme/abort'), { tag: '1.0.0' });
      proxy.addRule({ method: 'GET', path: /\/acme\/abort\/manifests\/1\.0\.0$/, fault: { kind: 'hang' } });
      const before = requestsTo(/\/acme\/abort\/manifests\/1\.0\.0$/, 'GET');
      const controller = new AbortController();
      const abortable = viaProxy({ signal: controller.signal, retry: { retries: 5, minTimeoutMs: 1, maxTimeoutMs: 2 } });

      const pending = rejection(abortable.getManifest({ ...through('acme/abort'), tag: '1.0.0' }));
      await expect.poll(() => requestsTo(/\/acme\/abort\/manifests\/1\.0\.0$/, 'GET') - before).toBe(1);
      controller.abort(new Error('the action timeout (5 min) ran out'));
      const error = await pending;

      expect(error.code).toBe('ABORTED');
      expect(error.message).toBe(`get manifest http://${proxy.host}/v2/acme/abort/manifests/1.0.0: stopped (the action timeout (5 min) ran out)`);
      expect(requestsTo(/\/acme\/abort\/manifests\/1\.0\.0$/, 'GET') - before).toBe(1);
      await expect(abortable.listTags(through('acme/abort'))).rejects.toMatchObject({ code: 'ABORTED' });
    });
  });

  describe('item 8: secrets', () => {
    it('a registry echoing the decoded user:password gets neither printed', async () => {
      await pushImage(direct, at('acme/echo'), { tag: '1.0.0' });
      proxy.addRule({ method: 'GET', path: /\/acme\/echo\/manifests\//, fault: { kind: 'echo-authorization', status: 403 } });
      const { username, password } = registry.credentials!;

      const error = await rejection(client.getManifest({ ...through('acme/echo'), tag: '1.0.0' }));

      expect(error.code).toBe('UNAUTHORIZED');
      expect(error.message).toBe(
        `get manifest http://${proxy.host}/v2/acme/echo/manifests/1.0.0: 403 DENIED: access denied for ${username}:*** (the credentials for ${proxy.host} lack permission)`,
      );
      expect(JSON.stringify(error.ociErrors)).not.toContain(password);
      // Anything the action prints goes through redact, which knows the value now.
      expect(redact(`echo: ${username}:${password} ${Buffer.from(`${username}:${password}`).toString('base64')}`)).toBe(`echo: ${username}:*** ***`);
    });

    it.each([
      ['the global fetch', undefined],
      ['createNodeHttpFetch', createNodeHttpFetch()],
    ])('a redirect to another host is followed without credentials (%s)', async (_name, fetchImpl) => {
      await pushImage(direct, at('acme/moved'), { tag: '1.0.0' });
      const foreign = await startFaultProxy({ upstream: registry.url });
      try {
        const redirecting = viaProxy(fetchImpl ? { fetch: fetchImpl } : {});
        await redirecting.listTags(through('acme/moved')); // learns the Basic challenge
        proxy.addRule({
          method: 'GET',
          path: /\/acme\/moved\/manifests\/1\.0\.0$/,
          fault: { kind: 'status', status: 307, headers: { Location: `${foreign.url}/v2/acme/moved/manifests/1.0.0` } },
        });

        const error = await rejection(redirecting.getManifest({ ...through('acme/moved'), tag: '1.0.0' }));

        // The foreign host asks for credentials it was not given: the client does not send them there.
        expect(error.code).toBe('UNAUTHORIZED');
        expect(foreign.log.map((entry) => [entry.method, entry.path, entry.authorization])).toEqual([
          ['GET', '/v2/acme/moved/manifests/1.0.0', false],
        ]);
      } finally {
        await foreign.close();
      }
    });

    it('a Link: rel=next on another host is followed without credentials', async () => {
      await pushImage(direct, at('acme/paged'), { tag: '1.0.0' });
      const foreign = await startFaultProxy({
        upstream: registry.url,
        rules: [{ path: /tags\/list/, fault: { kind: 'status', status: 200, body: '{"name":"acme/paged","tags":["2.0.0"]}' } }],
      });
      try {
        proxy.addRule({ method: 'GET', path: /\/acme\/paged\/tags\/list$/, fault: { kind: 'link', url: `${foreign.url}/v2/acme/paged/tags/list?last=1.0.0` } });

        const tags = await client.listTags(through('acme/paged'));

        expect(tags).toEqual(['1.0.0', '2.0.0']);
        expect(foreign.log.map((entry) => [entry.method, entry.path, entry.authorization])).toEqual([
          ['GET', '/v2/acme/paged/tags/list?last=1.0.0', false],
        ]);
        expect(proxy.log.filter((entry) => entry.path === '/v2/acme/paged/tags/list').some((entry) => entry.authorization)).toBe(true);
      } finally {
        await foreign.close();
      }
    });
  });
});

describe('registry client through the fault proxy (bearer tokens)', () => {
  let registry: RunningRegistry;
  let proxy: FaultProxy;
  let tokenProxy: FaultProxy;
  let client: RegistryClient;

  beforeAll(async () => {
    registry = await startRegistry({ auth: 'token' });
    const realm = new URL(registry.tokenServer!.realm);
    tokenProxy = await startFaultProxy({ upstream: realm.origin });
    // The registry's challenge names the token server; point it at the token proxy instead.
    proxy = await startFaultProxy({
      upstream: registry.url,
      rules: [
        {
          path: /^\/v2\//,
          fault: { kind: 'rewrite', headers: { 'WWW-Authenticate': (value) => value?.replace(realm.origin, tokenProxy.url) ?? null } },
        },
      ],
    });
    await pushImage(clientFor(registry), { registry: registry.host, repository: 'acme/app' }, { tag: '1.0.0' });
  });

  afterEach(() => {
    tokenProxy.clearRules();
  });

  afterAll(async () => {
    await proxy?.close();
    await tokenProxy?.close();
    await registry?.stop();
  });

  const fresh = (): RegistryClient =>
    clientFor(
      { host: proxy.host },
      { keychain: staticKeychain({ [proxy.host]: registry.credentials! }), retry: { retries: 1, minTimeoutMs: 1, maxTimeoutMs: 2 } },
    );

  it('works through both proxies when nothing is injected', async () => {
    client = fresh();
    expect(await client.listTags({ registry: proxy.host, repository: 'acme/app' })).toEqual(['1.0.0']);
    expect(tokenProxy.log.some((entry) => entry.path.startsWith('/token'))).toBe(true);
  });

  it('a token-server 5xx is TOKEN_SERVER_ERROR, not rejected credentials', async () => {
    tokenProxy.addRule({ path: /^\/token/, fault: { kind: 'status', status: 503 } });
    const error = await rejection(fresh().listTags({ registry: proxy.host, repository: 'acme/app' }));
    expect(error.code).toBe('TOKEN_SERVER_ERROR');
    expect(error.retryable).toBe(true);
    expect(error.message).toMatch(
      new RegExp(`^fetch token for ${proxy.host.replace(/\./g, '\\.')} ${tokenProxy.url.replace(/\./g, '\\.')}/token\\?.*: 503 Service Unavailable \\(the token server for ${proxy.host.replace(/\./g, '\\.')} failed; the credentials were not checked\\)$`),
    );
    expect(error.message).not.toContain('rejected');
  });

  it('a token response without a token is INVALID_RESPONSE', async () => {
    tokenProxy.addRule({ path: /^\/token/, fault: { kind: 'status', status: 200, body: '{"expires_in":300}' } });
    const error = await rejection(fresh().listTags({ registry: proxy.host, repository: 'acme/app' }));
    expect(error.code).toBe('INVALID_RESPONSE');
    expect(error.message).toContain('the answer is not a valid token response (has neither token nor access_token)');
  });

  it('a token server echoing the decoded user:password in its error gets neither printed', async () => {
    tokenProxy.addRule({ path: /^\/token/, fault: { kind: 'echo-authorization', status: 401 } });
    const { username, password } = registry.credentials!;
    const error = await rejection(fresh().listTags({ registry: proxy.host, repository: 'acme/app' }));
    expect(error.code).toBe('UNAUTHORIZED');
    expect(error.message).toContain(`access denied for ${username}:***`);
    expect(error.message).not.toContain(password);
  });

  it('issued bearer tokens are redacted wherever they appear', async () => {
    let issued = '';
    tokenProxy.addRule({
      path: /^\/token/,
      fault: {
        kind: 'rewrite',
        body: (body) => {
          issued = (JSON.parse(body.toString()) as { token: string }).token;
          return body;
        },
      },
    });
    await fresh().listTags({ registry: proxy.host, repository: 'acme/app' });
    expect(issued.length).toBeGreaterThan(10);
    expect(redact(`the registry said: ${issued}`)).toBe('the registry said: ***');
  });
});
