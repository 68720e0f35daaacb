import { beforeAll, describe, expect, it } from 'vitest';
import { createSigstoreMock, type SigstoreMock } from '@tagwright/testkit';
import { ConfigurationError } from '../errors.js';
import { compilePolicy } from './policy.js';
import { parseTrustedRoot } from './trust.js';
import { SignatureVerificationError, SLSA_PROVENANCE_V1, type SignatureCandidate, type SignaturePolicy } from './types.js';
import { verifySignatures } from './verify.js';

const IMAGE = `sha256:${'a'.repeat(64)}`;
const OTHER_IMAGE = `sha256:${'b'.repeat(64)}`;
const IDENTITY = 'https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.2.3';
const ISSUER = 'https://token.actions.githubusercontent.com';
const POLICY: SignaturePolicy = { certificateIdentity: IDENTITY, certificateOidcIssuer: ISSUER };

let sigstore: SigstoreMock;
let otherInstance: SigstoreMock;

beforeAll(async () => {
  [sigstore, otherInstance] = await Promise.all([createSigstoreMock(), createSigstoreMock()]);
});

async function bundleCandidate(digest: string, options: Parameters<SigstoreMock['signBundle']>[1] = {}, mock = sigstore): Promise<SignatureCandidate> {
  return { format: 'bundle-v0.3', source: 'referrer test', bundle: await mock.signBundle(digest, options) };
}

function failureOf(run: () => unknown): SignatureVerificationError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(SignatureVerificationError);
    return error as SignatureVerificationError;
  }
  throw new Error('expected verification to fail');
}

