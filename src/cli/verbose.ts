import type { RateLimitState, RequestLogger, WaitObserver } from '../api/helpdesk.js';
import { costLine, type RequestCost } from '../api/tally.js';
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

/** --verbose's last line: the requests by endpoint and the account budget they used. */
export function costSummary(cost: RequestCost, rate: RateLimitState | undefined): string {
  return `> cost: ${costLine(cost, rate)}`;
}
