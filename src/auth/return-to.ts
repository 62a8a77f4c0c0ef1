/**
 * Where to go after login: only a local page under a language prefix. Anything else
 * (absolute URLs, protocol-relative `//host`, `/\host`, encoded slashes, `javascript:`) → `/`.
 */
export function safeReturnTo(value: unknown): string {
  if (typeof value !== 'string' || value.length > 2000) return '/';
  if (!/^\/(es|en)(\/|$|\?)/.test(value)) return '/';
  // eslint-disable-next-line no-control-regex -- control characters are exactly what this refuses
  if (/[\\\u0000-\u001f\u007f]/.test(value) || value.includes('//') || /%2f|%5c/i.test(value)) return '/';
  try {
    const u = new URL(value, 'http://local.invalid');
    if (u.origin !== 'http://local.invalid') return '/';
    return u.pathname + u.search;
  } catch {
    return '/';
  }
}
