// Sampled continuations beside the greedy one: temperature, top-p and seed (all in the link), for the edit
// prompt or any of its probes, before (the model without this edit) and after (the model now). The same seed
// gives the same text, so a shared link shows what its author saw.

import { useState } from 'react';
import { selectBusy, useApp } from '../store/index.ts';
import { sampleBoth } from '../store/actions/generate.ts';
import type { AppliedEdit } from '../store/types.ts';

export function Generation({ edit }: { edit: AppliedEdit }) {
  const sampling = useApp((s) => s.sampling);
  const seed = useApp((s) => s.seed);
  const setSampling = useApp((s) => s.setSampling);
  const setSeed = useApp((s) => s.setSeed);
  const busy = useApp(selectBusy);
  const prompts = [edit.outcome.request.prompt, ...edit.gen, ...edit.loc];
  const [prompt, setPrompt] = useState(prompts[0]);
  const [out, setOut] = useState<{ before: string; after: string; key: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const key = JSON.stringify([edit.id, prompt, sampling, seed]);
  const run = async () => {
    setError(null);
    const r = await sampleBoth(edit, prompt).catch((e: Error) => (setError(e.message), null));
    if (r) setOut({ ...r, key });
  };
  const num = (v: string, min: number, max: number) => {
    const x = Number(v);
    return Number.isFinite(x) ? Math.min(max, Math.max(min, x)) : min;
  };
  return (
    <section className="generation" aria-labelledby="gen-title" data-testid="generation">
      <h3 id="gen-title">Sampled continuation</h3>
      <div className="gen-controls">
        <label>
          <span>Prompt</span>
          <select value={prompt} onChange={(e) => setPrompt(e.target.value)} data-testid="gen-prompt">
            {prompts.map((p) => (
              <option key={p}>{p}</option>
            ))}
          </select>
        </label>
        <label>
          <span>Temperature</span>
          <input
            type="number"
            min={0.05}
            max={2}
            step={0.05}
            value={sampling.temperature}
            onChange={(e) => setSampling({ temperature: num(e.target.value, 0.05, 2) })}
            data-testid="gen-temperature"
          />
        </label>
        <label>
          <span>Top-p</span>
          <input
            type="number"
            min={0.05}
            max={1}
            step={0.05}
            value={sampling.topP}
            onChange={(e) => setSampling({ topP: num(e.target.value, 0.05, 1) })}
            data-testid="gen-top-p"
          />
        </label>
        <label>
          <span>Seed</span>
          <input
            type="number"
            min={0}
            step={1}
            value={seed}
            onChange={(e) => setSeed(Math.floor(num(e.target.value, 0, 0x7fffffff)))}
            data-testid="gen-seed"
          />
        </label>
        <button className="btn-small" onClick={run} disabled={busy} data-testid="gen-run">
          Sample
        </button>
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {out && (
        <div className={out.key === key ? '' : 'outdated'} data-testid="gen-output">
          <p data-testid="gen-before">
            <span className="cont-label">Before</span>
            <span className="muted">{prompt}</span>
            <span className="cont-text">{out.before}</span>
          </p>
          <p data-testid="gen-after">
            <span className="cont-label">After</span>
            <span className="muted">{prompt}</span>
            <span className="cont-text">{out.after}</span>
          </p>
          {out.key !== key && <p className="muted small">Settings changed: press Sample again.</p>}
        </div>
      )}
    </section>
  );
}
