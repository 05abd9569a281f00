// The edit prompt's greedy continuation (~20 tokens) before and after the edit.

import { AFTER_COLOR, BEFORE_COLOR } from './TokenChart.tsx';

export function Continuation({ prompt, before, after }: { prompt: string; before: string; after: string }) {
  return (
    <section className="continuation" aria-label="Greedy continuation">
      <h3>Greedy continuation</h3>
      <p data-testid="continuation-before">
        <span className="swatch" style={{ background: BEFORE_COLOR }} aria-hidden="true" />
        <span className="cont-label">Before</span>
        <span className="muted">{prompt}</span>
        <span className="cont-text">{before}</span>
      </p>
      <p data-testid="continuation-after">
        <span className="swatch" style={{ background: AFTER_COLOR }} aria-hidden="true" />
        <span className="cont-label">After</span>
        <span className="muted">{prompt}</span>
        <span className="cont-text">{after}</span>
      </p>
    </section>
  );
}
