// The playground's layout: a left column (model, edit panel, history) and the main area (result or compare).

import type { AdapterSummary } from '../../gpu/adapter.ts';
import type { EngineClient } from '../../worker/client.ts';
import { GpuStatus } from '../GpuStatus.tsx';
import { lazy, Suspense, useEffect } from 'react';
import { useApp } from '../store/index.ts';
import { Banners } from './Banners.tsx';
import { EditPanel } from './EditPanel.tsx';
import { History } from './History.tsx';
import { LoadingState } from './LoadingState.tsx';
import { ModelPicker } from './ModelPicker.tsx';
import { RecentSessions } from './RecentSessions.tsx';
import { ResultView } from './ResultView.tsx';
import { ShareBar } from './ShareBar.tsx';

// Compare is not needed for the first chart: its code loads when the tab is first opened.
const CompareView = lazy(() => import('./CompareView.tsx').then((m) => ({ default: m.CompareView })));
// "Train an editor" (issue 12) is not needed for the first chart either.
const TrainEditor = lazy(() => import('./TrainEditor.tsx').then((m) => ({ default: m.TrainEditor })));
// The sequential (lifelong) view (issue 13), below the main view.
const SequentialPanel = lazy(() =>
  import('./SequentialPanel.tsx').then((m) => ({ default: m.SequentialPanel })),
);

/** Presentation mode: a class on <html> that enlarges fonts and bars (styles/present.css). */
function PresentationToggle() {
  const on = useApp((s) => s.presentation);
  const set = useApp((s) => s.setPresentation);
  useEffect(() => {
    document.documentElement.classList.toggle('present', on);
  }, [on]);
  return (
    <button
      className="btn-small"
      aria-pressed={on}
      onClick={() => set(!on)}
      data-testid="presentation-toggle"
      title="Larger text and bars, for a projector"
    >
      {on ? 'Exit presentation' : 'Presentation'}
    </button>
  );
}

export function Playground({ engine, adapter }: { engine: EngineClient; adapter: AdapterSummary }) {
  const view = useApp((s) => s.view);
  const setView = useApp((s) => s.setView);
  const hasRuns = useApp((s) => s.compare.runs.length > 0);
  return (
    <div className="playground">
      <Banners />
      <div className="columns">
        <aside className="sidebar">
          <ModelPicker />
          <EditPanel />
          <Suspense fallback={null}>
            <TrainEditor />
          </Suspense>
          <History />
          <RecentSessions />
        </aside>
        <main className="main">
          <div className="main-bar">
            <div className="tabs" role="tablist" aria-label="View">
              <button
                role="tab"
                aria-selected={view === 'result'}
                className={view === 'result' ? 'active' : ''}
                onClick={() => setView('result')}
                data-testid="view-result"
              >
                Result
              </button>
              <button
                role="tab"
                aria-selected={view === 'compare'}
                className={view === 'compare' ? 'active' : ''}
                onClick={() => setView('compare')}
                data-testid="view-compare"
              >
                Compare{hasRuns ? ' •' : ''}
              </button>
            </div>
            <ShareBar />
            <PresentationToggle />
          </div>
          <LoadingState />
          {view === 'result' ? (
            <ResultView />
          ) : (
            <Suspense fallback={<p className="muted">Opening Compare…</p>}>
              <CompareView />
            </Suspense>
          )}
          <Suspense fallback={null}>
            <SequentialPanel />
          </Suspense>
        </main>
      </div>
      <footer className="footer">
        <GpuStatus engine={engine} adapter={adapter} />
        <p className="muted">
          Everything runs in this browser tab on WebGPU; nothing you type leaves your computer. The link in
          the address bar is the whole session.
        </p>
      </footer>
    </div>
  );
}
