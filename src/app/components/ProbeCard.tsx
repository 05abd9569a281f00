// One prompt's readings: its text (editable for probes), p(target) and rank before -> after, the top-token
// chart, and whether it passed (generality: now gives the target; locality: kept its answer).

import type { ReactNode } from 'react';
import type { ProbeReading, TokenProb } from '../../engine/types.ts';
import { LIMITS } from '../permalink/schema.ts';
import { LimitedInput } from './LimitedInput.tsx';
import { formatProb, formatRank, tokenBarRows } from '../model/chart-data.ts';
import type { ProbeGroup } from '../store/types.ts';
import { TokenChart } from './TokenChart.tsx';

interface Props {
  group: ProbeGroup | 'prompt';
  text: string;
  /** The edit's reading of this prompt (before and after), when the selected edit measured it. */
  reading?: ProbeReading;
  /** Otherwise: the current model's top tokens (no edit measured it yet). */
  current?: TokenProb[];
  targetToken?: string;
  /** An edit is shown but did not measure this probe: the chart is the current model only, marked so. */
  nowOnly?: boolean;
  afterLabel?: string;
  /** Where the probe came from (auto / yours / written for another subject). */
  tag?: ReactNode;
  onChange?: (text: string) => void;
  onRemove?: () => void;
}

const PASS_TEXT = {
  prompt: ['gives the target', 'does not give the target'],
  gen: ['gives the target', 'does not give the target'],
  loc: ['answer unchanged', 'answer changed'],
};

export function ProbeCard(props: Props) {
  const { group, text, reading, current, targetToken, nowOnly, afterLabel, tag, onChange, onRemove } = props;
  const state = reading ? 'after' : nowOnly ? 'now' : 'before';
  const rows = reading
    ? tokenBarRows(reading, reading.target?.token ?? targetToken)
    : current
      ? tokenBarRows({ before: current, after: [] }, targetToken)
      : null;
  const t = reading?.target;
  return (
    <article
      className={`probe-card probe-${group}`}
      data-testid={group === 'prompt' ? 'prompt-card' : 'probe-card'}
      data-group={group}
      data-probe={text}
      data-state={rows ? state : 'empty'}
    >
      <header className="probe-head">
        {onChange ? (
          <LimitedInput
            className="probe-text"
            value={text}
            limit={LIMITS.textChars}
            onValue={onChange}
            spellCheck={false}
            aria-label={`Probe prompt: ${text}`}
            data-testid="probe-input"
          />
        ) : (
          <p className="probe-text static">{text}</p>
        )}
        {onRemove && (
          <button
            className="btn-ghost"
            onClick={onRemove}
            aria-label={`Remove probe “${text}”`}
            data-testid="remove-probe"
          >
            ×
          </button>
        )}
      </header>
      {(tag || (nowOnly && !reading && rows)) && (
        <p className="probe-tags">
          {tag}
          {nowOnly && !reading && rows && (
            <span className="tag tag-now" data-testid="probe-now">
              added after this edit: current model only
            </span>
          )}
        </p>
      )}
      {reading && (
        <div className="probe-stats">
          <span
            className={`badge ${reading.success ? 'pass' : 'fail'}`}
            data-testid="probe-success"
            data-success={reading.success}
          >
            {reading.success ? '✓' : '✗'} {PASS_TEXT[group][reading.success ? 0 : 1]}
          </span>
          {t && (
            <p className="target-line" data-testid="target-prob">
              p(<span className="tok">{t.token}</span>) {formatProb(t.probBefore)} →{' '}
              <strong>{formatProb(t.probAfter)}</strong>
              <span className="muted">
                {' '}
                · rank {formatRank(t.rankBefore)} → {formatRank(t.rankAfter)}
              </span>
              {reading?.kl !== undefined && <span className="muted"> · KL {reading.kl.toFixed(3)}</span>}
            </p>
          )}
        </div>
      )}
      {rows && rows.length > 0 ? (
        <TokenChart
          rows={rows}
          state={state}
          beforeLabel={reading ? 'Before' : 'Now'}
          afterLabel={afterLabel}
          title={`Next-token probabilities for “${text}”`}
          compact={group !== 'prompt'}
          testId={group === 'prompt' ? 'prompt-chart' : 'probe-chart'}
        />
      ) : (
        <p className="muted chart-empty">{text.trim() ? 'Not read yet.' : 'Type a prompt.'}</p>
      )}
    </article>
  );
}
