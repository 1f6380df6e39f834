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

/**
 * Which desk, whoever signs in: a reply drafted on one desk must not go to the ticket of the
 * same number on another. The embedded desk is known by its token's hash (a re-seeded desk
 * is another desk), any other by its kind and URL.
 */
export function deskInstance(connection: Connection): { id: string; label: string } {
  if (connection.kind === 'local') {
    const token = 'token' in connection.auth ? connection.auth.token : 'password' in connection.auth ? connection.auth.password : '';
    return { id: `local ${createHash('sha256').update(token).digest('hex').slice(0, 16)}`, label: `the demo desk of profile ${connection.profile}` };
  }
  return { id: `${connection.kind} ${connection.url}`, label: connection.url };
}

/**
 * How a screen names the desk a command works on: the demo desk, or the host and the profile.
 * `live` is any desk but the embedded one: what is sent there reaches real customers.
 */
export function deskLabel(connection: Connection): { name: string; live: boolean } {
  if (connection.kind === 'local') {
    return { name: connection.inProcess ? 'demo desk' : `demo desk at ${hostOf(connection.url)}`, live: false };
  }
  return { name: `${hostOf(connection.url)} (profile ${connection.profile})`, live: true };
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
