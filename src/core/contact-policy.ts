/**
 * One contact policy for every automated message deskops sends to a customer (sweep replies,
 * survey requests): at most one within a window (24 hours unless the setting
 * contact.window_hours says otherwise; 0 turns the policy off). The later message waits, and the
 * plan says why; private notes are not contact and never wait. Pure: what was sent before comes
 * in (services/contact.ts reads it from the desk).
 */
import { ConfigError } from './errors.js';

export const CONTACT_WINDOW_SETTING = 'contact.window_hours';
export const DEFAULT_CONTACT_WINDOW_HOURS = 24;

/** The window in hours from the setting's raw value (a number from 0 to 720). */
export function parseContactWindowHours(value: unknown): number {
  if (value === undefined || value === null) return DEFAULT_CONTACT_WINDOW_HOURS;
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0 || n > 720) {
    throw new ConfigError(`setting ${CONTACT_WINDOW_SETTING} must be hours from 0 (off) to 720, got ${JSON.stringify(value)}`);
  }
  return n;
}

/** An automated message a customer got. */
export interface Contact {
  ticketId: number;
  /** ms since epoch */
  at: number;
  /** What it was, for the reason: "an NPS survey", "the follow-up transfer_followup". */
  what: string;
}

export interface ContactWindow {
  /** 0: no policy. */
  hours: number;
  /** The latest automated message per requester within the window, before this plan. */
  earlier: ReadonlyMap<number, Contact>;
  now: Date;
}

/** The customers contacted by one plan: the first message to a requester goes, later ones wait. */
export class ContactLedger {
  readonly #claimed = new Map<number, Contact>();
  constructor(readonly window: ContactWindow) {}

  /** Null when the requester may get this message now (and it is recorded), else why it waits. */
  claim(requesterId: number, contact: Contact): string | null {
    const { hours, earlier, now } = this.window;
    if (hours <= 0) return null;
    const rule = `one automated message per ${hours} h (${CONTACT_WINDOW_SETTING})`;
    const mine = this.#claimed.get(requesterId);
    if (mine) return `waits: the customer gets ${mine.what} on #${mine.ticketId} in this run; ${rule}`;
    const before = earlier.get(requesterId);
    if (before && now.getTime() - before.at < hours * 3_600_000) {
      return `waits: the customer got ${before.what} on #${before.ticketId} ${ago(now.getTime() - before.at)} ago; ${rule}`;
    }
    this.#claimed.set(requesterId, contact);
    return null;
  }
}

function ago(ms: number): string {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
}
