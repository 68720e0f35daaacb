/**
 * Legacy cosign signatures (`sha256-<hex>.sig` tags, simple-signing layers) as Sigstore
 * bundles v0.1, so that sigstore-js verifies them. The same conversion sigstore-go's
 * `examples/oci-image-verification` does. Pure.
 *
 * Legacy Rekor SETs carry no inclusion proof, which is why the bundle is v0.1 (the SET
 * becomes the `inclusionPromise`).
 *
 * @packageDocumentation
 */
import { createHash } from 'node:crypto';
import { bundleFromJSON, type Bundle } from '@sigstore/bundle';
import { pem } from '@sigstore/core';
import { COSIGN_ANNOTATIONS, COSIGN_SIGNATURE_TYPE } from './types.js';

/** Thrown by the converters; the verifier turns it into a per-signature failure. */
export class MalformedSignatureError extends Error {
  override name = 'MalformedSignatureError';
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function strictBase64(value: string, what: string): string {
  const compact = value.replace(/\s+/g, '');
  if (compact.length === 0 || compact.length % 4 !== 0 || !BASE64.test(compact)) {
    throw new MalformedSignatureError(`${what} is not base64`);
  }
  return compact;
}

interface CosignRekorBundle {
  SignedEntryTimestamp: string;
  Payload: { body: string; integratedTime: number; logIndex: number; logID: string };
}

function parseRekorBundle(text: string): CosignRekorBundle {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new MalformedSignatureError(`annotation ${COSIGN_ANNOTATIONS.bundle} is not JSON`);
  }
  const b = json as Partial<CosignRekorBundle> | null;
  const p = b?.Payload;
  if (
    !b ||
    typeof b.SignedEntryTimestamp !== 'string' ||
    !p ||
    typeof p.body !== 'string' ||
    typeof p.integratedTime !== 'number' ||
    typeof p.logIndex !== 'number' ||
    typeof p.logID !== 'string'
  ) {
    throw new MalformedSignatureError(`annotation ${COSIGN_ANNOTATIONS.bundle} is not a Rekor SET bundle`);
  }
  return b as CosignRekorBundle;
}

/**
 * Converts one legacy cosign signature layer to a Sigstore bundle v0.1.
 *
 * @param payload - the simple-signing payload bytes (the layer blob).
 * @param annotations - the layer annotations.
 * @param keyMode - `true` to carry a public-key hint instead of the certificate (key-based policy).
 * @returns the bundle and the Rekor log index/time when there is a SET.
 * @throws MalformedSignatureError when an annotation is missing or malformed.
 */
export function legacyToBundle(
  payload: Uint8Array,
  annotations: Record<string, string>,
  keyMode: boolean,
): { bundle: Bundle; logIndex?: number; integratedTime?: Date } {
  const signature = annotations[COSIGN_ANNOTATIONS.signature];
  if (signature === undefined) {
    throw new MalformedSignatureError(`annotation ${COSIGN_ANNOTATIONS.signature} is missing`);
  }
  const sig64 = strictBase64(signature, `annotation ${COSIGN_ANNOTATIONS.signature}`);
  const material = materialFromAnnotations(annotations, keyMode);
  return toBundle(material, {
    messageSignature: {
      messageDigest: { algorithm: 'SHA2_256', digest: createHash('sha256').update(payload).digest('base64') },
      signature: sig64,
    },
  });
}

/**
 * Converts one legacy cosign attestation layer (`sha256-<hex>.att`, written by
 * `cosign attest --key … --type slsaprovenance1`) to a Sigstore bundle v0.1 with a DSSE envelope.
 * The layer blob is the DSSE envelope JSON; its `dev.cosignproject.cosign/signature` annotation is
 * empty (the signature is in the envelope); the Rekor SET, certificate and RFC 3161 timestamp are in
 * the same annotations as for a signature.
 *
 * @param envelope - the layer blob: DSSE envelope JSON bytes.
 * @param annotations - the layer annotations.
 * @param keyMode - `true` to carry a public-key hint instead of the certificate (key-based policy).
 * @returns the bundle, the in-toto statement bytes, and the Rekor log index/time when there is a SET.
 * @throws MalformedSignatureError when the envelope or an annotation is malformed.
 */
