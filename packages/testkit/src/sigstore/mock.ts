/**
 * A private Sigstore instance for tests, built on `@sigstore/mock`: a Fulcio-like CA (with a CT
 * log for SCTs), a Rekor v1 log and an RFC 3161 TSA, plus the `trusted_root.json` that trusts
 * them. It signs legacy cosign signatures and Sigstore bundles v0.3 for an image digest, so
 * tests exercise sigstore-js verification end to end without the network.
 *
 * The mock Rekor signs whatever entry it is given; for DSSE we give it the `dsse` 0.0.1 body a
 * real Rekor would store (hashes of envelope and payload), which sigstore-js checks.
 */
import { createHash, createPublicKey, generateKeyPairSync, randomInt, sign as cryptoSign, type KeyObject } from 'node:crypto';
import { initializeCA, initializeCTLog, initializeTLog, initializeTSA } from '@sigstore/mock';
import {
  COSIGN_ANNOTATIONS,
  COSIGN_SIMPLESIGNING_MEDIA_TYPE,
  parseTrustedRoot,
  type SignatureCandidate,
  type SigstoreTrust,
} from '@tagwright/core';

type KeyPair = { publicKey: KeyObject; privateKey: KeyObject };

/** GitHub Actions claims written as Fulcio extensions (fulcio `docs/oid-info.md`). */
export interface MockGitHubClaims {
  /** `owner/repo`; written as `.5` (raw) and `.12` (`https://github.com/owner/repo`). */
  repository?: string;
  /** e.g. `refs/tags/v1.2.3`; `.6` and `.14`. */
  ref?: string;
  /** e.g. `push`; `.2` and `.20`. */
  eventName?: string;
  /** Commit of the signing workflow; `.10`. */
  buildSignerDigest?: string;
}

/** Who signs: a certificate identity (keyless) or a key pair (key-based). */
export interface MockSigner {
  /** SAN (a URI: the mock CA writes URI SANs). Default: a GitHub workflow identity. */
  identity?: string;
  /** OIDC issuer written to `.1` and `.8`. Default `https://token.actions.githubusercontent.com`. */
  issuer?: string;
  github?: MockGitHubClaims;
  /** Sign with this key instead of a certificate (key-based signing; see {@link SigstoreMock.generateKey}). */
  key?: { privateKey: KeyObject };
}

/** Options of one signature. */
export interface MockSignOptions extends MockSigner {
  /** Put a transparency-log entry in (default true). */
  tlog?: boolean;
  /** Add an RFC 3161 timestamp (default: only when `tlog` is false). */
  tsa?: boolean;
  /** Replace the simple-signing payload (legacy) with these exact bytes. */
  payload?: Uint8Array;
  /** `critical.identity.docker-reference` of the payload (legacy). */
  dockerReference?: string;
}

/** Options of an in-toto bundle. */
export interface MockBundleOptions extends MockSigner {
  /** Default `https://sigstore.dev/cosign/sign/v1`. */
  predicateType?: string;
  predicate?: unknown;
  /** Subjects; default one subject with the image digest. */
  subjects?: { name: string; digest: Record<string, string> }[];
  /** Transparency-log entry (default true). */
  tlog?: boolean;
  /** RFC 3161 timestamp (default: only when `tlog` is false). */
  tsa?: boolean;
}

/** The private Sigstore instance. */
export interface SigstoreMock {
  /** `trusted_root.json` content trusting this instance. */
  trustedRootJson: Record<string, unknown>;
  /** The same, parsed for `verifySignatures`. */
  trust: SigstoreTrust;
  /** Default identity and issuer of signatures. */
  defaultIdentity: string;
  defaultIssuer: string;
  /** A P-256 key pair for key-based signing; `publicKeyPem` is the `cosign.pub` text. */
  generateKey(): { privateKey: KeyObject; publicKey: KeyObject; publicKeyPem: string };
  /** A legacy cosign signature layer for `digest` (payload + annotations). */
  signLegacy(digest: string, options?: MockSignOptions): Promise<Extract<SignatureCandidate, { format: 'cosign-legacy' }>>;
  /** A Sigstore bundle v0.3 (serialized JSON) with a DSSE in-toto statement about `digest`. */
  signBundle(digest: string, options?: MockBundleOptions): Promise<Record<string, unknown>>;
}

