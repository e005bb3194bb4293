/**
 * "Did you mean …?" for misspelt keys and values. A distance of at most 2 catches the usual
 * slips (`pollIntervall`, `baudrate`, `escpo`) without suggesting something unrelated.
 */

/** Edit distance (insertions, deletions, substitutions), case-sensitive. */
export function levenshtein(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * The candidate closest to `word` within `maxDistance`, or null. Differences in case alone
 * cost nothing (`BaudRate` → `baudRate` is obvious); ties go to the earlier candidate.
 */
export function closest(word: string, candidates: readonly string[], maxDistance = 2): string | null {
  let best: string | null = null;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    if (candidate === word) continue;
    const distance = Math.min(levenshtein(word, candidate), levenshtein(word.toLowerCase(), candidate.toLowerCase()));
    if (distance <= maxDistance && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}
