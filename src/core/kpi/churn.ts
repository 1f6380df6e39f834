/**
 * churn_rate: customers lost in the period over the customers active at its start.
 *
 *   active at start  activeFrom is unset or before the start, and not churned before the start
 *   churned          churnedAt falls in the period, and the customer was active at its start
 *
 * A customer who joins and leaves inside the period is in neither count. Customers are the
 * desk's organizations (churned_at field, or a `churned` tag dated by the last update) or the
 * rows of a --customers CSV.
 */
import type { Organization } from '../model.js';
import { METRICS } from './catalog.js';
import { joinNotes, round } from './accumulators.js';
import { unixOf } from './rules.js';
import type { KpiCustomer, MetricResult, Window } from './types.js';

export class ChurnAccumulator {
  #active = 0;
  #churned = 0;
  #taggedOnly = 0;
  #seen = 0;
  constructor(private readonly w: Window, private readonly source = 'organizations') {}

  add(c: KpiCustomer): void {
    this.#seen++;
    const activeAtStart = (c.activeFrom === null || c.activeFrom < this.w.from) && (c.churnedAt === null || c.churnedAt >= this.w.from);
    if (!activeAtStart) return;
    this.#active++;
    if (c.churnedAt !== null && c.churnedAt < this.w.to) {
      this.#churned++;
      if (c.churnSource === 'tag') this.#taggedOnly++;
    }
  }

  finish(): MetricResult {
    const unit = METRICS.churn_rate.unit;
    const tagged = this.#taggedOnly > 0
      ? `${this.#taggedOnly} churned ${this.#taggedOnly === 1 ? 'customer has' : 'customers have'} only a churned tag, dated by the last update`
      : undefined;
    if (this.#seen === 0) return { value: null, unit, n: 0, note: `no customers (${this.source}); pass --customers FILE.csv` };
    if (this.#active === 0) return { value: null, unit, n: 0, note: 'no customers active at the start of the period' };
    const note = joinNotes(tagged);
    const r: MetricResult = { value: round((100 * this.#churned) / this.#active, 1), unit, n: this.#active };
    return note ? { ...r, note } : r;
  }
}

/** An organization as a customer: active since created_at, churned at organization_fields.churned_at or its `churned` tag. */
export function organizationCustomer(org: Organization): KpiCustomer {
  const raw = org.organization_fields?.churned_at;
  let churnedAt = typeof raw === 'string' ? unixOf(raw) : null;
  let churnSource: KpiCustomer['churnSource'];
  if (churnedAt !== null) churnSource = 'date';
  else if ((org.tags ?? []).some((t) => t.toLowerCase() === 'churned')) {
    churnedAt = unixOf(org.updated_at) ?? unixOf(org.created_at);
    churnSource = churnedAt === null ? undefined : 'tag';
  }
  const c: KpiCustomer = { id: String(org.id), name: org.name, activeFrom: unixOf(org.created_at), churnedAt };
  return churnSource ? { ...c, churnSource } : c;
}
