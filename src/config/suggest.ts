/** "Did you mean" for unknown keys and names: edit distance first, then the same key elsewhere. */

export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length];
}

/** The closest candidate within a typo's reach (about a third of the word), or null. */
export function closest(word: string, candidates: readonly string[]): string | null {
  const limit = Math.max(2, Math.floor(word.length / 3));
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const c of candidates) {
    // Separators are the most common typo ("zdim", "z-dim"): compare without them too.
    const d = Math.min(editDistance(word.toLowerCase(), c.toLowerCase()),
      editDistance(word.replace(/[_-]/g, ''), c.replace(/[_-]/g, '')));
    if (d < bestDistance) { best = c; bestDistance = d; }
  }
  return bestDistance <= limit ? best : null;
}
