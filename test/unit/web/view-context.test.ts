import type { Request, Response } from 'express';
import { createI18n, Lang, lngOf } from '../../../src/i18n';
import { viewContext } from '../../../src/web/locals';

const i18n = createI18n();
const context = (lng: Lang) => viewContext(i18n, lng, { originalUrl: `/${lng}/`, params: {} } as unknown as Request, { locals: {} } as unknown as Response);

describe('view context', () => {
  it('when a row has no English text, then loc on an English page gives the Spanish text flagged as a fallback, and the note to show exists', () => {
    const { loc, t } = context('en');
    expect(loc({ title_es: 'Pistas', title_en: null }, 'title')).toEqual({ text: 'Pistas', fallback: true });
    expect(loc({ title_es: 'Pistas', title_en: '' }, 'title')).toEqual({ text: 'Pistas', fallback: true });
    expect(t('participation:fallback_note')).toBe('No English translation: shown in Spanish.');
  });

  it('when a row has English text, then loc on an English page gives it, and a Spanish page always gives the Spanish text, never flagged', () => {
    expect(context('en').loc({ title_es: 'Pistas', title_en: 'Roads' }, 'title')).toEqual({ text: 'Roads', fallback: false });
    expect(context('es').loc({ title_es: 'Pistas', title_en: 'Roads' }, 'title')).toEqual({ text: 'Pistas', fallback: false });
    expect(context('es').loc({ title_es: 'Pistas', title_en: null }, 'title')).toEqual({ text: 'Pistas', fallback: false });
  });

  it('when the row is missing or has no text at all, then loc gives an empty text and no note', () => {
    expect(context('en').loc(undefined, 'name')).toEqual({ text: '', fallback: false });
    expect(context('en').loc({ name_es: null, name_en: null }, 'name')).toEqual({ text: '', fallback: false });
  });

  it('when the language of a response is asked, then it is the one its router set, else the URL prefix, else Spanish', () => {
    expect(lngOf({ locals: { lng: 'en' } } as unknown as Response)).toBe('en');
    expect(lngOf({ locals: {} } as unknown as Response, '/en/cuenta')).toBe('en');
    expect(lngOf({ locals: {} } as unknown as Response, '/api/v1/x')).toBe('es');
    expect(lngOf({ locals: {} } as unknown as Response)).toBe('es');
  });
});
