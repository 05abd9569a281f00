// The playground's layout: a left column (model, edit panel, history) and the main area (result or compare).

import type { AdapterSummary } from '../../gpu/adapter.ts';
import type { EngineClient } from '../../worker/client.ts';
import { GpuStatus } from '../GpuStatus.tsx';
import { useApp } from '../store/index.ts';
import { Banners } from './Banners.tsx';
import { CompareView } from './CompareView.tsx';
import { EditPanel } from './EditPanel.tsx';
import { History } from './History.tsx';
import { ModelPicker } from './ModelPicker.tsx';
import { ResultView } from './ResultView.tsx';
import { ShareBar } from './ShareBar.tsx';

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
          <History />
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
          </div>
          {view === 'result' ? <ResultView /> : <CompareView />}
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
