import { assertOwnMunicipality } from '../../../src/auth';
import { NotFoundError } from '../../../src/lib/errors';

describe('assertOwnMunicipality', () => {
  it('when an official acts on an item of their own municipality, then it passes', () => {
    expect(() => assertOwnMunicipality({ role: 'official', municipality_ubigeo: '150101' }, '150101')).not.toThrow();
  });
  it.each([
    [{ role: 'official' as const, municipality_ubigeo: '150101' }, '150102'],
    [{ role: 'official' as const, municipality_ubigeo: '150101' }, null],
    [{ role: 'monitor' as const, municipality_ubigeo: null }, '150101'],
    [undefined, '150101'],
  ])('when %j acts on an item of %s, then it is a 404', (user, ubigeo) => {
    expect(() => assertOwnMunicipality(user, ubigeo)).toThrow(NotFoundError);
  });
  it('when an admin acts on any municipality, then it passes', () => {
    expect(() => assertOwnMunicipality({ role: 'admin', municipality_ubigeo: null }, '150102')).not.toThrow();
  });
});
