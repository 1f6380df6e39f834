/** Closest names, for "did you mean". */


/** Levenshtein distance between two strings. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * Up to `limit` names close to `input`: within an edit distance of about a third of its length,
 * or containing it (so "delay" finds apology-delay). Closest first.
 */
export function closestNames(input: string, names: readonly string[], limit = 3): string[] {
  const q = input.toLowerCase();
  const scored = [...new Set(names)]
    .map((n) => {
      const d = editDistance(q, n.toLowerCase());
      const contains = q.length >= 3 && n.toLowerCase().includes(q);
      return { n, d: contains ? Math.min(d, 1) : d };
    })
    .filter((s) => s.d <= Math.max(2, Math.floor(q.length / 3)))
    .sort((a, b) => a.d - b.d || a.n.localeCompare(b.n));
  return scored.slice(0, limit).map((s) => s.n);
}
