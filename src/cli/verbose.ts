import type { RequestLogger } from '../api/helpdesk.js';
import type { Io } from './io.js';

/** --verbose: one line per HTTP exchange on stderr. The client has already redacted the URL. */
export function requestLogger(io: Io): RequestLogger {
  return ({ method, url, status, ms, attempt, note }) => {
    const retry = attempt > 1 ? ` (attempt ${attempt})` : '';
    io.err(`> ${method} ${url} ${status} ${Math.round(ms)}ms${retry}${note ? ` ${note}` : ''}`);
  };
}
