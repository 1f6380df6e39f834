/**
 * Desk URLs: https anywhere, plain http only to this machine (the local desk, a test server).
 * Pure: no I/O, so both the store and connection resolution use it.
 */
import { ConfigError, type DeskopsError } from '../core/errors.js';

type ErrorClass = new (message: string, options?: { hint?: string }) => DeskopsError;

/** 127.0.0.0/8, localhost (and *.localhost), ::1. `hostname` as URL gives it (IPv6 in brackets). */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (host === '::1') return true;
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  return v4 !== null && v4[1] === '127' && v4.slice(1).every((o) => Number(o) <= 255);
}

/**
 * Checks a desk base URL and returns it normalized (no trailing slash, no query or fragment).
 * Throws `ErrorType` (ConfigError unless told) with a one-line message.
 */
export function checkDeskUrl(raw: string, ErrorType: ErrorClass = ConfigError): string {
  const text = raw.trim();
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ErrorType(`${JSON.stringify(text)} is not a URL`, {
      hint: 'give the desk address with its scheme, e.g. https://acme.zendesk.com',
    });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ErrorType(`${url.protocol.replace(/:$/, '')} URLs are not supported (${url.origin}); use https://`);
  }
  if (url.username || url.password) {
    throw new ErrorType('a desk URL must not contain credentials; store the token with --token-stdin instead');
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw new ErrorType(`refusing plain http to ${url.host}: credentials would cross the network unencrypted; use https://`, {
      hint: 'http:// is only allowed for loopback addresses (127.0.0.1, localhost, ::1)',
    });
  }
  const path = url.pathname.replace(/\/+$/, '');
  return `${url.protocol}//${url.host}${path}`;
}
