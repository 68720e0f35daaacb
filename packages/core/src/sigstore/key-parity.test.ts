import type { KeyObject } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createSigstoreMock, signLegacyAttestation, type SigstoreMock } from '@tagwright/testkit';
import { ConfigurationError } from '../errors.js';
import { compilePolicy } from './policy.js';
import { loadTrust } from './trust-loader.js';
import { SLSA_PROVENANCE_V1, SignatureVerificationError, type SignatureCandidate, type SignaturePolicy } from './types.js';
import { verifySignatures } from './verify.js';

const IMAGE = `sha256:${'a'.repeat(64)}`;
const OTHER_IMAGE = `sha256:${'b'.repeat(64)}`;
const PREDICATE = {
  buildDefinition: { buildType: 'https://example.com/forgejo-actions/v1', externalParameters: { workflow: { repository: 'https://code.example/acme/app', ref: 'refs/tags/v0.1.0' } } },
  runDetails: { builder: { id: 'https://code.example/acme/app/.forgejo/workflows/release.yml' } },
};

let sigstore: SigstoreMock;
beforeAll(async () => {
  sigstore = await createSigstoreMock();
});

function failureOf(run: () => unknown): SignatureVerificationError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(SignatureVerificationError);
    return error as SignatureVerificationError;
  }
  throw new Error('expected verification to fail');
}

function legacyAttestation(digest: string, privateKey: KeyObject, options: { predicate?: unknown; subjectDigest?: string } = {}) {
  return signLegacyAttestation(digest, privateKey, { predicate: PREDICATE, ...options });
}

