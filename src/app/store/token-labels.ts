// Labels for tokens that are part of a UTF-8 character: their bytes, `<0xF0 0x9F>`, from the vocabulary piece
// the worker reads (tokenPieces). Looked up once per token id and model; the charts read them through
// useTokenLabels. A separate small store: it is a cache, not session state.

import { useEffect } from 'react';
import { create } from 'zustand';
import { bytesLabel, isPartialText, pieceBytes } from '../model/token-bytes.ts';
import type { TokenBarRow } from '../model/chart-data.ts';
import { getEngine } from './actions/engine-ref.ts';
import { useApp } from './index.ts';

interface Labels {
  model: string | null;
  labels: Record<number, string>;
}

const useLabels = create<Labels>(() => ({ model: null, labels: {} }));
const asked = new Set<string>();

async function lookUp(ids: number[], model: string) {
  const fresh = ids.filter((id) => !asked.has(`${model}:${id}`));
  if (fresh.length === 0) return;
  for (const id of fresh) asked.add(`${model}:${id}`);
  try {
    const { pieces } = await getEngine().call('tokenPieces', { ids: fresh });
    const found: Record<number, string> = {};
    fresh.forEach((id, i) => {
      const bytes = pieces[i] === null ? null : pieceBytes(pieces[i]!);
      found[id] = bytes ? bytesLabel(bytes) : `<token ${id}>`;
    });
    useLabels.setState((s) => ({
      model,
      labels: s.model === model ? { ...s.labels, ...found } : found,
    }));
  } catch {
    for (const id of fresh) asked.delete(`${model}:${id}`);
  }
}

// chart-data keys partial tokens as "<text>\u0000<id>".
const isPartial = (r: TokenBarRow) => r.token.includes('\u0000') || isPartialText(r.token);

/** The rows with partial-UTF-8 tokens relabelled as their bytes (once the worker answered). */
export function useTokenLabels(rows: TokenBarRow[]): TokenBarRow[] {
  const model = useApp((s) => (s.model.status === 'ready' ? (s.model.info?.name ?? null) : null));
  const labels = useLabels((s) => (s.model === model ? s.labels : null));
  const partial = rows.filter((r) => r.id !== undefined && isPartial(r)).map((r) => r.id!);
  const key = partial.join(',');
  useEffect(() => {
    if (model && key) void lookUp(key.split(',').map(Number), model);
  }, [model, key]);
  if (!labels || partial.length === 0) return rows;
  return rows.map((r) =>
    r.id !== undefined && labels[r.id] && isPartial(r) ? { ...r, label: labels[r.id] } : r,
  );
}