describe('verifySignatures', () => {
  describe('when a keyless legacy cosign signature matches the policy', () => {
    it('verifies and reports the signer, issuer and log entry', async () => {
      const signature = await sigstore.signLegacy(IMAGE);
      const result = verifySignatures([signature], { digest: IMAGE }, POLICY, sigstore.trust);
      expect(result).toMatchObject({ verified: true, format: 'cosign-legacy', digest: IMAGE });
      expect(result.signatures[0]).toMatchObject({
        signerIdentity: IDENTITY,
        issuer: ISSUER,
        policyMatched: ['signature', 'transparencyLog', 'certificateIdentity', 'certificateOidcIssuer', 'digest'],
      });
      expect(result.signatures[0]?.logIndex).toEqual(expect.any(Number));
    });
  });

  describe('when a v0.3 bundle (DSSE in-toto) matches the policy', () => {
    it('verifies with a transparency-log entry', async () => {
      const result = verifySignatures([await bundleCandidate(IMAGE)], { digest: IMAGE }, POLICY, sigstore.trust);
      expect(result.format).toBe('bundle-v0.3');
      expect(result.signatures[0]).toMatchObject({ signerIdentity: IDENTITY, predicateType: 'https://sigstore.dev/cosign/sign/v1' });
    });

    it('verifies with only an RFC 3161 timestamp when the policy does not require a log entry', async () => {
      const candidate = await bundleCandidate(IMAGE, { tlog: false });
      const result = verifySignatures([candidate], { digest: IMAGE }, { ...POLICY, requireTlog: false }, sigstore.trust);
      expect(result.signatures[0]?.logIndex).toBeUndefined();
      expect(result.signatures[0]?.policyMatched).toEqual(['signature', 'timestamp', 'certificateIdentity', 'certificateOidcIssuer', 'digest']);
    });
  });

  describe('when the identity is given as a regexp', () => {
    it('accepts an identity the whole regexp matches', async () => {
      const signature = await sigstore.signLegacy(IMAGE);
      const policy = { certificateIdentityRegexp: 'https://github\\.com/acme/app/\\.github/workflows/release\\.yml@refs/tags/v.*', certificateOidcIssuer: ISSUER };
      expect(verifySignatures([signature], { digest: IMAGE }, policy, sigstore.trust).signatures[0]?.policyMatched).toContain('certificateIdentityRegexp');
    });
  });

  describe('when the policy names no OIDC issuer', () => {
    it('verifies and warns that any issuer is accepted', async () => {
      const signature = await sigstore.signLegacy(IMAGE);
      const result = verifySignatures([signature], { digest: IMAGE }, { certificateIdentity: IDENTITY }, sigstore.trust);
      expect(result.warnings).toEqual(['the policy names no OIDC issuer: any issuer trusted by the certificate authority is accepted']);
    });
  });

  describe('when a check fails', () => {
    const regexpPolicy: SignaturePolicy = { certificateIdentityRegexp: 'https://github\\.com/acme/app/.*', certificateOidcIssuer: ISSUER };
    it.each<{ name: string; make: () => Promise<SignatureCandidate[]>; digest?: string; policy?: SignaturePolicy; trust?: () => SigstoreMock; code: string; message: RegExp }>([
      {
        name: 'the certificate identity is another workflow',
        make: async () => [await sigstore.signLegacy(IMAGE, { identity: 'https://github.com/acme/app/.github/workflows/ci.yml@refs/heads/main' })],
        code: 'WRONG_IDENTITY',
        message: /certificate identity "https:\/\/github.com\/acme\/app\/.github\/workflows\/ci.yml@refs\/heads\/main" does not match/,
      },
      {
        name: 'the OIDC issuer is another one',
        make: async () => [await sigstore.signLegacy(IMAGE, { identity: IDENTITY, issuer: 'https://accounts.google.com' })],
        code: 'WRONG_ISSUER',
        message: /OIDC issuer "https:\/\/accounts.google.com" does not match "https:\/\/token.actions.githubusercontent.com"/,
      },
      {
        name: 'the regexp only matches a substring of the identity',
        make: async () => [await sigstore.signLegacy(IMAGE, { identity: `https://evil.example/?${IDENTITY}` })],
        policy: regexpPolicy,
        code: 'WRONG_IDENTITY',
        message: /does not match \/\^\(\?:https:\/\/github\\.com\/acme\/app\/\.\*\)\$\//,
      },
      {
        name: 'the exact identity differs only where a regexp dot would match',
        make: async () => [await sigstore.signLegacy(IMAGE, { identity: IDENTITY.replace('github.com', 'githubXcom') })],
        code: 'WRONG_IDENTITY',
        message: /does not match/,
      },
      {
        name: 'the payload was tampered with',
        make: async () => {
          const signature = await sigstore.signLegacy(IMAGE);
          const payload = Buffer.from(Buffer.from(signature.payload).toString('utf8').replace('registry.test', 'registry.evil'));
          return [{ ...signature, payload }];
        },
        code: 'BAD_SIGNATURE',
        message: /does not match its transparency-log entry|bad signature/,
      },
      {
        name: 'the payload names another digest',
        make: async () => [await sigstore.signLegacy(OTHER_IMAGE)],
        code: 'DIGEST_MISMATCH',
        message: new RegExp(`payload is for ${OTHER_IMAGE}, not ${IMAGE}`),
      },
      {
        name: 'a valid signature of one image is copied onto another',
        make: async () => [await sigstore.signLegacy(IMAGE)],
        digest: OTHER_IMAGE,
        code: 'DIGEST_MISMATCH',
        message: new RegExp(`payload is for ${IMAGE}, not ${OTHER_IMAGE}`),
      },
      {
        name: 'the bundle subject is another digest',
        make: async () => [await bundleCandidate(OTHER_IMAGE)],
        code: 'DIGEST_MISMATCH',
        message: new RegExp(`in-toto subjects \\[${OTHER_IMAGE}\\] do not include ${IMAGE}`),
      },
      {
        name: 'the certificate chains to an untrusted CA',
        make: async () => [await otherInstance.signLegacy(IMAGE)],
        code: 'UNTRUSTED_CHAIN',
        message: /certificate not trusted|not trusted/,
      },
      {
        name: 'there is no log entry and the policy requires one',
        make: async () => [await sigstore.signLegacy(IMAGE, { tlog: false })],
        code: 'NO_LOG_ENTRY',
        message: /no transparency-log entry/,
      },
      {
        name: 'a key-signed signature meets a keyless policy',
        make: async () => [await sigstore.signLegacy(IMAGE, { key: sigstore.generateKey() })],
        code: 'UNTRUSTED_CHAIN',
        message: /signed with a public key, not a certificate/,
      },
      {
        name: 'the signature layer is not a simple-signing payload',
        make: async () => [{ ...(await sigstore.signLegacy(IMAGE)), mediaType: 'text/plain' }],
        code: 'VERIFICATION_FAILED',
        message: /layer media type "text\/plain"/,
      },
    ])('rejects when $name ($code)', async ({ make, digest, policy, code, message }) => {
      const candidates = await make();
      const error = failureOf(() => verifySignatures(candidates, { digest: digest ?? IMAGE }, policy ?? POLICY, sigstore.trust));
      expect(error.code).toBe(code);
      expect(error.failures).toHaveLength(1);
      expect(error.failures[0]?.code).toBe(code);
      expect(error.failures[0]?.message).toMatch(message);
      expect(error.message).toContain(`verify signatures of ${digest ?? IMAGE}`);
    });

    it('reports NO_SIGNATURE when nothing was found', () => {
      const error = failureOf(() => verifySignatures([], { digest: IMAGE }, POLICY, sigstore.trust));
      expect(error.code).toBe('NO_SIGNATURE');
      expect(error.message).toBe(`verify signatures of ${IMAGE}: no signature found`);
    });
  });

  describe('when several signatures are found', () => {
    it('names the failed check of each one', async () => {
      const candidates = [
        { ...(await sigstore.signLegacy(IMAGE, { identity: 'https://github.com/acme/other/.github/workflows/x.yml@refs/heads/main' })), source: 'layer 0' },
        { ...(await sigstore.signLegacy(OTHER_IMAGE)), source: 'layer 1' },
      ];
      const error = failureOf(() => verifySignatures(candidates, { digest: IMAGE }, POLICY, sigstore.trust));
      expect(error.code).toBe('VERIFICATION_FAILED');
      expect(error.failures.map((f) => [f.source, f.code])).toEqual([
        ['layer 0', 'WRONG_IDENTITY'],
        ['layer 1', 'DIGEST_MISMATCH'],
      ]);
      expect(error.message).toMatch(/\[layer 0\] WRONG_IDENTITY: .*; \[layer 1\] DIGEST_MISMATCH: /);
    });

    it('passes when one satisfies the policy and lists the rejected ones', async () => {
      const candidates = [{ ...(await sigstore.signLegacy(OTHER_IMAGE)), source: 'layer 0' }, { ...(await sigstore.signLegacy(IMAGE)), source: 'layer 1' }];
      const result = verifySignatures(candidates, { digest: IMAGE }, POLICY, sigstore.trust);
      expect(result.signatures.map((s) => s.source)).toEqual(['layer 1']);
      expect(result.rejected.map((r) => [r.source, r.code])).toEqual([['layer 0', 'DIGEST_MISMATCH']]);
    });
  });

  describe('when the policy is a public key', () => {
    it('verifies a key-signed legacy signature and bundle', async () => {
      const key = sigstore.generateKey();
      const legacy = await sigstore.signLegacy(IMAGE, { key });
      const bundle = await bundleCandidate(IMAGE, { key });
      const result = verifySignatures([legacy, bundle], { digest: IMAGE }, { publicKey: key.publicKeyPem }, sigstore.trust);
      expect(result.signatures).toHaveLength(2);
      expect(result.signatures[0]?.policyMatched).toEqual(['signature', 'transparencyLog', 'publicKey', 'digest']);
    });

    it('rejects a signature made with another key', async () => {
      const signature = await sigstore.signLegacy(IMAGE, { key: sigstore.generateKey() });
      const error = failureOf(() => verifySignatures([signature], { digest: IMAGE }, { publicKey: sigstore.generateKey().publicKeyPem }, sigstore.trust));
      expect(error.code).toBe('BAD_SIGNATURE');
    });
  });

  describe('when the policy requires GitHub workflow claims', () => {
    const github = { repository: 'acme/app', ref: 'refs/tags/v1.2.3', eventName: 'push', buildSignerDigest: 'c0ffee' };
    it.each([
      { name: 'all claims match', policy: { sourceRepository: 'acme/app', sourceRef: 'refs/tags/v1.2.3', workflowTrigger: 'push', buildSignerDigest: 'c0ffee' }, ok: true },
      { name: 'the repository is given as a URI', policy: { sourceRepository: 'https://github.com/acme/app' }, ok: true },
      { name: 'the repository differs', policy: { sourceRepository: 'acme/other' }, ok: false, claim: 'sourceRepository' },
      { name: 'the ref differs', policy: { sourceRef: 'refs/heads/main' }, ok: false, claim: 'sourceRef' },
      { name: 'the trigger differs', policy: { workflowTrigger: 'pull_request_target' }, ok: false, claim: 'workflowTrigger' },
      { name: 'the build signer digest differs', policy: { buildSignerDigest: 'deadbeef' }, ok: false, claim: 'buildSignerDigest' },
    ])('$name → verified: $ok', async ({ policy, ok, claim }) => {
      const signature = await sigstore.signLegacy(IMAGE, { github });
      const run = () => verifySignatures([signature], { digest: IMAGE }, { ...POLICY, github: policy }, sigstore.trust);
      if (ok) expect(run().verified).toBe(true);
      else expect(failureOf(run).failures[0]).toMatchObject({ code: 'POLICY_NOT_SATISFIED', message: expect.stringMatching(new RegExp(`^certificate claim ${claim} `)) });
    });
  });

  describe('when SLSA provenance is required', () => {
    const predicate = {
      buildDefinition: { externalParameters: { workflow: { repository: 'https://github.com/acme/app', ref: 'refs/tags/v1.2.3' } } },
      runDetails: { builder: { id: 'https://github.com/actions/runner/github-hosted' } },
    };
    it('passes with a matching provenance attestation', async () => {
      const candidates = [await bundleCandidate(IMAGE, { predicateType: SLSA_PROVENANCE_V1, predicate })];
      const result = verifySignatures(candidates, { digest: IMAGE }, { ...POLICY, provenance: { builderId: 'https://github.com/actions/runner/github-hosted', sourceRepository: 'acme/app' } }, sigstore.trust);
      expect(result.signatures[0]?.policyMatched).toContain('provenance');
    });

    it.each([
      { name: 'there is only a plain signature', predicateType: 'https://sigstore.dev/cosign/sign/v1', provenance: { builderId: 'x' }, message: /no verified https:\/\/slsa.dev\/provenance\/v1 attestation/ },
      { name: 'the builder differs', predicateType: SLSA_PROVENANCE_V1, provenance: { builderId: 'https://evil.example/builder' }, message: /builder id .* does not equal/ },
      { name: 'the source repository differs', predicateType: SLSA_PROVENANCE_V1, provenance: { sourceRepository: 'acme/other' }, message: /source repository .* does not match "acme\/other"/ },
    ])('fails when $name', async ({ predicateType, provenance, message }) => {
      const candidates = [await bundleCandidate(IMAGE, { predicateType, predicate })];
      const error = failureOf(() => verifySignatures(candidates, { digest: IMAGE }, { ...POLICY, provenance }, sigstore.trust));
      expect(error.code).toBe('POLICY_NOT_SATISFIED');
      expect(error.message).toMatch(message);
    });
  });

  describe('when the input is malformed', () => {
    it('rejects a digest that is not sha256:<hex> before verifying', () => {
      expect(() => verifySignatures([], { digest: 'latest' }, POLICY, sigstore.trust)).toThrow(ConfigurationError);
      expect(() => verifySignatures([], { digest: 'latest' }, POLICY, sigstore.trust)).toThrow('verify signatures: digest "latest" is not sha256:<64 lowercase hex>');
    });
  });
});

