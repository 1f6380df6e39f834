/**
 * Masks secrets in text that may be printed: URLs for --verbose, error messages, logs.
 * Used by the HTTP client for everything it hands to a RequestLogger or puts in an ApiError.
 */
import type { Connection } from './helpdesk.js';

export const REDACTED = '[redacted]';

const SECRET_NAMES = [
  'access_token',
  'api_token',
  'api_key',
  'apikey',
  'auth',
  'authorization',
  'client_secret',
  'code',
  'key',
  'passwd',
  'password',
  'pwd',
  'secret',
  'sig',
  'signature',
  'token',
];
const NAMES = SECRET_NAMES.join('|');

/** `?token=abc&x=1` -> `?token=[redacted]&x=1` (also `page[token]`-like and `;` separators). */
const QUERY_PARAM = new RegExp(`([?&;](?:${NAMES})(?:%5B[^=&]*%5D|\\[[^=&]*\\])?=)[^&#\\s"']*`, 'gi');
/** `"password": "abc"` and `password=abc` in bodies and messages. */
const JSON_FIELD = /("(?:access_token|api_token|authorization|client_secret|password|secret|token)"\s*:\s*")(?:[^"\\]|\\.)*"/gi;
/** `Authorization: Basic abc`, `authorization=Bearer abc`, `"authorization":"token abc"`. */
const AUTH_HEADER = /(authorization["']?\s*[:=]\s*["']?)(?:(basic|bearer|token)\s+)?[^\s"',;]+/gi;
/** Free-standing `Bearer abc...` / `Basic abc...` credentials. */
const SCHEME_CREDENTIAL = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/-]{8,}=*/g;
/** `https://user:pass@host` -> `https://[redacted]@host`. */
const URL_USERINFO = /(\b[a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]+@/gi;
/** Zendesk's `email/token:SECRET` basic credential written out. */
const EMAIL_TOKEN = /(\/token:)[^\s"'@,;]+/gi;

/**
 * Masks tokens, passwords and Authorization values in `text`. `secrets` are literal values
 * (a profile's token or password, the encoded basic credential) masked wherever they occur.
 */
export function redact(text: string, secrets: readonly string[] = []): string {
  let out = text;
  const literal = secrets.filter((s) => s.length >= 4).sort((a, b) => b.length - a.length);
  for (const secret of literal) {
    out = out.split(secret).join(REDACTED);
    const encoded = encodeURIComponent(secret);
    if (encoded !== secret) out = out.split(encoded).join(REDACTED);
  }
  return out
    .replace(URL_USERINFO, `$1${REDACTED}@`)
    .replace(AUTH_HEADER, (_m, prefix: string, scheme: string | undefined) =>
      scheme ? `${prefix}${scheme} ${REDACTED}` : `${prefix}${REDACTED}`,
    )
    .replace(SCHEME_CREDENTIAL, (m, scheme: string) => (m.includes(REDACTED) ? m : `${scheme} ${REDACTED}`))
    .replace(QUERY_PARAM, `$1${REDACTED}`)
    .replace(JSON_FIELD, `$1${REDACTED}"`)
    .replace(EMAIL_TOKEN, `$1${REDACTED}`);
}

/** The Authorization header value for a connection's credentials. */
export function authorizationHeader(auth: Connection['auth']): string {
  switch (auth.type) {
    case 'basic-token':
      return `Basic ${Buffer.from(`${auth.email}/token:${auth.token}`, 'utf8').toString('base64')}`;
    case 'basic-password':
      return `Basic ${Buffer.from(`${auth.email}:${auth.password}`, 'utf8').toString('base64')}`;
    case 'bearer':
      return `Bearer ${auth.token}`;
    case 'rt-token':
      return `token ${auth.token}`;
  }
}

/** Literal secret values of a connection, for redact(). */
export function secretsOf(auth: Connection['auth']): string[] {
  const header = authorizationHeader(auth);
  const credential = header.slice(header.indexOf(' ') + 1);
  switch (auth.type) {
    case 'basic-token':
      return [auth.token, credential];
    case 'basic-password':
      return [auth.password, credential];
    case 'bearer':
    case 'rt-token':
      return [auth.token];
  }
}
