import { describe, expect, it } from 'vitest';
import { ConfigurationError, InvalidReferenceError } from '../errors.js';
import { footerSigner, verificationFooter } from './verification.js';

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
