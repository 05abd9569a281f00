// Compare: the draft edit run with several methods on the same model state (each run applies, reads and
// reverts; see store/actions/compare.ts), their metrics in one table and their charts side by side.

import type { EditOutcome, MethodName, ProbeReading } from '../../engine/types.ts';
import { formatProb, formatRank, tokenBarRows } from '../model/chart-data.ts';
import { METRIC_EXPLANATIONS } from '../model/explanations.ts';
import { methodLabel } from '../model/method-settings.ts';
import { METHOD_NAMES } from '../permalink/schema.ts';
import { selectBusy, selectMethods, useApp } from '../store/index.ts';
import { runCompare, toggleCompareMethod } from '../store/actions/compare.ts';
import { METRIC_ORDER, metricValues, type MetricValue } from './MetricsCards.tsx';
import { ChartLegend, TokenChart } from './TokenChart.tsx';

export function CompareView() {
  const chosen = useApp((s) => s.compare.methods);
  const runs = useApp((s) => s.compare.runs);
  const available = useApp(selectMethods);
  const busy = useApp(selectBusy);
  const done = runs.filter((r): r is typeof r & { outcome: EditOutcome } => r.outcome !== undefined);

  return (
    <div className="compare" data-testid="compare-panel">
      <header className="result-head">
        <h2>Compare methods on the same edit</h2>
        <p className="muted">
          Each method edits the current model, is measured, and is undone, so all start from the same weights
          and your history is untouched.
        </p>
      </header>
      <div className="compare-controls">
        {METHOD_NAMES.map((m) => (
          <label
            key={m}
            className={available.includes(m) ? '' : 'unavailable'}
            title={available.includes(m) ? undefined : 'No editor for this model'}
          >
            <input
              type="checkbox"
              checked={chosen.includes(m)}
              onChange={(e) => toggleCompareMethod(m, e.target.checked)}
              data-testid={`compare-method-${m}`}
            />
            {methodLabel(m)}
          </label>
        ))}
        <button
          className="btn-primary"
          onClick={runCompare}
          disabled={busy || chosen.length === 0}
          data-testid="compare-start"
        >
          Run comparison
        </button>
      </div>
      {runs.length > 0 && (
        <table className="compare-table" data-testid="compare-metrics">
          <thead>
            <tr>
              <th scope="col">Metric</th>
              {runs.map((r) => (
                <th
                  key={r.method}
                  scope="col"
                  data-testid="compare-column"
                  data-method={r.method}
                  data-status={r.status}
                >
                  {methodLabel(r.method)}
                  <span className={`run-status ${r.status}`}>{r.status === 'done' ? '' : r.status}</span>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {METRIC_ORDER.map((name) => (
              <tr key={name}>
                <th scope="row" title={METRIC_EXPLANATIONS[name].text}>
                  {METRIC_EXPLANATIONS[name].title}
                </th>
                {runs.map((r) => (
                  <td key={r.method} data-testid={`compare-${name}`} data-method={r.method}>
                    {r.outcome ? <CompareValue value={metricValues(r.outcome)[name]} /> : '–'}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {runs
        .filter((r) => r.error)
        .map((r) => (
          <p key={r.method} className="error" data-testid="compare-error" data-method={r.method}>
            {methodLabel(r.method)}: {r.error}
          </p>
        ))}
      {done.length > 0 && <ChartLegend />}
      {done.length > 0 && <CompareCharts runs={done} />}
    </div>
  );
}

function CompareValue({ value }: { value: MetricValue }) {
  return (
    <>
      {value.shown}
      {value.note && <span className="compare-note">{value.note}</span>}
    </>
  );
}

function CompareCharts({ runs }: { runs: { method: MethodName; outcome: EditOutcome }[] }) {
  const first = runs[0].outcome;
  const rowsOf = (pick: (o: EditOutcome) => ProbeReading | undefined) =>
    runs.map((r) => ({ method: r.method, reading: pick(r.outcome) }));
  const prompts: { label: string; group: string; cells: ReturnType<typeof rowsOf> }[] = [
    { label: first.request.prompt, group: 'Edit prompt', cells: rowsOf((o) => o.prompt) },
    ...first.gen.map((g, i) => ({ label: g.text, group: 'Generalization', cells: rowsOf((o) => o.gen[i]) })),
    ...first.loc.map((l, i) => ({ label: l.text, group: 'Locality', cells: rowsOf((o) => o.loc[i]) })),
  ];
  return (
    <div className="compare-grid">
      {prompts.map((p) => (
        <section key={`${p.group}:${p.label}`} className="compare-row">
          <h3>
            <span className="muted">{p.group}:</span> {p.label}
          </h3>
          <div
            className="compare-cells"
            style={{ gridTemplateColumns: `repeat(${runs.length}, minmax(0, 1fr))` }}
          >
            {p.cells.map(({ method, reading }) =>
              reading ? (
                <div key={method} className="compare-cell" data-method={method}>
                  <div className="compare-cell-head">
                    <strong>{methodLabel(method)}</strong>
                    <span className={`badge ${reading.success ? 'pass' : 'fail'}`}>
                      {reading.success ? '✓' : '✗'}
                    </span>
                  </div>
                  {reading.target && (
                    <p className="target-line small">
                      p {formatProb(reading.target.probBefore)} →{' '}
                      <strong>{formatProb(reading.target.probAfter)}</strong> ·{' '}
                      {formatRank(reading.target.rankBefore)} → {formatRank(reading.target.rankAfter)}
                    </p>
                  )}
                  <TokenChart
                    rows={tokenBarRows(reading, reading.target?.token, 4)}
                    state="after"
                    compact
                    title={`${methodLabel(method)}: ${p.label}`}
                    testId="compare-chart"
                  />
                </div>
              ) : (
                <div key={method} />
              ),
            )}
          </div>
        </section>
      ))}
    </div>
  );
}
