// Top next tokens before and after an edit as grouped horizontal bars (recharts). Before is Okabe-Ito blue,
// after Okabe-Ito orange (told apart under every common colour-vision deficiency, and by position: before is
// always the upper bar). The target and the old answer are named on the axis (★ target, ○ old answer) and
// their bars are drawn at full strength while the others are lighter, so the shift reads at a glance.

import { memo } from 'react';
import { Bar, BarChart, CartesianGrid, Cell, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatProb, sameRows, type TokenBarRow } from '../model/chart-data.ts';
import { useTokenLabels } from '../store/token-labels.ts';

export const BEFORE_COLOR = '#0072B2';
export const AFTER_COLOR = '#E69F00';
/** The current model's reading on a probe the shown edit did not measure (Okabe-Ito bluish green). */
export const NOW_COLOR = '#009E73';

interface Props {
  rows: TokenBarRow[];
  /**
   * 'after' when the rows carry an edit's before/after; 'before' for a single reading of the current model
   * (no edit shown); 'now' for the current model on a probe the shown edit did not measure.
   */
  state: 'before' | 'after' | 'now';
  beforeLabel?: string;
  afterLabel?: string;
  compact?: boolean;
  testId?: string;
  title: string;
}

function TokenTick({
  x,
  y,
  payload,
  rows,
}: {
  x?: number | string;
  y?: number | string;
  payload?: { value: string };
  rows: TokenBarRow[];
}) {
  const row = rows.find((r) => r.label === payload?.value);
  const mark = row?.isTarget ? '★ ' : row?.isOldAnswer ? '○ ' : '';
  return (
    <text
      x={Number(x)}
      y={Number(y)}
      dy={4}
      textAnchor="end"
      className={`tick${row?.isTarget ? ' tick-target' : ''}${row?.isOldAnswer ? ' tick-old' : ''}`}
    >
      {mark}
      {payload?.value}
    </text>
  );
}

function TooltipBody({
  active,
  payload,
  state,
  beforeLabel,
  afterLabel,
}: {
  active?: boolean;
  payload?: readonly { payload?: TokenBarRow }[];
  state: Props['state'];
  beforeLabel: string;
  afterLabel: string;
}) {
  const row = payload?.[0]?.payload;
  if (!active || !row) return null;
  return (
    <div className="chart-tooltip">
      <strong className="tok">{row.label}</strong>
      {row.isTarget && <span className="tag tag-target">target</span>}
      {row.isOldAnswer && <span className="tag tag-old">old answer</span>}
      <div>
        {beforeLabel}: {row.before === null ? 'not in the top 10' : formatProb(row.before)}
      </div>
      {state === 'after' && (
        <div>
          {afterLabel}: {row.after === null ? 'not in the top 10' : formatProb(row.after)}
        </div>
      )}
    </div>
  );
}

function TokenChartView({
  rows: rawRows,
  state,
  beforeLabel = 'Before',
  afterLabel = 'After',
  compact = false,
  testId = 'token-chart',
  title,
}: Props) {
  const rows = useTokenLabels(rawRows);
  const barSize = compact ? 7 : 9;
  const height = 28 + rows.length * (state === 'after' ? barSize * 2 + 10 : barSize + 12);
  const strength = (r: TokenBarRow) => (r.isTarget || r.isOldAnswer ? 1 : 0.55);
  return (
    // One tab stop per chart (recharts' own keyboard layer is off): the figure, named by its title, with the
    // numbers as a table for screen readers.
    <figure className="token-chart" data-testid={testId} data-state={state} aria-label={title} tabIndex={0}>
      <ResponsiveContainer width="100%" height={height}>
        <BarChart
          accessibilityLayer={false}
          data={rows}
          layout="vertical"
          margin={{ top: 4, right: 16, bottom: 4, left: 4 }}
          barGap={1}
          barCategoryGap={4}
        >
          <CartesianGrid horizontal={false} stroke="#e5e7eb" />
          <XAxis
            type="number"
            domain={[0, 1]}
            tickFormatter={(v: number) => `${Math.round(v * 100)}%`}
            tick={{ fontSize: 11, fill: '#4b5563' }}
            stroke="#6b7280"
          />
          <YAxis
            type="category"
            dataKey="label"
            width={compact ? 86 : 108}
            interval={0}
            tickLine={false}
            stroke="#6b7280"
            tick={(props: { x?: number | string; y?: number | string; payload?: { value: string } }) => (
              <TokenTick {...props} rows={rows} />
            )}
          />
          <Tooltip
            cursor={{ fill: 'rgba(0,0,0,0.04)' }}
            content={(p) => (
              <TooltipBody
                active={p.active}
                payload={p.payload as never}
                state={state}
                beforeLabel={beforeLabel}
                afterLabel={afterLabel}
              />
            )}
          />
          <Bar
            dataKey="before"
            name={beforeLabel}
            fill={state === 'now' ? NOW_COLOR : BEFORE_COLOR}
            barSize={barSize}
            isAnimationActive={false}
          >
            {rows.map((r) => (
              <Cell key={r.token} fillOpacity={strength(r)} />
            ))}
          </Bar>
          {state === 'after' && (
            <Bar
              dataKey="after"
              name={afterLabel}
              fill={AFTER_COLOR}
              barSize={barSize}
              isAnimationActive={false}
            >
              {rows.map((r) => (
                <Cell key={r.token} fillOpacity={strength(r)} />
              ))}
            </Bar>
          )}
        </BarChart>
      </ResponsiveContainer>
      {/* The same numbers as text, for screen readers and for tests. */}
      <div className="sr-only">
        <table>
          <caption>{title}</caption>
          <thead>
            <tr>
              <th>token</th>
              <th>{beforeLabel}</th>
              {state === 'after' && <th>{afterLabel}</th>}
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr
                key={r.token}
                data-token={r.token}
                data-target={r.isTarget || undefined}
                data-old={r.isOldAnswer || undefined}
              >
                <td>{r.label}</td>
                <td data-state="before">{formatProb(r.before)}</td>
                {state === 'after' && <td data-state="after">{formatProb(r.after)}</td>}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </figure>
  );
}

// A recharts chart is costly to render (a dozen of them made every keystroke in the edit panel take seconds
// on a CPU adapter): the cards re-render on any draft change with freshly built but equal rows, so the chart
// re-renders only when what it draws changed.
export const TokenChart = memo(
  TokenChartView,
  (a, b) =>
    a.state === b.state &&
    a.beforeLabel === b.beforeLabel &&
    a.afterLabel === b.afterLabel &&
    a.compact === b.compact &&
    a.testId === b.testId &&
    a.title === b.title &&
    sameRows(a.rows, b.rows),
);

/** The chart colours' meaning; "Now" only where some card shows the current model beside an edit. */
export function ChartLegend({
  beforeLabel = 'Before edit',
  afterLabel = 'After edit',
  showNow = false,
}: {
  beforeLabel?: string;
  afterLabel?: string | null;
  showNow?: boolean;
}) {
  return (
    <div className="legend" data-testid="chart-legend">
      <span>
        <i style={{ background: BEFORE_COLOR }} /> {beforeLabel}
      </span>
      {afterLabel && (
        <span>
          <i style={{ background: AFTER_COLOR }} /> {afterLabel}
        </span>
      )}
      {showNow && (
        <span>
          <i style={{ background: NOW_COLOR }} /> Now (probes this edit did not measure)
        </span>
      )}
      <span>★ target</span>
      <span>○ old answer</span>
    </div>
  );
}
