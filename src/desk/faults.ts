/**
 * Fault injection for testing clients against a misbehaving desk. A spec such as
 * "429=0.1,500=0.05,reset=0.01,slow=0.02" gives each fault's probability per request; a
 * seeded PRNG decides, so the same seed and the same request sequence fail the same way.
 *
 * Faults are decided before the request is handled, so a faulted write is never applied:
 *   429    answer 429 with Retry-After: 1 (like a rate limit)
 *   500    answer 500 with a JSON error
 *   reset  destroy the connection without answering. Only ever before processing: the desk
 *          never applies a write and then drops the answer (a real server could; ours doesn't)
 *   slow   wait ~2 s, then handle the request normally
 */
import { createRng } from './prng.js';

export type FaultKind = '429' | '500' | 'reset' | 'slow';

const KINDS: readonly FaultKind[] = ['429', '500', 'reset', 'slow'];

export type FaultPlan = ReadonlyArray<readonly [FaultKind, number]>;

/** Parses a spec; returns an error message (one line) for an invalid one. Empty -> no faults. */
export function parseFaultSpec(spec: string): FaultPlan | string {
  const text = spec.trim();
  if (text === '') return [];
  const plan: Array<[FaultKind, number]> = [];
  let total = 0;
  for (const part of text.split(',')) {
    const m = /^\s*([^=\s]+)\s*=\s*([0-9]*\.?[0-9]+)\s*$/.exec(part);
    const kind = m?.[1] as FaultKind | undefined;
    if (!m || !kind || !KINDS.includes(kind)) {
      const kinds = KINDS.join(', ');
      return `invalid fault spec ${JSON.stringify(spec)}: expected KIND=PROBABILITY pairs separated by commas, KIND one of ${kinds} (e.g. "429=0.1,reset=0.01")`;
    }
    const p = Number(m[2]);
    if (!(p >= 0 && p <= 1)) return `invalid fault spec ${JSON.stringify(spec)}: probability of ${kind} must be between 0 and 1`;
    if (plan.some(([k]) => k === kind)) return `invalid fault spec ${JSON.stringify(spec)}: ${kind} is given twice`;
    plan.push([kind, p]);
    total += p;
  }
  if (total > 1 + 1e-9) return `invalid fault spec ${JSON.stringify(spec)}: probabilities add up to ${Number(total.toFixed(4))}, more than 1`;
  return plan;
}

export class FaultInjector {
  private readonly next: () => number;
  constructor(
    private readonly plan: FaultPlan,
    seed: number,
  ) {
    this.next = createRng(seed).next;
  }

  get active(): boolean {
    return this.plan.some(([, p]) => p > 0);
  }

  /** One draw per request. */
  draw(): FaultKind | null {
    if (!this.active) return null;
    let r = this.next();
    for (const [kind, p] of this.plan) {
      if (r < p) return kind;
      r -= p;
    }
    return null;
  }
}
