// The edit's summary numbers, each with its explanation: reliability, generality, locality, KL, latency.
// A metric with no probe to measure it reads "no probes" (add one), never a bare "n/a".

import type { EditMetrics } from '../../engine/types.ts';
import { formatLatency, formatMetric } from '../model/chart-data.ts';
import { METRIC_EXPLANATIONS, type MetricName } from '../model/explanations.ts';

const shownOr = (x: number, text: string, empty: string) => (Number.isFinite(x) ? text : empty);

export function metricValues(o: {
  metrics: EditMetrics;
  latencyMs: number;
}): Record<MetricName, { shown: string; value: number }> {
  const m = o.metrics;
  return {
    reliability: { shown: formatMetric(m.reliability), value: m.reliability },
    generality: {
      shown: shownOr(m.generality, formatMetric(m.generality), 'no probes'),
      value: m.generality,
    },
    locality: { shown: shownOr(m.locality, formatMetric(m.locality), 'no probes'), value: m.locality },
    kl: { shown: shownOr(m.kl, m.kl.toFixed(3), 'not measured'), value: m.kl },
    latency: { shown: formatLatency(o.latencyMs), value: o.latencyMs },
  };
}

const ORDER: MetricName[] = ['reliability', 'generality', 'locality', 'kl', 'latency'];

export function MetricsCards({ metrics, latencyMs }: { metrics: EditMetrics; latencyMs: number }) {
  const values = metricValues({ metrics, latencyMs });
  return (
    <div className="metrics" data-testid="metrics">
      {ORDER.map((name) => (
        <details
          key={name}
          className="metric-card"
          data-testid={`metric-${name}`}
          data-value={values[name].value}
        >
          <summary>
            <span className="metric-name">{METRIC_EXPLANATIONS[name].title}</span>
            <span className={`metric-value${Number.isFinite(values[name].value) ? '' : ' empty'}`}>
              {values[name].shown}
            </span>
            <span className="metric-more">what is this?</span>
          </summary>
          <p>{METRIC_EXPLANATIONS[name].text}</p>
        </details>
      ))}
    </div>
  );
}
