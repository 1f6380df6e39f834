/**
 * Entry point of src/api: a HelpDesk for a Connection. Light to import: got itself is loaded
 * by the HTTP client on the first request.
 */
import { DeskopsError } from '../core/errors.js';
import type { Connection, HelpDesk } from './helpdesk.js';
import { HttpClient, type HttpClientOptions } from './http.js';
import { ZendeskDesk } from './zendesk/adapter.js';

export type { HelpDesk, Connection, ClientOptions, RequestLogger } from './helpdesk.js';
export type { HttpClientOptions } from './http.js';
export { redact } from './redact.js';

/**
 * The desk a connection points at: 'zendesk' and 'local' (the embedded desk speaks the
 * Zendesk dialect) get the Zendesk adapter; Request Tracker is not supported yet.
 * `options` is ClientOptions plus test hooks (clock, jitter, response size cap).
 */
export async function createHelpDesk(connection: Connection, options: HttpClientOptions = {}): Promise<HelpDesk> {
  switch (connection.kind) {
    case 'zendesk':
    case 'local': {
      const http = new HttpClient(connection, options);
      return new ZendeskDesk(http, { now: options.now, sleep: options.sleep });
    }
    case 'rt':
      throw new DeskopsError('Request Tracker profiles are not supported yet', {
        hint: 'use a Zendesk profile, or the local desk (`--profile local`)',
      });
    default: {
      const kind: never = connection.kind;
      throw new DeskopsError(`unknown desk kind in profile ${(connection as Connection).profile}: ${String(kind)}`);
    }
  }
}
