// Top next tokens before and after an edit as grouped horizontal bars (recharts). Before is Okabe-Ito blue,
// after Okabe-Ito orange (told apart under every common colour-vision deficiency, and by position: before is
// always the upper bar). The target and the old answer are named on the axis (★ target, ○ old answer) and
// their bars are drawn at full strength while the others are lighter, so the shift reads at a glance.

import { Bar, BarChart, CartesianGrid, Cell, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatProb, type TokenBarRow } from '../model/chart-data.ts';

export const BEFORE_COLOR = '#0072B2';
export const AFTER_COLOR = '#E69F00';

interface Props {
  rows: TokenBarRow[];
  /** 'after' when the rows carry an edit's before/after; 'before' for a single reading of the current model. */
  state: 'before' | 'after';
  beforeLabel?: string;
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
}: {
  active?: boolean;
  payload?: readonly { payload?: TokenBarRow }[];
  state: Props['state'];
  beforeLabel: string;
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
        <div>After: {row.after === null ? 'not in the top 10' : formatProb(row.after)}</div>
      )}
    </div>
  );
}

export function TokenChart({
  rows,
  state,
  beforeLabel = 'Before',
  compact = false,
  testId = 'token-chart',
  title,
}: Props) {
  const barSize = compact ? 7 : 9;
  const height = 28 + rows.length * (state === 'after' ? barSize * 2 + 10 : barSize + 12);
  const strength = (r: TokenBarRow) => (r.isTarget || r.isOldAnswer ? 1 : 0.55);
  return (
    <figure className="token-chart" data-testid={testId} data-state={state} aria-label={title}>
      <ResponsiveContainer width="100%" height={height}>
        <BarChart
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
            tick={{ fontSize: 11 }}
            stroke="#9ca3af"
          />
          <YAxis
            type="category"
            dataKey="label"
            width={compact ? 86 : 108}
            interval={0}
            tickLine={false}
            stroke="#9ca3af"
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
              />
            )}
          />
          <Bar
            dataKey="before"
            name={beforeLabel}
            fill={BEFORE_COLOR}
            barSize={barSize}
            isAnimationActive={false}
          >
            {rows.map((r) => (
              <Cell key={r.token} fillOpacity={strength(r)} />
            ))}
          </Bar>
          {state === 'after' && (
            <Bar dataKey="after" name="After" fill={AFTER_COLOR} barSize={barSize} isAnimationActive={false}>
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
              {state === 'after' && <th>after</th>}
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

export function ChartLegend({ beforeLabel = 'Before edit' }: { beforeLabel?: string }) {
  return (
    <div className="legend" aria-hidden="true">
      <span>
        <i style={{ background: BEFORE_COLOR }} /> {beforeLabel}
      </span>
      <span>
        <i style={{ background: AFTER_COLOR }} /> After edit
      </span>
      <span>★ target</span>
      <span>○ old answer</span>
    </div>
  );
}
