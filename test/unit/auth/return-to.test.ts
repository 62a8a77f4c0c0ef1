import { safeReturnTo } from '../../../src/auth';

describe('safeReturnTo', () => {
  it.each([
    'https://evil.tld',
    '//evil.tld',
    '/\\evil.tld',
    '%2F%2Fevil.tld',
    '/es/%2F%2Fevil.tld',
    'javascript:alert(1)',
    '/es/\nSet-Cookie:x',
    '/evil',
    '',
    'http:/evil.tld',
    '/es//evil.tld',
    ' /es/',
  ])('when the target is %j, then it becomes /', (v) => {
    expect(safeReturnTo(v)).toBe('/');
  });

  it('when the target is not a string (array, object), then it becomes /', () => {
    expect(safeReturnTo(['/es/cuenta'])).toBe('/');
    expect(safeReturnTo({ a: 1 })).toBe('/');
  });

  it.each(['/es/', '/en/account', '/es/buscar?q=lima', '/es'])('when the target is the local page %s, then it is kept', (v) => {
    expect(safeReturnTo(v)).toBe(v);
  });
});