const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';
const DEFAULT_IDENTITY = 'https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.2.3';
const OID = '1.3.6.1.4.1.57264.1';
const SHA256_OID = '2.16.840.1.101.3.4.2.1';

function ecKeyPair(): KeyPair {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' });
}

function spkiDer(key: KeyObject): Uint8Array<ArrayBuffer> {
  return new Uint8Array(key.export({ format: 'der', type: 'spki' }));
}

/** A Buffer over any byte view (the mock returns `ArrayBufferView`s). */
function buf(view: ArrayBufferView): Buffer {
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}

function toPem(der: Uint8Array, label: string): string {
  const b64 = Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n');
  return `-----BEGIN ${label}-----\n${b64}${b64.endsWith('\n') ? '' : '\n'}-----END ${label}-----\n`;
}

function extensionsFor(signer: MockSigner, issuer: string) {
  const ext: { oid: string; value: string; legacy?: boolean }[] = [
    { oid: `${OID}.1`, value: issuer, legacy: true },
    { oid: `${OID}.8`, value: issuer },
  ];
  const gh = signer.github;
  if (gh?.repository) {
    ext.push({ oid: `${OID}.5`, value: gh.repository, legacy: true });
    ext.push({ oid: `${OID}.12`, value: `https://github.com/${gh.repository}` });
  }
  if (gh?.ref) {
    ext.push({ oid: `${OID}.6`, value: gh.ref, legacy: true });
    ext.push({ oid: `${OID}.14`, value: gh.ref });
  }
  if (gh?.eventName) {
    ext.push({ oid: `${OID}.2`, value: gh.eventName, legacy: true });
    ext.push({ oid: `${OID}.20`, value: gh.eventName });
  }
  if (gh?.buildSignerDigest) ext.push({ oid: `${OID}.10`, value: gh.buildSignerDigest });
  return ext;
}

/** DSSE pre-authentication encoding ({@link https://github.com/secure-systems-lab/dsse/blob/master/protocol.md}). */
function pae(payloadType: string, payload: Buffer): Buffer {
  return Buffer.concat([
    Buffer.from(`DSSEv1 ${Buffer.byteLength(payloadType)} ${payloadType} ${payload.length} `),
    payload,
  ]);
}

/**
 * Starts a private Sigstore instance (in memory; no process, no port).
 *
 * @param options - `clock`: the time certificates, log entries and timestamps carry (default:
 *   one second past the next whole second, so it lies inside the mock roots' validity).
 */
