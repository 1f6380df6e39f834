/**
 * Which desk a profile points at, as one string: kind, URL and user. The embedded desk listens
 * on a new port each run, so it is known by its user and a hash of its token instead (a
 * re-seeded desk has a new token, and so is another desk). Used to keep a cache, or a bulk
 * run's journal, to the desk it was made on.
 */
import { createHash } from 'node:crypto';
import type { Connection } from '../api/helpdesk.js';

export function deskIdentity(connection: Connection): string {
  const who = 'email' in connection.auth ? connection.auth.email : connection.auth.type;
  if (connection.kind === 'local') {
    const token = 'token' in connection.auth ? connection.auth.token : 'password' in connection.auth ? connection.auth.password : '';
    const digest = createHash('sha256').update(token).digest('hex').slice(0, 16);
    return `${connection.profile} local ${who} ${digest}`;
  }
  return `${connection.profile} ${connection.kind} ${connection.url} ${who}`;
}
