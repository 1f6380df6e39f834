/**
 * Exact percentiles over a stream of minute values. The values are kept in a growable
 * Float64Array (8 bytes a value, doubling as it fills): the only KPI state that grows with the
 * number of tickets, 800 KB for 100,000 tickets. Exact rather than a sketch, so a median is the
 * number a spreadsheet gives for the same tickets.
 *
 * Percentiles interpolate linearly between the closest ranks (numpy's default, Excel's
 * PERCENTILE.INC): the median of 1, 2, 3, 4 is 2.5.
 */
export class MinuteSample {
  #values = new Float64Array(64);
  #size = 0;

  get size(): number {
    return this.#size;
  }

  add(value: number): void {
    if (!Number.isFinite(value)) return;
    if (this.#size === this.#values.length) {
      const grown = new Float64Array(this.#values.length * 2);
      grown.set(this.#values);
      this.#values = grown;
    }
    this.#values[this.#size++] = value;
  }

  /** The p-th percentile (0..1), or null when empty. Sorts once, in place. */
  percentile(p: number): number | null {
    if (this.#size === 0) return null;
    const sorted = this.#values.subarray(0, this.#size).sort();
    return percentileOfSorted(sorted, p);
  }
}

/** Linear interpolation between closest ranks over ascending values. */
export function percentileOfSorted(sorted: ArrayLike<number>, p: number): number | null {
  const n = sorted.length;
  if (n === 0) return null;
  if (p <= 0) return sorted[0]!;
  if (p >= 1) return sorted[n - 1]!;
  const rank = p * (n - 1);
  const lo = Math.floor(rank);
  const hi = Math.min(lo + 1, n - 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (rank - lo);
}
