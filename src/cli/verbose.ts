import type { RequestLogger, WaitObserver } from '../api/helpdesk.js';
import { describeWait } from '../api/pacer.js';
import type { Io } from './io.js';

/** --verbose: one line per HTTP exchange on stderr. The client has already redacted the URL. */
export function requestLogger(io: Io): RequestLogger {
  return ({ method, url, status, ms, attempt, note }) => {
    const retry = attempt > 1 ? ` (attempt ${attempt})` : '';
    io.err(`> ${method} ${url} ${status} ${Math.round(ms)}ms${retry}${note ? ` ${note}` : ''}`);
  };
}

/** --verbose: a line for each wait on an endpoint's own limit. */
export function waitLogger(io: Io): WaitObserver {
  return (wait) => io.err(`> waiting: ${describeWait(wait)}`);
}
