import { loadConfig } from '../../../src/config';

describe('configuration', () => {
  it('when REDIS_URL is unset or empty, then nothing is shared (one process); when it is a redis:// URL, then it is used with its prefix and the job settings', () => {
    expect(loadConfig({}).redis).toBeNull();
    expect(loadConfig({ REDIS_URL: '' }).redis).toBeNull();
    const c = loadConfig({ REDIS_URL: 'redis://10.0.0.5:6379/2', REDIS_PREFIX: 'portal-staging', JOB_ATTEMPTS: '5', JOB_LOCK_MS: '60000' });
    expect(c.redis).toEqual({ url: 'redis://10.0.0.5:6379/2', prefix: 'portal-staging' });
    expect(c.jobs).toEqual({ attempts: 5, lockMs: 60000 });
    expect(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379' }).redis!.prefix).toBe('ra');
  });

  it('when REDIS_URL, REDIS_PREFIX or a job setting is malformed, then loading fails naming the variable', () => {
    expect(() => loadConfig({ REDIS_URL: 'http://127.0.0.1:6379' })).toThrow(/REDIS_URL/);
    expect(() => loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379', REDIS_PREFIX: 'a b' })).toThrow(/REDIS_PREFIX/);
    expect(() => loadConfig({ JOB_LOCK_MS: '10' })).toThrow(/JOB_LOCK_MS/);
    expect(() => loadConfig({ JOB_ATTEMPTS: '0' })).toThrow(/JOB_ATTEMPTS/);
  });

  it('when JOB_NICE is unset, then the worker yields to web processes at niceness 10; 0 to 19 are accepted and anything else fails naming it', () => {
    expect(loadConfig({}).workerNice).toBe(10);
    expect(loadConfig({ JOB_NICE: '0' }).workerNice).toBe(0);
    expect(loadConfig({ JOB_NICE: '19' }).workerNice).toBe(19);
    for (const bad of ['20', '-1', '5.5', 'low']) expect(() => loadConfig({ JOB_NICE: bad })).toThrow(/JOB_NICE/);
  });

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
