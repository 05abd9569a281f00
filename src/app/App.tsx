import { useEffect, useState } from 'react';
import type { AdapterSummary } from '../gpu/adapter.ts';
import { EngineClient } from '../worker/client.ts';
import { GpuStatus } from './GpuStatus.tsx';
import { NoWebGPU } from './NoWebGPU.tsx';

type Boot =
  | { state: 'starting' }
  | { state: 'ready'; engine: EngineClient; adapter: AdapterSummary }
  | { state: 'no-webgpu'; detail: string }
  | { state: 'failed'; detail: string };

export function App() {
  const [boot, setBoot] = useState<Boot>(() =>
    'gpu' in navigator && navigator.gpu
      ? { state: 'starting' }
      : { state: 'no-webgpu', detail: 'This browser exposes no navigator.gpu.' },
  );

  useEffect(() => {
    if (!('gpu' in navigator && navigator.gpu)) return;
    const engine = EngineClient.create();
    engine.call('init', {}).then(
      ({ adapter }) => setBoot({ state: 'ready', engine, adapter }),
      (e: Error) =>
        setBoot(
          e.name === 'WebGPUUnavailableError'
            ? { state: 'no-webgpu', detail: e.message }
            : { state: 'failed', detail: e.message },
        ),
    );
    return () => engine.terminate();
  }, []);

  if (boot.state === 'no-webgpu') return <NoWebGPU detail={boot.detail} />;
  return (
    <div className="app">
      <header className="app-header">
        <h1>Editscope</h1>
        <p>Edit what a language model knows and watch its next-token probabilities move.</p>
      </header>
      {boot.state === 'starting' && <p>Starting the WebGPU engine…</p>}
      {boot.state === 'failed' && <p className="error">{boot.detail}</p>}
      {boot.state === 'ready' && <GpuStatus engine={boot.engine} adapter={boot.adapter} />}
    </div>
  );
}
