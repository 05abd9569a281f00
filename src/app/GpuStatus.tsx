// The adapter report and the matmul self-check: proof that WebGPU computes correctly in this browser.

import { useState } from 'react';
import { describeAdapter, type AdapterSummary } from '../gpu/adapter.ts';
import type { MatmulCheckResult } from '../gpu/self-check.ts';
import type { EngineClient } from '../worker/client.ts';

export function GpuStatus({ engine, adapter }: { engine: EngineClient; adapter: AdapterSummary }) {
  const [results, setResults] = useState<MatmulCheckResult[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [running, setRunning] = useState(false);

  const run = async () => {
    setRunning(true);
    setError(null);
    try {
      setResults((await engine.call('selfCheck', {})).results);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setRunning(false);
    }
  };

  const allOk = results?.every((r) => r.ok);
  return (
    <section className="gpu-status" aria-label="WebGPU adapter">
      <p>
        Adapter: <strong data-testid="adapter-name">{describeAdapter(adapter)}</strong>
        {adapter.features.includes('shader-f16') ? ' · f16' : ''} · max storage binding{' '}
        {(adapter.maxStorageBufferBindingSize / 2 ** 20).toFixed(0)} MiB
      </p>
      <button onClick={run} disabled={running} data-testid="run-matmul-check">
        {running ? 'Checking…' : 'Run matmul check'}
      </button>
      {error && <p className="error">{error}</p>}
      {results && (
        <div data-testid="matmul-check" data-ok={allOk ? 'true' : 'false'}>
          <p>
            {allOk
              ? 'Both matmul kernels agree with the CPU reference.'
              : 'A matmul kernel disagrees with the CPU reference.'}
          </p>
          <table>
            <thead>
              <tr>
                <th>kernel</th>
                <th>shape</th>
                <th>max |diff|</th>
                <th>ms</th>
              </tr>
            </thead>
            <tbody>
              {results.map((r) => (
                <tr key={`${r.variant}${r.shape}`} className={r.ok ? '' : 'error'}>
                  <td>{r.variant}</td>
                  <td>{r.shape}</td>
                  <td>{r.maxAbsDiff.toExponential(1)}</td>
                  <td>{r.ms.toFixed(1)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
