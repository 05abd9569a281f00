// The edit's summary numbers, each with its explanation: reliability, generality, locality, KL, latency.

import type { EditOutcome } from '../../engine/types.ts';
import { formatLatency, formatMetric } from '../model/chart-data.ts';
import { METRIC_EXPLANATIONS, type MetricName } from '../model/explanations.ts';

export function metricValues(o: EditOutcome): Record<MetricName, { shown: string; value: number }> {
  const m = o.metrics;
  return {
    reliability: { shown: formatMetric(m.reliability), value: m.reliability },
    generality: { shown: formatMetric(m.generality), value: m.generality },
    locality: { shown: formatMetric(m.locality), value: m.locality },
    kl: { shown: Number.isFinite(m.kl) ? m.kl.toFixed(3) : 'n/a', value: m.kl },
    latency: { shown: formatLatency(o.latencyMs), value: o.latencyMs },
  };
}

const ORDER: MetricName[] = ['reliability', 'generality', 'locality', 'kl', 'latency'];

export function MetricsCards({ outcome }: { outcome: EditOutcome }) {
  const values = metricValues(outcome);
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
            <span className="metric-value">{values[name].shown}</span>
            <span className="metric-more">what is this?</span>
          </summary>
          <p>{METRIC_EXPLANATIONS[name].text}</p>
        </details>
      ))}
    </div>
  );
}
