import { useEffect, useState } from 'react';
import type { AdapterSummary } from '../gpu/adapter.ts';
import { EngineClient } from '../worker/client.ts';
import { NoWebGPU } from './NoWebGPU.tsx';
import { Playground } from './components/Playground.tsx';
import { useApp } from './store/index.ts';
import { setEngine } from './store/actions/engine-ref.ts';
import { bootFromLocation, openSession } from './store/actions/session.ts';
import { startPermalinkSync } from './store/permalink-sync.ts';
import { decodeHash } from './permalink/codec.ts';

type Boot =
  | { state: 'starting' }
  | { state: 'ready'; engine: EngineClient; adapter: AdapterSummary }
  | { state: 'no-webgpu'; detail: string }
  | { state: 'failed'; detail: string };

/** Wires the engine to the store: device-loss banners, the session from the link, the link kept in sync. */
function connect(engine: EngineClient): () => void {
  setEngine(engine);
  const { showBanner, dismissBanner } = useApp.getState();
  const offLost = engine.onDeviceLost((message) =>
    showBanner({
      id: 'device',
      kind: 'device',
      message: `${message} The engine is restarting the GPU and replaying your edits; the session is safe in the link.`,
    }),
  );
  const offRecovered = engine.onDeviceRecovered(() => {
    dismissBanner('device');
    showBanner({ id: 'device-ok', kind: 'info', message: 'The GPU is back and your edits were replayed.' });
  });
  let stopSync = () => {};
  bootFromLocation(location.hash).finally(() => (stopSync = startPermalinkSync()));
  // A link pasted into this tab's address bar opens that session.
  const onHash = () => {
    decodeHash(location.hash).then(
      (doc) => doc && openSession(doc),
      (e: Error) =>
        showBanner({ id: 'link', kind: 'link', message: `${e.message} The current session stays open.` }),
    );
  };
  window.addEventListener('hashchange', onHash);
  return () => {
    offLost();
    offRecovered();
    stopSync();
    window.removeEventListener('hashchange', onHash);
    setEngine(null);
  };
}

export function App() {
  const [boot, setBoot] = useState<Boot>(() =>
    'gpu' in navigator && navigator.gpu
      ? { state: 'starting' }
      : { state: 'no-webgpu', detail: 'This browser exposes no navigator.gpu.' },
  );

  useEffect(() => {
    if (!('gpu' in navigator && navigator.gpu)) return;
    const engine = EngineClient.create();
    let disconnect = () => {};
    let alive = true;
    engine.call('init', {}).then(
      ({ adapter }) => {
        if (!alive) return;
        disconnect = connect(engine);
        setBoot({ state: 'ready', engine, adapter });
      },
      (e: Error) =>
        setBoot(
          e.name === 'WebGPUUnavailableError'
            ? { state: 'no-webgpu', detail: e.message }
            : { state: 'failed', detail: e.message },
        ),
    );
    return () => {
      alive = false;
      disconnect();
      engine.terminate();
    };
  }, []);

  if (boot.state === 'no-webgpu') return <NoWebGPU detail={boot.detail} />;
  return (
    <div className="app">
      <header className="app-header">
        <h1>Editscope</h1>
        <p>Edit what a language model knows and watch its next-token probabilities move.</p>
      </header>
      {boot.state === 'starting' && <p className="muted">Starting the WebGPU engine…</p>}
      {boot.state === 'failed' && (
        <p className="error" data-testid="engine-error">
          {boot.detail}
        </p>
      )}
      {boot.state === 'ready' && <Playground engine={boot.engine} adapter={boot.adapter} />}
    </div>
  );
}
