// The edit's summary numbers, each with its explanation: reliability and generality (with exact match and the
// unedited model's floor beneath), locality, KL, the update size and latency. A metric with no probe to
// measure it reads "no probes" (add one), never a bare "n/a".

import type { EditMetrics } from '../../engine/types.ts';
import { formatLatency, formatMetric } from '../model/chart-data.ts';
import { METRIC_EXPLANATIONS, type MetricName } from '../model/explanations.ts';

export interface MetricValue {
  shown: string;
  value: number;
  /** A second line: exact match and the unedited floor, where the engine measured them. */
  note?: string;
}

const shownOr = (x: number, text: string, empty: string) => (Number.isFinite(x) ? text : empty);

/** "exact 86% · unedited 12%", leaving out what was not measured. */
function honestNote(exact: number | undefined, floor: number | undefined): string | undefined {
  const parts = [
    Number.isFinite(exact) ? `exact ${formatMetric(exact!)}` : null,
    Number.isFinite(floor) ? `unedited ${formatMetric(floor!)}` : null,
  ].filter((p): p is string => p !== null);
  return parts.length ? parts.join(' · ') : undefined;
}

/** ‖ΔW‖/‖W‖ as a share of the weights' norm: "24.4% of ‖W‖". */
export function formatUpdateSize(x: number | undefined): string {
  return Number.isFinite(x) ? `${formatMetric(x!)} of ‖W‖` : 'not measured';
}

export function metricValues(o: {
  metrics: EditMetrics;
  latencyMs: number;
}): Record<MetricName, MetricValue> {
  const m = o.metrics;
  return {
    reliability: {
      shown: formatMetric(m.reliability),
      value: m.reliability,
      note: honestNote(m.reliabilityExact, m.reliabilityFloor),
    },
    generality: {
      shown: shownOr(m.generality, formatMetric(m.generality), 'no probes'),
      value: m.generality,
      note: Number.isFinite(m.generality) ? honestNote(m.generalityExact, m.generalityFloor) : undefined,
    },
    locality: { shown: shownOr(m.locality, formatMetric(m.locality), 'no probes'), value: m.locality },
    kl: { shown: shownOr(m.kl, m.kl.toFixed(3), 'not measured'), value: m.kl },
    update: { shown: formatUpdateSize(m.updateSize), value: m.updateSize ?? NaN },
    latency: { shown: formatLatency(o.latencyMs), value: o.latencyMs },
  };
}

export const METRIC_ORDER: MetricName[] = [
  'reliability',
  'generality',
  'locality',
  'kl',
  'update',
  'latency',
];

export function MetricsCards({ metrics, latencyMs }: { metrics: EditMetrics; latencyMs: number }) {
  const values = metricValues({ metrics, latencyMs });
  return (
    <div className="metrics" data-testid="metrics">
      {METRIC_ORDER.map((name) => (
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
            {values[name].note && (
              <span className="metric-note" data-testid={`metric-${name}-note`}>
                {values[name].note}
              </span>
            )}
            <span className="metric-more">what is this?</span>
          </summary>
          <p>{METRIC_EXPLANATIONS[name].text}</p>
        </details>
      ))}
    </div>
  );
}
