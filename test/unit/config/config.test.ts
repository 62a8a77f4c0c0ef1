import { loadConfig } from '../../../src/config';

describe('configuration', () => {
  it('when production starts without SESSION_SECRET, then loading fails fast naming it', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', SMTP_HOST: 'smtp.example.pe' })).toThrow(/SESSION_SECRET/);
  });

  it('when SESSION_SECRET is shorter than 32 characters, then loading fails', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 'short', SMTP_HOST: 'smtp.example.pe' })).toThrow(/SESSION_SECRET/);
  });

  it('when production has no SMTP host, then loading fails fast', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(40) })).toThrow(/SMTP_HOST/);
  });

  it('when production has both, then mail goes by SMTP; in development it goes to the outbox folder', () => {
    const prod = loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(40), SMTP_HOST: 'smtp.example.pe', SMTP_PORT: '465', SMTP_SECURE: 'true' });
    expect(prod.mail.smtp).toMatchObject({ host: 'smtp.example.pe', port: 465, secure: true });
    const dev = loadConfig({ NODE_ENV: 'development', OUTBOX_DIR: 'tmp-outbox' });
    expect(dev.mail.smtp).toBeNull();
    expect(dev.mail.outboxDir).toMatch(/tmp-outbox$/);
    expect(dev.sessionSecret.length).toBeGreaterThanOrEqual(32);
  });
});