export async function createSigstoreMock(options: { clock?: Date } = {}): Promise<SigstoreMock> {
  const clock = options.clock ?? new Date(Math.floor(Date.now() / 1000) * 1000 + 2000);
  const start = new Date(clock.getTime() - 24 * 3600 * 1000).toISOString();
  const ctKeys = ecKeyPair();
  const ctLog = await initializeCTLog(ctKeys, clock);
  const ca = await initializeCA(ecKeyPair(), ctLog, clock);
  const tlogKeys = ecKeyPair();
  const tlog = await initializeTLog('https://rekor.mock.tagwright.test', tlogKeys, clock);
  const tsa = await initializeTSA(ecKeyPair(), clock);
  const logKeyId = createHash('sha256').update(buf(tlog.publicKey)).digest();

  const trustedRootJson: Record<string, unknown> = {
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [
      {
        baseUrl: 'https://rekor.mock.tagwright.test',
        hashAlgorithm: 'SHA2_256',
        publicKey: {
          rawBytes: buf(tlog.publicKey).toString('base64'),
          keyDetails: 'PKIX_ECDSA_P256_SHA_256',
          validFor: { start },
        },
        logId: { keyId: logKeyId.toString('base64') },
      },
    ],
    certificateAuthorities: [
      {
        subject: { organization: 'tagwright.test', commonName: 'mock fulcio' },
        uri: 'https://fulcio.mock.tagwright.test',
        certChain: { certificates: [{ rawBytes: buf(ca.rootCertificate).toString('base64') }] },
        validFor: { start },
      },
    ],
    ctlogs: [
      {
        baseUrl: 'https://ctfe.mock.tagwright.test',
        hashAlgorithm: 'SHA2_256',
        publicKey: {
          rawBytes: buf(ctLog.publicKey).toString('base64'),
          keyDetails: 'PKIX_ECDSA_P256_SHA_256',
          validFor: { start },
        },
        logId: { keyId: buf(ctLog.logID).toString('base64') },
      },
    ],
    timestampAuthorities: [
      {
        subject: { organization: 'tagwright.test', commonName: 'mock tsa' },
        uri: 'https://tsa.mock.tagwright.test',
        certChain: {
          certificates: [
            { rawBytes: buf(tsa.intCertificate).toString('base64') },
            { rawBytes: buf(tsa.rootCertificate).toString('base64') },
          ],
        },
        validFor: { start },
      },
    ],
  };
  const trust = parseTrustedRoot(trustedRootJson, 'sigstore mock', 'given');

  /** Key and verification material of a signer: a Fulcio certificate, or a bare key. */
  async function signerMaterial(signer: MockSigner) {
    if (signer.key) return { privateKey: signer.key.privateKey, certificate: undefined as Buffer | undefined };
    const keys = ecKeyPair();
    const certificate = buf(
      await ca.issueCertificate({
        publicKey: spkiDer(keys.publicKey),
        subjectAltName: signer.identity ?? DEFAULT_IDENTITY,
        extensions: extensionsFor(signer, signer.issuer ?? GITHUB_ISSUER),
      }),
    );
    return { privateKey: keys.privateKey, certificate };
  }

  async function logEntry(body: object) {
    const entries = await tlog.log(body);
    const entry = Object.values(entries)[0] as {
      body: string;
      integratedTime: number;
      logID: string;
      logIndex: number;
      verification: {
        signedEntryTimestamp: string;
        inclusionProof: { logIndex: number; treeSize: number; rootHash: string; hashes: string[]; checkpoint: string };
      };
    };
    return entry;
  }

  async function timestamp(signature: Buffer): Promise<string> {
    const response = await tsa.timestamp({
      artifactHash: createHash('sha256').update(signature).digest(),
      hashAlgorithmOID: SHA256_OID,
      nonce: randomInt(1_000_000),
      policyOID: '1.2.3.4',
      certReq: false,
    });
    return buf(response).toString('base64');
  }

  return {
    trustedRootJson,
    trust,
    defaultIdentity: DEFAULT_IDENTITY,
    defaultIssuer: GITHUB_ISSUER,

    generateKey() {
      const keys = ecKeyPair();
      return { ...keys, publicKeyPem: keys.publicKey.export({ format: 'pem', type: 'spki' }).toString() };
    },

    async signLegacy(digest, opts = {}) {
      const payload =
        opts.payload ??
        Buffer.from(
          JSON.stringify({
            critical: {
              identity: { 'docker-reference': opts.dockerReference ?? 'registry.test/acme/app' },
              image: { 'docker-manifest-digest': digest },
              type: 'cosign container image signature',
            },
            optional: null,
          }),
        );
      const { privateKey, certificate } = await signerMaterial(opts);
      const signature = cryptoSign('sha256', payload, privateKey);
      const annotations: Record<string, string> = { [COSIGN_ANNOTATIONS.signature]: signature.toString('base64') };
      const certificatePem = certificate ? toPem(certificate, 'CERTIFICATE') : undefined;
      if (certificatePem) {
        annotations[COSIGN_ANNOTATIONS.certificate] = certificatePem;
        annotations[COSIGN_ANNOTATIONS.chain] = toPem(buf(ca.rootCertificate), 'CERTIFICATE');
      }
      if (opts.tlog ?? true) {
        const verifierPem = certificatePem ?? derivePublicPem(privateKey);
        const entry = await logEntry({
          apiVersion: '0.0.1',
          kind: 'hashedrekord',
          spec: {
            data: { hash: { algorithm: 'sha256', value: createHash('sha256').update(payload).digest('hex') } },
            signature: { content: signature.toString('base64'), publicKey: { content: Buffer.from(verifierPem).toString('base64') } },
          },
        });
        annotations[COSIGN_ANNOTATIONS.bundle] = JSON.stringify({
          SignedEntryTimestamp: entry.verification.signedEntryTimestamp,
          Payload: { body: entry.body, integratedTime: entry.integratedTime, logIndex: entry.logIndex, logID: entry.logID },
        });
      }
      if (opts.tsa ?? !(opts.tlog ?? true)) {
        annotations[COSIGN_ANNOTATIONS.rfc3161Timestamp] = JSON.stringify({ SignedRFC3161TimestampToken: await timestamp(signature) });
      }
      return { format: 'cosign-legacy', source: 'sigstore mock', mediaType: COSIGN_SIMPLESIGNING_MEDIA_TYPE, payload, annotations };
    },

    async signBundle(digest, opts = {}) {
      const statement = {
        _type: 'https://in-toto.io/Statement/v1',
        subject: opts.subjects ?? [{ name: 'registry.test/acme/app', digest: { sha256: digest.replace(/^sha256:/, '') } }],
        predicateType: opts.predicateType ?? 'https://sigstore.dev/cosign/sign/v1',
        predicate: opts.predicate ?? {},
      };
      const payloadType = 'application/vnd.in-toto+json';
      const payload = Buffer.from(JSON.stringify(statement));
      const { privateKey, certificate } = await signerMaterial(opts);
      const signature = cryptoSign('sha256', pae(payloadType, payload), privateKey);
      const envelope = {
        payload: payload.toString('base64'),
        payloadType,
        signatures: [{ sig: signature.toString('base64'), keyid: '' }],
      };
      const verifierPem = certificate ? toPem(certificate, 'CERTIFICATE') : derivePublicPem(privateKey);
      const tlogEntries: unknown[] = [];
      if (opts.tlog ?? true) {
        const envelopeJson = JSON.stringify(envelope);
        const entry = await logEntry({
          apiVersion: '0.0.1',
          kind: 'dsse',
          spec: {
            envelopeHash: { algorithm: 'sha256', value: createHash('sha256').update(envelopeJson).digest('hex') },
            payloadHash: { algorithm: 'sha256', value: createHash('sha256').update(payload).digest('hex') },
            signatures: [{ signature: signature.toString('base64'), verifier: Buffer.from(verifierPem).toString('base64') }],
          },
        });
        const proof = entry.verification.inclusionProof;
        tlogEntries.push({
          logIndex: String(entry.logIndex),
          logId: { keyId: Buffer.from(entry.logID, 'hex').toString('base64') },
          kindVersion: { kind: 'dsse', version: '0.0.1' },
          integratedTime: String(entry.integratedTime),
          inclusionPromise: { signedEntryTimestamp: entry.verification.signedEntryTimestamp },
          inclusionProof: {
            logIndex: String(proof.logIndex),
            rootHash: Buffer.from(proof.rootHash, 'hex').toString('base64'),
            treeSize: String(proof.treeSize),
            hashes: proof.hashes,
            checkpoint: { envelope: proof.checkpoint },
          },
          canonicalizedBody: entry.body,
        });
      }
      const verificationMaterial: Record<string, unknown> = certificate
        ? { certificate: { rawBytes: certificate.toString('base64') } }
        : { publicKey: { hint: '' } };
      verificationMaterial.tlogEntries = tlogEntries;
      if (opts.tsa ?? !(opts.tlog ?? true)) {
        verificationMaterial.timestampVerificationData = { rfc3161Timestamps: [{ signedTimestamp: await timestamp(signature) }] };
      }
      return {
        mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
        verificationMaterial,
        dsseEnvelope: envelope,
      };
    },
  };
}

