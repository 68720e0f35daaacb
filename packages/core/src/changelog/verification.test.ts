import { describe, expect, it } from 'vitest';
import { ConfigurationError, InvalidReferenceError } from '../errors.js';
import { footerSigner, footerVerification, publishedKeyLocation, verificationFooter } from './verification.js';

const digest = `sha256:${'ab'.repeat(32)}`;
const identity = 'https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.2.3';
const issuer = 'https://token.actions.githubusercontent.com';

describe('verificationFooter', () => {
  describe('when identity and issuer are known', () => {
    it('renders a cosign verify command per published digest and the pinned references', () => {
      const footer = verificationFooter({
        images: [
          { reference: 'ghcr.io/acme/app:1.2.3', digest },
          { reference: 'localhost:5000/acme/app@sha256:' + '00'.repeat(32), digest },
        ],
        certificateIdentity: identity,
        certificateOidcIssuer: issuer,
      });
      expect(footer).toContain(
        [
          'cosign verify \\',
          `  --certificate-identity ${identity} \\`,
          `  --certificate-oidc-issuer ${issuer} \\`,
          `  ghcr.io/acme/app@${digest}`,
        ].join('\n'),
      );
      expect(footer).toContain(`  localhost:5000/acme/app@${digest}`);
      expect(footer).toContain(`| \`ghcr.io/acme/app\` | \`${digest}\` |`);
    });

    it('quotes what the shell would interpret', () => {
      const footer = verificationFooter({
        images: [{ reference: 'ghcr.io/acme/app', digest }],
        certificateIdentity: "https://x/y@refs/heads/it's $(rm)",
        certificateOidcIssuer: issuer,
      });
      expect(footer).toContain(`--certificate-identity 'https://x/y@refs/heads/it'\\''s $(rm)'`);
    });
  });

  describe('when no identity is known', () => {
    it('lists the digests without a command', () => {
      const footer = verificationFooter({ images: [{ reference: 'ghcr.io/acme/app:1', digest }] });
      expect(footer).not.toContain('cosign verify');
      expect(footer).toContain(digest);
    });
  });

  describe('when the input is bad', () => {
    it('rejects a malformed digest naming it', () => {
      expect(() => verificationFooter({ images: [{ reference: 'ghcr.io/a/b', digest: 'sha256:xyz' }] })).toThrow(
        InvalidReferenceError,
      );
    });

    it('rejects an identity without issuer', () => {
      expect(() =>
        verificationFooter({ images: [{ reference: 'ghcr.io/a/b', digest }], certificateIdentity: identity }),
      ).toThrow(ConfigurationError);
    });

    it('renders nothing without images', () => {
      expect(verificationFooter({ images: [] })).toBe('');
    });
  });
});

describe('footerSigner', () => {
  const id = 'https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.2.3';
  const issuer = 'https://token.actions.githubusercontent.com';
  it.each([
    { when: 'not verified', checked: { certificateIdentity: id, certificateOidcIssuer: issuer }, verification: undefined, expected: {} },
    { when: 'verification failed (not required)', checked: { certificateIdentity: id, certificateOidcIssuer: issuer }, verification: { verified: false }, expected: {} },
    { when: 'verified with exact inputs', checked: { certificateIdentity: id, certificateOidcIssuer: issuer }, verification: { verified: true }, expected: { certificateIdentity: id, certificateOidcIssuer: issuer } },
    { when: 'verified by regexp: the signature names them', checked: {}, verification: { verified: true, signature: { signerIdentity: id, issuer } }, expected: { certificateIdentity: id, certificateOidcIssuer: issuer } },
    { when: 'the inputs win over the signature', checked: { certificateIdentity: 'exact' }, verification: { verified: true, signature: { signerIdentity: id, issuer } }, expected: { certificateIdentity: 'exact', certificateOidcIssuer: issuer } },
    { when: 'a public key verified (no identity)', checked: {}, verification: { verified: true, signature: {} }, expected: {} },
    { when: 'only the identity is known', checked: { certificateIdentity: id }, verification: { verified: true }, expected: {} },
  ])('when $when', ({ checked, verification, expected }) => {
    expect(footerSigner(checked, verification)).toEqual(expected);
  });
});

describe('verificationFooter with a verification method', () => {
  it('renders cosign verify --key and verify-attestation for every image of a set', () => {
    const other = `sha256:${'cd'.repeat(32)}`;
    const footer = verificationFooter({
      images: [
        { reference: 'ghcr.io/acme/api', digest },
        { reference: 'ghcr.io/acme/web', digest: other },
      ],
      method: { kind: 'key', keyLocation: 'https://acme.example/cosign.pub', insecureIgnoreTlog: true },
      provenance: true,
    });
    for (const ref of [`ghcr.io/acme/api@${digest}`, `ghcr.io/acme/web@${other}`]) {
      expect(footer).toContain(['cosign verify \\', '  --key https://acme.example/cosign.pub \\', '  --insecure-ignore-tlog=true \\', `  ${ref}`].join('\n'));
      expect(footer).toContain(
        ['cosign verify-attestation --type slsaprovenance1 \\', '  --key https://acme.example/cosign.pub \\', '  --insecure-ignore-tlog=true \\', `  ${ref}`].join('\n'),
      );
    }
    expect(footer).toContain(`| \`ghcr.io/acme/web\` | \`${other}\` |`);
  });
});

describe('publishedKeyLocation', () => {
  it.each([
    { when: 'key-location given', policy: { key: 'keys/cosign.pub', keyLocation: 'https://acme.example/k.pub' }, expected: 'https://acme.example/k.pub' },
    { when: 'key is a path', policy: { key: 'keys/cosign.pub' }, expected: 'keys/cosign.pub' },
    { when: 'key is a URL', policy: { key: 'https://acme.example/cosign.pub' }, expected: 'https://acme.example/cosign.pub' },
    { when: 'key is PEM text', policy: { key: '-----BEGIN PUBLIC KEY-----\nMFk=\n-----END PUBLIC KEY-----' }, expected: 'cosign.pub' },
  ])('when $when', ({ policy, expected }) => {
    expect(publishedKeyLocation(policy)).toBe(expected);
  });
});

describe('footerVerification', () => {
  const id = 'https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main';
  it.each([
    { when: 'not verified', policy: { key: 'k.pub' }, verification: { verified: false }, expected: { provenance: false } },
    {
      when: 'verified with a key, tlog ignored, provenance required',
      policy: { key: 'k.pub', insecureIgnoreTlog: true, provenance: {} },
      verification: { verified: true, signature: {} },
      expected: { method: { kind: 'key', keyLocation: 'k.pub', insecureIgnoreTlog: true }, provenance: true },
    },
    {
      when: 'verified keyless',
      policy: { certificateIdentity: id, certificateOidcIssuer: issuer },
      verification: { verified: true },
      expected: { method: { kind: 'keyless', certificateIdentity: id, certificateOidcIssuer: issuer }, provenance: false },
    },
    { when: 'verified keyless by regexp, signer unknown', policy: {}, verification: { verified: true }, expected: { provenance: false } },
  ])('when $when', ({ policy, verification, expected }) => {
    expect(footerVerification(policy, verification)).toEqual(expected);
  });
});
