/**
 * Where bulk planning (sweeps, surveys, the contact window) selects tickets instead of asking
 * search: a copy of every ticket the user may see, in every status, as the desk sent them (the
 * profile's replica, services/replica/session.ts). `sync()` brings it up to date, so unlike
 * search it already has the changes of the last minutes (a marker a run just left, a survey
 * just sent). A planner syncs once, then reads; writes never go through it.
 */
import type { Ticket } from '../core/model.js';

export interface TicketSource {
  /** Brings the copy up to date with the desk. */
  sync(): Promise<unknown>;
  /** The stored tickets, of these statuses (default: all). */
  tickets(where?: { statuses?: readonly string[] }): Iterable<Ticket>;
}

/**
 * Whether a ticket time is at or after `since` as search's `updated>=` means it: in whole
 * seconds (the desk's times have no fraction; a query's is dropped).
 */
export function atOrAfter(iso: string | null | undefined, since: Date): boolean {
  const ms = iso ? Date.parse(iso) : NaN;
  return Number.isFinite(ms) && Math.floor(ms / 1000) >= Math.floor(since.getTime() / 1000);
}