export function legacyAttestationToBundle(
  envelope: Uint8Array,
  annotations: Record<string, string>,
  keyMode: boolean,
): { bundle: Bundle; payloadType: string; payload: Buffer; logIndex?: number; integratedTime?: Date } {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(envelope).toString('utf8'));
  } catch {
    throw new MalformedSignatureError('the attestation layer is not a DSSE envelope (not JSON)');
  }
  const e = json as { payloadType?: unknown; payload?: unknown; signatures?: unknown } | null;
  if (!e || typeof e.payloadType !== 'string' || typeof e.payload !== 'string' || !Array.isArray(e.signatures) || e.signatures.length === 0) {
    throw new MalformedSignatureError('the attestation layer is not a DSSE envelope (payloadType, payload, signatures)');
  }
  const signatures = (e.signatures as unknown[]).map((entry, i) => {
    const sig = (entry as { sig?: unknown } | null)?.sig;
    const keyid = (entry as { keyid?: unknown } | null)?.keyid;
    if (typeof sig !== 'string') throw new MalformedSignatureError(`DSSE signature ${i} has no sig`);
    return { sig: strictBase64(sig, `DSSE signature ${i}`), keyid: typeof keyid === 'string' ? keyid : '' };
  });
  const payload64 = strictBase64(e.payload, 'DSSE payload');
  const material = materialFromAnnotations(annotations, keyMode);
  const converted = toBundle(material, { dsseEnvelope: { payload: payload64, payloadType: e.payloadType, signatures } });
  return { ...converted, payloadType: e.payloadType, payload: Buffer.from(payload64, 'base64') };
}

interface Material {
  verificationContent: Record<string, unknown>;
  tlogEntries: unknown[];
  rfc3161Timestamps: unknown[];
  logIndex?: number;
  integratedTime?: Date;
}

/** The verification material of a legacy cosign layer: certificate or key hint, Rekor SET, RFC 3161 timestamp. */
function materialFromAnnotations(annotations: Record<string, string>, keyMode: boolean): Material {
  const certificate = annotations[COSIGN_ANNOTATIONS.certificate];
  let verificationContent: Record<string, unknown>;
  if (keyMode || certificate === undefined || certificate.trim() === '') {
    verificationContent = { publicKey: { hint: '' } };
  } else {
    let der: Buffer;
    try {
      der = pem.toDER(certificate);
    } catch {
      throw new MalformedSignatureError(`annotation ${COSIGN_ANNOTATIONS.certificate} is not a PEM certificate`);
    }
    if (der.length === 0) throw new MalformedSignatureError(`annotation ${COSIGN_ANNOTATIONS.certificate} is empty`);
    verificationContent = { x509CertificateChain: { certificates: [{ rawBytes: der.toString('base64') }] } };
  }

  const material: Material = { verificationContent, tlogEntries: [], rfc3161Timestamps: [] };
  const rekor = annotations[COSIGN_ANNOTATIONS.bundle];
  if (rekor !== undefined && rekor.trim() !== '') {
    const set = parseRekorBundle(rekor);
    const body64 = strictBase64(set.Payload.body, 'Rekor entry body');
    let body: { kind?: unknown; apiVersion?: unknown };
    try {
      body = JSON.parse(Buffer.from(body64, 'base64').toString('utf8')) as typeof body;
    } catch {
      throw new MalformedSignatureError('Rekor entry body is not JSON');
    }
    if (typeof body.kind !== 'string' || typeof body.apiVersion !== 'string') {
      throw new MalformedSignatureError('Rekor entry body has no kind/apiVersion');
    }
    if (!/^[0-9a-f]{64}$/i.test(set.Payload.logID)) {
      throw new MalformedSignatureError('Rekor logID is not a hex SHA-256');
    }
    material.tlogEntries.push({
      logIndex: String(set.Payload.logIndex),
      logId: { keyId: Buffer.from(set.Payload.logID, 'hex').toString('base64') },
      kindVersion: { kind: body.kind, version: body.apiVersion },
      integratedTime: String(set.Payload.integratedTime),
      inclusionPromise: { signedEntryTimestamp: strictBase64(set.SignedEntryTimestamp, 'Rekor SignedEntryTimestamp') },
      canonicalizedBody: body64,
    });
    material.logIndex = set.Payload.logIndex;
    material.integratedTime = new Date(set.Payload.integratedTime * 1000);
  }

  const tsa = annotations[COSIGN_ANNOTATIONS.rfc3161Timestamp];
  if (tsa !== undefined && tsa.trim() !== '') {
    let token: unknown;
    try {
      token = (JSON.parse(tsa) as { SignedRFC3161TimestampToken?: unknown }).SignedRFC3161TimestampToken;
    } catch {
      throw new MalformedSignatureError(`annotation ${COSIGN_ANNOTATIONS.rfc3161Timestamp} is not JSON`);
    }
    if (typeof token !== 'string') {
      throw new MalformedSignatureError(`annotation ${COSIGN_ANNOTATIONS.rfc3161Timestamp} has no SignedRFC3161TimestampToken`);
    }
    material.rfc3161Timestamps.push({ signedTimestamp: strictBase64(token, 'RFC 3161 timestamp') });
  }
  return material;
}

