/**
 * Handle time, the way Zendesk's Time Tracking app records it: while an agent has a ticket in
 * front of them the seconds add up, and the next update the agent makes to that ticket carries
 * them in two custom fields, "Total time spent (sec)" (the running total: the field's current
 * value plus this stretch) and "Time spent last update (sec)" (this stretch alone). Then the
 * ticket's count starts again from zero. Pure: the clock is injected.
 */
import type { CustomFieldValue, Ticket } from './model.js';

export const TOTAL_TIME_FIELD_TITLE = 'Total time spent (sec)';
export const LAST_UPDATE_TIME_FIELD_TITLE = 'Time spent last update (sec)';
export const TOTAL_TIME_FIELD_SETTING = 'time_tracking.total_field_id';
export const LAST_UPDATE_TIME_FIELD_SETTING = 'time_tracking.last_update_field_id';

export interface TimeTrackingFields {
  totalFieldId: number;
  lastUpdateFieldId: number;
}

/**
 * Time per ticket while it has the agent's focus. `focus(id)` moves the focus (the previous
 * ticket's stretch is banked), `focus(null)` stops counting (screen paused or closed), and
 * `take(id)` hands over the banked seconds for an update and starts the ticket from zero.
 */
export class HandleTimer {
  readonly #clock: () => number;
  readonly #banked = new Map<number, number>();
  #focused: number | null = null;
  #since = 0;

  constructor(clock: () => number) {
    this.#clock = clock;
  }

  get focused(): number | null {
    return this.#focused;
  }

  focus(id: number | null): void {
    if (id === this.#focused) return;
    this.#bank();
    this.#focused = id;
    this.#since = this.#clock();
  }

  /** Milliseconds spent on a ticket since its last update, including the running stretch. */
  elapsedMs(id: number): number {
    const banked = this.#banked.get(id) ?? 0;
    if (id !== this.#focused) return banked;
    return banked + Math.max(0, this.#clock() - this.#since);
  }

  /**
   * Whole seconds spent on the ticket, then its count starts again. The part of a second left
   * over carries to the next update, so quick changes in a row (under a second each) still add
   * up instead of each being dropped.
   */
  take(id: number): number {
    const ms = this.elapsedMs(id);
    const seconds = Math.floor(ms / 1000);
    const rest = ms - seconds * 1000;
    if (rest > 0) this.#banked.set(id, rest);
    else this.#banked.delete(id);
    if (id === this.#focused) this.#since = this.#clock();
    return seconds;
  }

  /** Puts seconds back after an update that the desk refused. */
  restore(id: number, seconds: number): void {
    if (seconds <= 0) return;
    this.#banked.set(id, (this.#banked.get(id) ?? 0) + seconds * 1000);
  }

  #bank(): void {
    if (this.#focused === null) return;
    const spent = Math.max(0, this.#clock() - this.#since);
    if (spent > 0) this.#banked.set(this.#focused, (this.#banked.get(this.#focused) ?? 0) + spent);
  }
}

function fieldNumber(ticket: Pick<Ticket, 'custom_fields'>, id: number): number {
  const field = ticket.custom_fields?.find((f) => f.id === id);
  const n = typeof field?.value === 'number' ? field.value : Number(field?.value ?? 0);
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : 0;
}

/**
 * The two custom field values an update carries for `seconds` of handle time on `ticket`
 * (the total adds to what the ticket holds), or [] when there is nothing to record.
 */
export function timeTrackingValues(
  ticket: Pick<Ticket, 'custom_fields'>,
  seconds: number,
  fields: TimeTrackingFields,
): CustomFieldValue[] {
  if (!(seconds > 0)) return [];
  const s = Math.round(seconds);
  return [
    { id: fields.totalFieldId, value: fieldNumber(ticket, fields.totalFieldId) + s },
    { id: fields.lastUpdateFieldId, value: s },
  ];
}

/** The ticket's recorded total handle time in seconds. */
export function totalTimeSpent(ticket: Pick<Ticket, 'custom_fields'>, fields: TimeTrackingFields): number {
  return fieldNumber(ticket, fields.totalFieldId);
}
