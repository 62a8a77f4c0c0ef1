import { Writable } from 'node:stream';
import { createLogger, safeForLog, securityEvent, urlForLog } from '../../../src/lib/logger';

describe('security logging', () => {
  it('when logged input contains CR/LF, then they are neutralised and cannot forge a second line', () => {
    expect(safeForLog('a@b.pe\r\n{"level":50,"msg":"forged"}')).not.toMatch(/[\r\n]/);
    const lines: string[] = [];
    const sink = new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) });
    securityEvent(createLogger('info', sink), 'login_failed', { ip: '127.0.0.1', email: 'x@y.pe\nFAKE ENTRY', userId: null });
    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0]);
    expect(entry.email).toBe('x@y.pe FAKE ENTRY');
    expect(entry.security).toBe('login_failed');
  });

  it('when a URL carries a token or a CSRF value, then the log keeps the path and hides the value', () => {
    expect(urlForLog('/es/contrasena/nueva?token=abcDEF123&x=1')).toBe('/es/contrasena/nueva?token=[redacted]&x=1');
    expect(urlForLog('/es/login?_csrf=zzz')).toBe('/es/login?_csrf=[redacted]');
  });

  it('when an object with password, token or sid fields is logged, then they are redacted', () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) });
    createLogger('info', sink).info({ body: { password: 'hunter2hunter2', token: 'tok', sid: 'sess' } }, 'x');
    expect(lines[0]).not.toMatch(/hunter2|"tok"|"sess"/);
  });
});