function toBundle(material: Material, content: Record<string, unknown>): { bundle: Bundle; logIndex?: number; integratedTime?: Date } {
  const serialized = {
    mediaType: 'application/vnd.dev.sigstore.bundle+json;version=0.1',
    verificationMaterial: {
      ...material.verificationContent,
      tlogEntries: material.tlogEntries,
      ...(material.rfc3161Timestamps.length > 0 ? { timestampVerificationData: { rfc3161Timestamps: material.rfc3161Timestamps } } : {}),
    },
    ...content,
  };
  let bundle: Bundle;
  try {
    bundle = bundleFromJSON(serialized);
  } catch (error) {
    throw new MalformedSignatureError(`cannot form a bundle: ${error instanceof Error ? error.message : String(error)}`);
  }
  return {
    bundle,
    ...(material.logIndex !== undefined ? { logIndex: material.logIndex } : {}),
    ...(material.integratedTime !== undefined ? { integratedTime: material.integratedTime } : {}),
  };
}

/**
 * The public key a legacy Rekor entry names (hashedrekord `spec.signature.publicKey.content`, PEM,
 * base64), or undefined when the layer has no entry or the entry names none. Lets a refusal say
 * "signed with a different key" rather than only "does not verify".
 */
export function rekorPublicKeyPem(annotations: Record<string, string>): string | undefined {
  const rekor = annotations[COSIGN_ANNOTATIONS.bundle];
  if (rekor === undefined || rekor.trim() === '') return undefined;
  try {
    const set = parseRekorBundle(rekor);
    const body = JSON.parse(Buffer.from(set.Payload.body, 'base64').toString('utf8')) as {
      spec?: { signature?: { publicKey?: { content?: unknown } } };
    };
    const content = body.spec?.signature?.publicKey?.content;
    return typeof content === 'string' ? Buffer.from(content, 'base64').toString('utf8') : undefined;
  } catch {
    return undefined;
  }
}

/** The fields of a simple-signing payload that verification checks. */
export interface SimpleSigningPayload {
  type: string;
  dockerManifestDigest: string;
  dockerReference?: string;
}

/**
 * Parses a cosign simple-signing payload
 * ({@link https://github.com/containers/image/blob/main/docs/containers-signature.5.md | containers-signature(5)}).
 *
 * @throws MalformedSignatureError when it is not JSON or lacks `critical.image.docker-manifest-digest`.
 */
export function parseSimpleSigningPayload(payload: Uint8Array): SimpleSigningPayload {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(payload).toString('utf8'));
  } catch {
    throw new MalformedSignatureError('the simple-signing payload is not JSON');
  }
  const critical = (json as { critical?: Record<string, unknown> } | null)?.critical;
  const image = critical?.image as Record<string, unknown> | undefined;
  const identity = critical?.identity as Record<string, unknown> | undefined;
  const digest = image?.['docker-manifest-digest'];
  const type = critical?.type;
  if (typeof digest !== 'string' || typeof type !== 'string') {
    throw new MalformedSignatureError('the simple-signing payload has no critical.type or critical.image.docker-manifest-digest');
  }
  const ref = identity?.['docker-reference'];
  return { type, dockerManifestDigest: digest, ...(typeof ref === 'string' ? { dockerReference: ref } : {}) };
}

/** True when `type` is the cosign signature type (compared case-insensitively, as containers/image does). */
export function isCosignSignatureType(type: string): boolean {
  return type.toLowerCase() === COSIGN_SIGNATURE_TYPE;
}