describe('compilePolicy', () => {
  describe('when the input is malformed', () => {
    it.each([
      { name: 'an invalid identity regexp', policy: { certificateIdentityRegexp: 'https://github.com/(acme' }, message: /certificate-identity-regexp "https:\/\/github.com\/\(acme" is not a valid regular expression/ },
      { name: 'an invalid issuer regexp', policy: { certificateIdentity: IDENTITY, certificateOidcIssuerRegexp: '[' }, message: /certificate-oidc-issuer-regexp "\[" is not a valid regular expression/ },
      { name: 'a key that is not PEM', policy: { publicKey: 'ssh-ed25519 AAAA' }, message: /read public key: not a PEM public key/ },
      { name: 'a PEM that is not a key', policy: { publicKey: '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n' }, message: /read public key: not a PEM public key/ },
      { name: 'neither key nor identity', policy: { certificateOidcIssuer: ISSUER }, message: /give a public key, or a certificate identity/ },
      { name: 'both exact and regexp identity', policy: { certificateIdentity: IDENTITY, certificateIdentityRegexp: '.*' }, message: /either certificate-identity or certificate-identity-regexp/ },
      { name: 'a negative threshold', policy: { ...POLICY, thresholds: { tlog: -1 } }, message: /threshold tlog must be a non-negative integer/ },
      { name: 'no timestamp for a certificate identity', policy: { ...POLICY, thresholds: { timestamp: 0 } }, message: /threshold timestamp must be at least 1 for a certificate identity/ },
    ])('throws a ConfigurationError for $name', ({ policy, message }) => {
      expect(() => compilePolicy(policy)).toThrow(ConfigurationError);
      expect(() => compilePolicy(policy)).toThrow(message);
    });
  });

  describe('when the identity is exact', () => {
    it('anchors it and escapes regexp characters', () => {
      const compiled = compilePolicy(POLICY);
      expect(compiled.identity?.pattern.test(IDENTITY)).toBe(true);
      expect(compiled.identity?.pattern.test(`${IDENTITY}x`)).toBe(false);
      expect(compiled.identity?.pattern.test(`x${IDENTITY}`)).toBe(false);
      expect(compiled.identity?.pattern.test(IDENTITY.replace('.yml', 'Xyml'))).toBe(false);
    });
  });

  describe('when the key is Ed25519 or RSA', () => {
    it.each(['ed25519', 'rsa'] as const)('accepts a %s public key', async (type) => {
      const { generateKeyPairSync } = await import('node:crypto');
      const { publicKey } = type === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ed25519');
      expect(compilePolicy({ publicKey: publicKey.export({ format: 'pem', type: 'spki' }).toString() }).kind).toBe('public-key');
    });
  });
});

describe('parseTrustedRoot', () => {
  describe('when a transparency log key has no validFor.start', () => {
    it('rejects the trusted root, naming it', () => {
      const json = structuredClone(sigstore.trustedRootJson) as { tlogs: { publicKey: { validFor?: unknown } }[] };
      delete json.tlogs[0]!.publicKey.validFor;
      expect(() => parseTrustedRoot(json, 'my-root.json')).toThrow(/read trusted root my-root.json: transparency log .* has a key without validFor.start/);
    });
  });

  describe('when the document is not a trusted root', () => {
    it('rejects it', () => {
      expect(() => parseTrustedRoot([], 'x.json')).toThrow('read trusted root x.json: not a JSON object');
      expect(() => parseTrustedRoot({}, 'x.json')).toThrow('read trusted root x.json: no certificate authority and no transparency log');
    });
  });
});
