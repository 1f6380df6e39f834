/**
 * Entry point of src/api: a HelpDesk for a Connection. Light to import: got itself is loaded
 * by the HTTP client on the first request.
 */
import { DeskopsError } from '../core/errors.js';
import type { Connection, HelpDesk } from './helpdesk.js';
import { HttpClient, type HttpClientOptions } from './http.js';
import { RtDesk } from './rt/adapter.js';
import { ZendeskDesk } from './zendesk/adapter.js';

export type { HelpDesk, Connection, ClientOptions, RequestLogger } from './helpdesk.js';
export type { HttpClientOptions } from './http.js';
export { redact } from './redact.js';

/**
 * The desk a connection points at: 'zendesk' and 'local' (the embedded desk speaks the
 * Zendesk dialect) get the Zendesk adapter; 'rt' gets the Request Tracker REST2 adapter.
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
      return new RtDesk(new HttpClient(connection, options), { now: options.now });
    default: {
      const kind: never = connection.kind;
      throw new DeskopsError(`unknown desk kind in profile ${(connection as Connection).profile}: ${String(kind)}`);
    }
  }
}
