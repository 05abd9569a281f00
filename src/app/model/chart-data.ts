// Shaping ProbeReadings into chart rows: one row per token that is in the top of either distribution, with
// its probability before and after the edit side by side. A token outside one side's top-k has no known
// probability there (null, drawn as no bar, explained in the tooltip) rather than a made-up zero.

import type { ProbeReading, TokenProb } from '../../engine/types.ts';
import { isPartialText } from './token-bytes.ts';

/** How many next tokens the engine returns per prompt (the engine reads the same number: CHART_TOP_K). */
export const CHART_TOP_K = 10;

export interface TokenBarRow {
  /** The raw token string (" Rome"). */
  token: string;
  /** Its id, when a reading gave one (to look up the bytes of a partial UTF-8 token). */
  id?: number;
  /** The token as displayed: leading space as ␣, newlines as ⏎ (so " Rome" and "Rome" differ visibly). */
  label: string;
  before: number | null;
  after: number | null;
  isTarget: boolean;
  /** The pre-edit argmax: the answer the edit is meant to replace (or keep, for a locality probe). */
  isOldAnswer: boolean;
}

/** Whether two row lists draw the same chart (the charts skip re-rendering on equal rows). */
export function sameRows(a: readonly TokenBarRow[], b: readonly TokenBarRow[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  return a.every((r, i) => {
    const q = b[i];
    return (
      r.token === q.token &&
      r.id === q.id &&
      r.label === q.label &&
      r.before === q.before &&
      r.after === q.after &&
      r.isTarget === q.isTarget &&
      r.isOldAnswer === q.isOldAnswer
    );
  });
}

export function displayToken(token: string): string {
  return token.replace(/^ /, '\u2423').replace(/\n/g, '\u23ce').replace(/\t/g, '\u21e5') || '\u2205';
}

/**
 * Rows for the grouped before/after bars: the top `perSide` of each distribution, plus the target and the old
 * answer whenever either side knows them; sorted by the larger of the two probabilities. `target` (the
 * engine's exact p(target) before and after, known even outside the top-k) always gives the target a row.
 */
export function tokenBarRows(
  reading: Pick<ProbeReading, 'before' | 'after'> & { target?: ProbeReading['target'] },
  targetToken: string | undefined,
  perSide = 5,
): TokenBarRow[] {
  // Tokens that are part of a UTF-8 character all decode to U+FFFD (or nothing): keyed by id so two of them
  // never share a row, labelled by id until their bytes are known (store/token-labels.ts).
  const keyed = (list: TokenProb[]) =>
    list.map((t) => (isPartialText(t.token) ? { ...t, token: `${t.token}\u0000${t.id}` } : t));
  reading = { ...reading, before: keyed(reading.before), after: keyed(reading.after) };
  const exact = reading.target && reading.target.token === targetToken ? reading.target : undefined;
  const oldAnswer = reading.before[0]?.token;
  const byToken = (list: TokenProb[]) => new Map(list.map((t) => [t.token, t.prob]));
  const ids = new Map([...reading.before, ...reading.after].map((t) => [t.token, t.id]));
  const before = byToken(reading.before);
  const after = byToken(reading.after);
  const tokens = new Set<string>([
    ...reading.before.slice(0, perSide).map((t) => t.token),
    ...reading.after.slice(0, perSide).map((t) => t.token),
  ]);
  for (const special of [targetToken, oldAnswer])
    if (special !== undefined && (before.has(special) || after.has(special))) tokens.add(special);
  if (exact) {
    tokens.add(exact.token);
    before.set(exact.token, exact.probBefore);
    after.set(exact.token, exact.probAfter);
  }
  const rows = [...tokens].map((token): TokenBarRow => ({
    token,
    id: ids.get(token),
    label: token.includes('\u0000') ? `<token ${ids.get(token)}>` : displayToken(token),
    before: before.get(token) ?? null,
    after: after.get(token) ?? null,
    isTarget: token === targetToken,
    isOldAnswer: token === oldAnswer,
  }));
  return rows.sort((a, b) => Math.max(b.before ?? 0, b.after ?? 0) - Math.max(a.before ?? 0, a.after ?? 0));
}

/** The smallest probability in a top-k list: a token missing from the list has at most this much. */
export function topKFloor(list: TokenProb[]): number | null {
  return list.length ? Math.min(...list.map((t) => t.prob)) : null;
}

/** 0.4312 -> "43.1%", 0.0004 -> "0.04%", 2e-7 -> "2.0e-7". */
export function formatProb(p: number | null | undefined): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return '–';
  if (p >= 0.001) return `${(p * 100).toFixed(p >= 0.1 ? 1 : 2)}%`;
  if (p === 0) return '0';
  return p.toExponential(1);
}

export function formatRank(rank: number | undefined): string {
  return rank === undefined || !Number.isFinite(rank) ? '–' : `#${rank.toLocaleString('en')}`;
}

/** A metric in [0, 1] as a percentage; NaN (no probes of that kind) reads as "n/a". */
export function formatMetric(x: number): string {
  return Number.isFinite(x) ? `${Math.round(x * 1000) / 10}%` : 'n/a';
}

export function formatLatency(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
}
