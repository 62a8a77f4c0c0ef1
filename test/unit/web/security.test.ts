import { nextNonce } from '../../../src/web/security';

describe('CSP nonces (src/web/security.ts)', () => {
  test('when many nonces are drawn, across several refills of the pool, then each is 16 bytes in base64 and none repeats', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2_000; i++) {
      const nonce = nextNonce();
      expect(nonce).toMatch(/^[A-Za-z0-9+/]{22}==$/);
      expect(Buffer.from(nonce, 'base64')).toHaveLength(16);
      seen.add(nonce);
    }
    expect(seen.size).toBe(2_000);
  });
});