function derivePublicPem(privateKey: KeyObject): string {
  return createPublicKey(privateKey).export({ format: 'pem', type: 'spki' }).toString();
}

/** A Sigstore test instance with its `trusted_root.json` written to a temp file, as an action input. */
export interface SigstoreMockWithTrustedRoot {
  sigstore: SigstoreMock;
  /** Path of the `trusted_root.json` trusting `sigstore`. */
  trustedRoot: string;
  /** Removes the temp directory. */
  dispose(): Promise<void>;
}

/**
 * {@link createSigstoreMock} plus its trusted root in a temp file, for the `trusted-root` input of
 * promote and rollback.
 */
export async function createSigstoreMockWithTrustedRoot(options: { clock?: Date } = {}): Promise<SigstoreMockWithTrustedRoot> {
  const { mkdtemp, rm, writeFile } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const path = await import('node:path');
  const [sigstore, dir] = await Promise.all([createSigstoreMock(options), mkdtemp(path.join(tmpdir(), 'tw-trust-'))]);
  const trustedRoot = path.join(dir, 'trusted_root.json');
  await writeFile(trustedRoot, JSON.stringify(sigstore.trustedRootJson));
  return { sigstore, trustedRoot, dispose: () => rm(dir, { recursive: true, force: true }) };
}
