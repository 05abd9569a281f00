// The live training chart: the weighted loss per step (left axis) and the held-out validation scores
// (reliability, generality, locality on the right axis, 0-100 %) as the worker reports them. One tab stop
// (recharts' keyboard layer is off): the figure, named by its caption (the summary sentence), with the numbers as a table for screen
// readers. Okabe-Ito colours, told apart by dash pattern too.

import { memo } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { CurvePoint, ValidationPoint } from '../../editors/training/loop.ts';

const LOSS = '#0072B2';
const REL = '#E69F00';
const GEN = '#009E73';
const LOC = '#CC79A7';
/** Points drawn at most (a long run is thinned evenly; the table keeps the exact numbers). */
const MAX_POINTS = 400;

interface Row {
  step: number;
  loss?: number;
  reliability?: number;
  generality?: number;
  locality?: number;
}

function rows(curve: CurvePoint[], history: ValidationPoint[]): Row[] {
  const every = Math.max(1, Math.ceil(curve.length / MAX_POINTS));
  const byStep = new Map<number, Row>();
  curve.forEach((p, i) => {
    if (i % every === 0 || i === curve.length - 1) byStep.set(p.step, { step: p.step, loss: p.loss });
  });
  for (const v of history) {
    const r = byStep.get(v.step) ?? { step: v.step };
    r.reliability = 100 * v.scores.reliability;
    r.generality = 100 * v.scores.generality;
    r.locality = 100 * v.scores.locality;
    byStep.set(v.step, r);
  }
  return [...byStep.values()].sort((a, b) => a.step - b.step);
}

const f4 = (x: number) => x.toFixed(4);
const pct = (x: number) => `${(100 * x).toFixed(1)} %`;

/** One sentence for the figure's name: where the loss started and is now, and the last validation. */
export function curveSummary(curve: CurvePoint[], history: ValidationPoint[]): string {
  if (curve.length === 0) return 'Training loss: no step yet.';
  const first = curve[0];
  const last = curve.at(-1)!;
  const v = history.at(-1);
  const val = v
    ? ` Validation at step ${v.step}: reliability ${pct(v.scores.reliability)}, generality ${pct(v.scores.generality)}, locality ${pct(v.scores.locality)}.`
    : '';
  return `Training loss ${f4(first.loss)} at step ${first.step}, ${f4(last.loss)} at step ${last.step}.${val}`;
}

function TrainEditorChartView({ curve, history }: { curve: CurvePoint[]; history: ValidationPoint[] }) {
  const data = rows(curve, history);
  const summary = curveSummary(curve, history);
  // The table lists every 10th step (and the last) so a long run stays readable; validations all.
  const tableSteps = curve.filter((_, i) => i % 10 === 0 || i === curve.length - 1);
  return (
    <figure
      className="train-chart"
      data-testid="train-chart"
      data-steps={curve.length}
      data-first-losses={curve
        .slice(0, 20)
        .map((p) => p.loss)
        .join(' ')}
      tabIndex={0}
    >
      <ResponsiveContainer width="100%" height={200}>
        <LineChart accessibilityLayer={false} data={data} margin={{ top: 6, right: 4, bottom: 4, left: 0 }}>
          <CartesianGrid stroke="#e5e7eb" />
          <XAxis dataKey="step" type="number" domain={['dataMin', 'dataMax']} tick={{ fontSize: 11 }} />
          <YAxis yAxisId="loss" width={44} tick={{ fontSize: 11 }} />
          <YAxis yAxisId="val" orientation="right" domain={[0, 100]} width={34} tick={{ fontSize: 11 }} />
          <Tooltip formatter={(v, name) => (name === 'loss' ? f4(Number(v)) : `${Number(v).toFixed(1)} %`)} />
          <Legend wrapperStyle={{ fontSize: 11 }} />
          <Line
            yAxisId="loss"
            dataKey="loss"
            name="loss"
            stroke={LOSS}
            dot={false}
            isAnimationActive={false}
            connectNulls
          />
          {history.length > 0 && (
            <>
              <Line
                yAxisId="val"
                dataKey="reliability"
                name="val. reliability"
                stroke={REL}
                strokeDasharray="6 3"
                isAnimationActive={false}
                connectNulls
              />
              <Line
                yAxisId="val"
                dataKey="generality"
                name="val. generality"
                stroke={GEN}
                strokeDasharray="2 2"
                isAnimationActive={false}
                connectNulls
              />
              <Line
                yAxisId="val"
                dataKey="locality"
                name="val. locality"
                stroke={LOC}
                strokeDasharray="8 2 2 2"
                isAnimationActive={false}
                connectNulls
              />
            </>
          )}
        </LineChart>
      </ResponsiveContainer>
      <figcaption className="muted">{summary}</figcaption>
      <div className="sr-only">
        <table>
          <caption>Training loss by step</caption>
          <thead>
            <tr>
              <th>step</th>
              <th>loss</th>
            </tr>
          </thead>
          <tbody>
            {tableSteps.map((p) => (
              <tr key={p.step}>
                <td>{p.step}</td>
                <td>{f4(p.loss)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {history.length > 0 && (
          <table>
            <caption>Validation on held-out edits</caption>
            <thead>
              <tr>
                <th>step</th>
                <th>reliability</th>
                <th>generality</th>
                <th>locality</th>
              </tr>
            </thead>
            <tbody>
              {history.map((v) => (
                <tr key={v.step}>
                  <td>{v.step}</td>
                  <td>{pct(v.scores.reliability)}</td>
                  <td>{pct(v.scores.generality)}</td>
                  <td>{pct(v.scores.locality)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </figure>
  );
}

export const TrainEditorChart = memo(TrainEditorChartView);
