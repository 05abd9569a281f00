// The sequential run's curves: retention of every earlier edit, generality and locality (the edits' own
// locality probes and the fixed unrelated facts, both against the UNEDITED model) against the number of edits
// applied, 0-100 %. The numbers are runSequential's (src/eval/sequential.ts), as `editscope eval --sequential`
// prints them. Okabe-Ito colours told apart by dash pattern too; a table of every point for screen readers.

import { memo } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { SequentialPoint } from '../../eval/sequential.ts';

const SERIES = [
  { key: 'retention', name: 'retention', color: '#E69F00', dash: '6 3' },
  { key: 'generality', name: 'generality', color: '#009E73', dash: '2 2' },
  { key: 'locality', name: 'locality', color: '#CC79A7', dash: '8 2 2 2' },
  { key: 'unrelated', name: 'unrelated facts', color: '#0072B2', dash: undefined },
] as const;

type Key = (typeof SERIES)[number]['key'];

const pct = (x: number | null) => (x === null ? '–' : `${(100 * x).toFixed(1)} %`);

/** One sentence naming the figure: where the curves end. */
export function sequentialSummary(points: readonly SequentialPoint[]): string {
  const p = points.at(-1);
  if (!p) return 'No edit measured yet.';
  return (
    `After ${p.n} edit${p.n === 1 ? '' : 's'}: retention ${pct(p.retention)} (exact ${pct(p.retentionExact)}), ` +
    `generality ${pct(p.generality)}, locality ${pct(p.locality)}, unrelated facts ${pct(p.unrelated)}.`
  );
}

function SequentialChartView({ points }: { points: readonly SequentialPoint[] }) {
  const data = points.map((p) => {
    const row: Record<string, number> = { n: p.n };
    for (const s of SERIES) {
      const v = p[s.key as Key];
      if (v !== null) row[s.key] = 100 * v;
    }
    return row;
  });
  return (
    <figure className="train-chart" data-testid="sequential-chart" data-points={points.length} tabIndex={0}>
      <ResponsiveContainer width="100%" height={220}>
        <LineChart accessibilityLayer={false} data={data} margin={{ top: 6, right: 8, bottom: 4, left: 0 }}>
          <CartesianGrid stroke="#e5e7eb" />
          <XAxis
            dataKey="n"
            type="number"
            domain={[1, 'dataMax']}
            allowDecimals={false}
            tick={{ fontSize: 11 }}
            label={{ value: 'edits applied', position: 'insideBottomRight', offset: -2, fontSize: 11 }}
          />
          <YAxis domain={[0, 100]} width={34} tick={{ fontSize: 11 }} />
          <Tooltip formatter={(v) => `${Number(v).toFixed(1)} %`} labelFormatter={(n) => `${n} edits`} />
          <Legend wrapperStyle={{ fontSize: 11 }} />
          {SERIES.map((s) => (
            <Line
              key={s.key}
              dataKey={s.key}
              name={s.name}
              stroke={s.color}
              strokeDasharray={s.dash}
              isAnimationActive={false}
              connectNulls
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
      <figcaption className="muted">{sequentialSummary(points)}</figcaption>
      <div className="sr-only">
        <table data-testid="sequential-table">
          <caption>Sequential editing: scores by number of edits</caption>
          <thead>
            <tr>
              <th>edits</th>
              {SERIES.map((s) => (
                <th key={s.key}>{s.name}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {points.map((p) => (
              <tr key={p.n} data-testid="sequential-row">
                <td>{p.n}</td>
                {SERIES.map((s) => (
                  <td key={s.key}>{pct(p[s.key as Key])}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </figure>
  );
}

export const SequentialChart = memo(SequentialChartView);
