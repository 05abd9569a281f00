// "Compute ROME statistics": shown under the method picker when the loaded model has no ROME key statistics
// (a hub model, a local folder). The worker computes them (src/worker/rome-stats.ts: the model's corpus.tsv
// when it ships one, else text the model samples itself), with progress and Cancel, caches them in the
// browser under the weights' fingerprint, and ROME becomes available. Self-contained state: it only updates
// the model's method list in the store.

import { useRef, useState } from 'react';
import { useApp } from '../store/index.ts';
import { getEngine, isCancelled, messageOf } from '../store/actions/engine-ref.ts';

const TOKEN_CHOICES = [5_000, 20_000, 50_000];

type Phase =
  | { kind: 'idle' }
  | { kind: 'running'; stage: string; fraction: number | null }
  | { kind: 'done'; message: string }
  | { kind: 'error'; message: string };

export function RomeStats() {
  const info = useApp((s) => s.model.info);
  const status = useApp((s) => s.model.status);
  const editCount = useApp((s) => s.edits.length);
  const setModel = useApp((s) => s.setModel);
  const [tokens, setTokens] = useState(20_000);
  const [phase, setPhase] = useState<Phase>({ kind: 'idle' });
  const abort = useRef<AbortController | null>(null);
  if (status !== 'ready' || !info) return null;
  if (info.methods.includes('rome') && phase.kind !== 'done') return null;

  const run = async () => {
    abort.current = new AbortController();
    setPhase({ kind: 'running', stage: 'Starting', fraction: 0 });
    try {
      const r = await getEngine().call(
        'computeRomeStats',
        { tokens },
        {
          signal: abort.current.signal,
          onProgress: (p) => setPhase({ kind: 'running', stage: p.stage, fraction: p.fraction }),
        },
      );
      setModel({ info: { ...info, methods: r.methods } });
      const from = r.source === 'self' ? 'text the model sampled itself' : "the model's corpus";
      const how = r.fromCache
        ? 'found in this browser’s cache'
        : `computed over ${r.tokens.toLocaleString()} tokens of ${from} in ${r.seconds.toFixed(0)} s`;
      setPhase({
        kind: 'done',
        message: `ROME is ready: statistics for block ${r.layer} ${how}.${r.note ? ` ${r.note}` : ''}`,
      });
    } catch (e) {
      setPhase(isCancelled(e) ? { kind: 'idle' } : { kind: 'error', message: messageOf(e) });
    } finally {
      abort.current = null;
    }
  };

  if (phase.kind === 'done')
    return (
      <p className="rome-stats note" role="status" data-testid="rome-stats-done">
        {phase.message}
      </p>
    );
  return (
    <div className="rome-stats" data-testid="rome-stats">
      <p>
        ROME needs its key statistics for this model (E[k kᵀ] at the edited block). They are computed here, on
        your GPU, from the model’s corpus.tsv when it ships one, else from text the model samples itself, and
        kept in this browser for these weights.
      </p>
      {phase.kind === 'running' ? (
        <div role="status" aria-live="polite" data-testid="rome-stats-progress">
          <span>{phase.stage}</span>{' '}
          {phase.fraction !== null && <span>{Math.round(phase.fraction * 100)}%</span>}
          <progress max={1} value={phase.fraction ?? undefined} aria-label="ROME statistics" />
          <button type="button" onClick={() => abort.current?.abort()} data-testid="rome-stats-cancel">
            Cancel
          </button>
        </div>
      ) : (
        <div className="rome-stats-row">
          <label>
            Tokens{' '}
            <select
              value={tokens}
              onChange={(e) => setTokens(Number(e.target.value))}
              data-testid="rome-stats-tokens"
            >
              {TOKEN_CHOICES.map((n) => (
                <option key={n} value={n}>
                  {n.toLocaleString()}
                </option>
              ))}
            </select>
          </label>{' '}
          <button
            type="button"
            onClick={run}
            disabled={editCount > 0}
            title={
              editCount > 0
                ? 'The statistics are taken on the unedited model: undo or reset your edits first.'
                : undefined
            }
            data-testid="rome-stats-compute"
          >
            Compute ROME statistics
          </button>
        </div>
      )}
      {phase.kind === 'error' && (
        <p className="error" role="alert" data-testid="rome-stats-error">
          {phase.message}
        </p>
      )}
    </div>
  );
}