describe('verifySignatures with a public key (cosign parity)', () => {
  describe('when a key-based signature has no transparency-log entry', () => {
    it('refuses it by default, saying it has no log entry and naming insecure-ignore-tlog', async () => {
      const key = sigstore.generateKey();
      const signature = await sigstore.signLegacy(IMAGE, { key, tlog: false, tsa: false });
      const error = failureOf(() => verifySignatures([signature], { digest: IMAGE }, { publicKey: key.publicKeyPem }, sigstore.trust));
      expect(error.code).toBe('NO_LOG_ENTRY');
      expect(error.failures[0]?.message).toMatch(/^the signature has no transparency-log entry .*set insecure-ignore-tlog: true/);
    });

    it('accepts it with insecureIgnoreTlog, reporting no log entry', async () => {
      const key = sigstore.generateKey();
      const signature = await sigstore.signLegacy(IMAGE, { key, tlog: false, tsa: false });
      const result = verifySignatures([signature], { digest: IMAGE }, { publicKey: key.publicKeyPem, insecureIgnoreTlog: true }, sigstore.trust);
      expect(result.signatures).toEqual([{ format: 'cosign-legacy', source: 'sigstore mock', policyMatched: ['signature', 'publicKey', 'digest'] }]);
    });

    it('accepts a key-signed v0.3 bundle without a log entry only with insecureIgnoreTlog', async () => {
      const key = sigstore.generateKey();
      const candidate: SignatureCandidate = { format: 'bundle-v0.3', source: 'referrer test', bundle: await sigstore.signBundle(IMAGE, { key, tlog: false, tsa: false }) };
      expect(failureOf(() => verifySignatures([candidate], { digest: IMAGE }, { publicKey: key.publicKeyPem }, sigstore.trust)).code).toBe('NO_LOG_ENTRY');
      expect(verifySignatures([candidate], { digest: IMAGE }, { publicKey: key.publicKeyPem, insecureIgnoreTlog: true }, sigstore.trust).verified).toBe(true);
    });

    it('still verifies a key-based signature that has a log entry, with or without the option', async () => {
      const key = sigstore.generateKey();
      const signature = await sigstore.signLegacy(IMAGE, { key });
      for (const insecureIgnoreTlog of [false, true]) {
        const result = verifySignatures([signature], { digest: IMAGE }, { publicKey: key.publicKeyPem, insecureIgnoreTlog }, sigstore.trust);
        expect(result.signatures[0]?.policyMatched).toEqual(['signature', 'transparencyLog', 'publicKey', 'digest']);
      }
    });
  });

  describe('when the refusal has a more specific reason than the missing log entry', () => {
    it.each([false, true])('says a tampered signature does not verify (insecureIgnoreTlog: %s)', async (insecureIgnoreTlog) => {
      const key = sigstore.generateKey();
      const signature = await sigstore.signLegacy(IMAGE, { key, tlog: false, tsa: false });
      const payload = Buffer.from(signature.payload).toString('utf8').replace('registry.test/acme/app', 'registry.test/acme/evil');
      const tampered = { ...signature, payload: Buffer.from(payload) };
      const error = failureOf(() => verifySignatures([tampered], { digest: IMAGE }, { publicKey: key.publicKeyPem, insecureIgnoreTlog }, sigstore.trust));
      expect(error.code).toBe('BAD_SIGNATURE');
      expect(error.failures[0]?.message).toMatch(/^the signature does not verify with the given public key/);
    });

    it('says a signature made for another digest is a digest mismatch', async () => {
      const key = sigstore.generateKey();
      const signature = await sigstore.signLegacy(OTHER_IMAGE, { key, tlog: false, tsa: false });
      const error = failureOf(() => verifySignatures([signature], { digest: IMAGE }, { publicKey: key.publicKeyPem }, sigstore.trust));
      expect(error.code).toBe('DIGEST_MISMATCH');
      expect(error.failures[0]?.message).toBe(`payload is for ${OTHER_IMAGE}, not ${IMAGE}`);
    });

    it('says a signature without a log entry made with another key was made with a different key', async () => {
      const signature = await sigstore.signLegacy(IMAGE, { key: sigstore.generateKey(), tlog: false, tsa: false });
      const error = failureOf(() => verifySignatures([signature], { digest: IMAGE }, { publicKey: sigstore.generateKey().publicKeyPem }, sigstore.trust));
      expect(error.code).toBe('BAD_SIGNATURE');
      expect(error.failures[0]?.message).toMatch(/made with a different key/);
      expect(error.failures[0]?.message).not.toMatch(/no transparency-log entry/);
    });

    it('says a logged signature of another key names another key', async () => {
      const signature = await sigstore.signLegacy(IMAGE, { key: sigstore.generateKey() });
      const error = failureOf(() => verifySignatures([signature], { digest: IMAGE }, { publicKey: sigstore.generateKey().publicKeyPem }, sigstore.trust));
      expect(error.failures[0]?.message).toBe('signed with a different key: the transparency-log entry names another public key than the one given');
    });
  });

  describe('when the option is combined wrongly', () => {
    it.each<[string, SignaturePolicy, RegExp]>([
      ['a certificate identity (keyless)', { certificateIdentity: 'https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1', insecureIgnoreTlog: true }, /insecure-ignore-tlog accepts only key-based signatures/],
      ['a required log entry', { publicKey: 'PEM', requireTlog: true, insecureIgnoreTlog: true }, /insecure-ignore-tlog contradicts a required transparency-log entry/],
    ])('refuses it with %s before anything is verified', (_name, policy, message) => {
      const withKey = policy.publicKey ? { ...policy, publicKey: sigstore.generateKey().publicKeyPem } : policy;
      expect(() => compilePolicy(withKey)).toThrow(ConfigurationError);
      expect(() => compilePolicy(withKey)).toThrow(message);
    });
  });

  describe('when SLSA provenance is in cosign’s legacy attestation layout (.att)', () => {
    it('verifies it like the bundle referrer form and satisfies a provenance policy', async () => {
      const key = sigstore.generateKey();
      const signature = await sigstore.signLegacy(IMAGE, { key, tlog: false, tsa: false });
      const attestation = legacyAttestation(IMAGE, key.privateKey);
      const policy: SignaturePolicy = {
        publicKey: key.publicKeyPem,
        insecureIgnoreTlog: true,
        provenance: { builderId: PREDICATE.runDetails.builder.id, sourceRepository: 'acme/app' },
      };
      const result = verifySignatures([signature, attestation], { digest: IMAGE }, policy, sigstore.trust);
      expect(result.signatures[1]).toEqual({
        format: 'cosign-attestation',
        source: `tag sha256-${'a'.repeat(64)}.att layer 0`,
        predicateType: SLSA_PROVENANCE_V1,
        policyMatched: ['signature', 'publicKey', 'digest', 'provenance'],
      });
    });

    it('refuses an attestation about another digest as a digest mismatch', async () => {
      const key = sigstore.generateKey();
      const attestation = legacyAttestation(IMAGE, key.privateKey, { subjectDigest: OTHER_IMAGE });
      const error = failureOf(() => verifySignatures([attestation], { digest: IMAGE }, { publicKey: key.publicKeyPem, insecureIgnoreTlog: true }, sigstore.trust));
      expect(error.code).toBe('DIGEST_MISMATCH');
    });

    it('refuses an attestation without a log entry by default, naming insecure-ignore-tlog', async () => {
      const key = sigstore.generateKey();
      const error = failureOf(() => verifySignatures([legacyAttestation(IMAGE, key.privateKey)], { digest: IMAGE }, { publicKey: key.publicKeyPem }, sigstore.trust));
      expect(error.code).toBe('NO_LOG_ENTRY');
      expect(error.message).toMatch(/insecure-ignore-tlog/);
    });

    it('refuses an attestation of another key', async () => {
      const attestation = legacyAttestation(IMAGE, sigstore.generateKey().privateKey);
      const error = failureOf(() => verifySignatures([attestation], { digest: IMAGE }, { publicKey: sigstore.generateKey().publicKeyPem, insecureIgnoreTlog: true }, sigstore.trust));
      expect(error.code).toBe('BAD_SIGNATURE');
    });

    it('says provenance is missing when the attestation does not match the policy', async () => {
      const key = sigstore.generateKey();
      const attestation = legacyAttestation(IMAGE, key.privateKey);
      const error = failureOf(() =>
        verifySignatures([attestation], { digest: IMAGE }, { publicKey: key.publicKeyPem, insecureIgnoreTlog: true, provenance: { builderId: 'https://other.example/builder' } }, sigstore.trust),
      );
      expect(error.code).toBe('POLICY_NOT_SATISFIED');
      expect(error.message).toMatch(/builder id .* does not equal "https:\/\/other\.example\/builder"/);
    });

    it('verifies a keyless .att (certificate and RFC 3161 timestamp in annotations) against a certificate identity', async () => {
      // The layout cosign writes for a keyless attestation, built from a bundle of the same instance.
      const bundle = (await sigstore.signBundle(IMAGE, { predicateType: SLSA_PROVENANCE_V1, predicate: PREDICATE, tlog: false, tsa: true })) as {
        dsseEnvelope: unknown;
        verificationMaterial: { certificate: { rawBytes: string }; timestampVerificationData: { rfc3161Timestamps: Array<{ signedTimestamp: string }> } };
      };
      const der = bundle.verificationMaterial.certificate.rawBytes.replace(/(.{64})/g, '$1\n');
      const attestation: SignatureCandidate = {
        format: 'cosign-attestation',
        source: 'tag keyless.att layer 0',
        mediaType: 'application/vnd.dsse.envelope.v1+json',
        envelope: Buffer.from(JSON.stringify(bundle.dsseEnvelope)),
        annotations: {
          'dev.cosignproject.cosign/signature': '',
          predicateType: SLSA_PROVENANCE_V1,
          'dev.sigstore.cosign/certificate': `-----BEGIN CERTIFICATE-----\n${der}\n-----END CERTIFICATE-----\n`,
          'dev.sigstore.cosign/rfc3161timestamp': JSON.stringify({ SignedRFC3161TimestampToken: bundle.verificationMaterial.timestampVerificationData.rfc3161Timestamps[0]!.signedTimestamp }),
        },
      };
      const policy: SignaturePolicy = { certificateIdentity: sigstore.defaultIdentity, certificateOidcIssuer: sigstore.defaultIssuer, requireTlog: false, provenance: {} };
      const result = verifySignatures([attestation], { digest: IMAGE }, policy, sigstore.trust);
      expect(result.signatures[0]).toMatchObject({
        format: 'cosign-attestation',
        signerIdentity: sigstore.defaultIdentity,
        policyMatched: ['signature', 'timestamp', 'certificateIdentity', 'certificateOidcIssuer', 'digest', 'provenance'],
      });
    });

    it('refuses a layer that is not a DSSE envelope as malformed', async () => {
      const key = sigstore.generateKey();
      const attestation = { ...legacyAttestation(IMAGE, key.privateKey), envelope: Buffer.from('not json') };
      const error = failureOf(() => verifySignatures([attestation], { digest: IMAGE }, { publicKey: key.publicKeyPem, insecureIgnoreTlog: true }, sigstore.trust));
      expect(error.failures[0]).toMatchObject({ code: 'BAD_SIGNATURE', message: expect.stringMatching(/^malformed attestation: /) });
    });
  });
});

describe('loadTrust with a key-based policy', () => {
  it('attempts no TUF update and warns of nothing', async () => {
    const key = sigstore.generateKey();
    for (const insecureIgnoreTlog of [false, true]) {
      const trust = await loadTrust({ instance: 'public-good', timeoutMs: 1 }, { policy: compilePolicy({ publicKey: key.publicKeyPem, insecureIgnoreTlog }) });
      expect(trust.origin).toBe('embedded-seed');
      expect(trust.warnings).toEqual([]);
      expect(trust.description).toMatch(/no TUF update \(a public key was given/);
    }
  });

  it('still uses the embedded log keys for a logged key signature', async () => {
    const trust = await loadTrust({ instance: 'public-good' }, { policy: { kind: 'public-key' } });
    expect(trust.trustedRoot.tlogs.map((t) => t.baseUrl)).toContain('https://rekor.sigstore.dev');
  });
});
