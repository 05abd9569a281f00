// A fixed, evenly spaced sample of a dataset: the benchmark files are ordered by relation (fact-world v2's
// first 100 test edits are all about countries), so `--limit N` would measure one domain. Spreading N picks
// over the whole file keeps every relation in proportion and is reproducible without a seed.

/** The cases at positions ⌊i·len/n⌋ (i < n), in file order, and the rest (for unrelated probes). */
export function spreadSample<T>(all: readonly T[], n: number): { picked: T[]; rest: T[] } {
  if (n >= all.length) return { picked: [...all], rest: [] };
  const at = new Set(Array.from({ length: n }, (_, i) => Math.floor((i * all.length) / n)));
  return { picked: all.filter((_, i) => at.has(i)), rest: all.filter((_, i) => !at.has(i)) };
}
