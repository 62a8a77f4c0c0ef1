import { base32Decode, base32Encode, hotp, totp, verifyTotp } from '../../../src/auth/totp';

describe('TOTP (RFC 6238)', () => {
  const secret = Buffer.from('12345678901234567890');

  it.each([
    [59, '94287082'],
    [1111111109, '07081804'],
    [1111111111, '14050471'],
    [1234567890, '89005924'],
    [2000000000, '69279037'],
  ])('when the time is %i s, then the 8-digit SHA-1 code is the RFC vector %s', (seconds, code) => {
    expect(hotp(secret, Math.floor(seconds / 30), 8)).toBe(code);
  });

  it('when a secret is base32-encoded and decoded, then the bytes are unchanged', () => {
    expect(base32Encode(secret)).toBe('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
    expect(base32Decode(base32Encode(secret)).equals(secret)).toBe(true);
  });

  it('when the code of the previous, current or next step is given, then it verifies; two steps away, it does not', () => {
    const b32 = base32Encode(secret);
    const now = 1_700_000_000_000;
    expect(verifyTotp(b32, totp(b32, now), now, null)).not.toBeNull();
    expect(verifyTotp(b32, totp(b32, now - 30_000), now, null)).not.toBeNull();
    expect(verifyTotp(b32, totp(b32, now + 30_000), now, null)).not.toBeNull();
    expect(verifyTotp(b32, totp(b32, now - 90_000), now, null)).toBeNull();
    expect(verifyTotp(b32, 'abcdef', now, null)).toBeNull();
  });

  it('when a code was already used (its step is not after the last used step), then it is refused', () => {
    const b32 = base32Encode(secret);
    const now = 1_700_000_000_000;
    const step = verifyTotp(b32, totp(b32, now), now, null)!;
    expect(verifyTotp(b32, totp(b32, now), now, step)).toBeNull();
  });
});
