// The weight format a model is loaded in (f32 / f16 / int8 / int4) with what each takes on the GPU: the engine's
// weight plan for the model's config (src/engine/weight-options.ts: linears in the dtype, the embedding/head f16
// or q8_0, the rest f32), asked of the worker before the load. A format the adapter cannot hold (one buffer over
// its binding limit, or more than the memory budget) is shown disabled with the reason. f16 is always offered:
// the packed kernels read f16 words with unpack2x16float (core WGSL), so it needs no shader-f16.

import { useEffect, useState } from 'react';
import type { ModelSource, WeightChoice, WeightDtype } from '../../engine/types.ts';
import { WEIGHT_DTYPES } from '../permalink/schema.ts';
import { getEngine, messageOf } from '../store/actions/engine-ref.ts';

/** Bytes as the picker shows them (MB / GB, decimal, like file sizes). */
export const formatBytes = (b: number) =>
  b >= 1e9
    ? `${(b / 1e9).toFixed(2)} GB`
    : b >= 1e6
      ? `${(b / 1e6).toFixed(1)} MB`
      : `${(b / 1e3).toFixed(0)} kB`;

const asked = new Map<string, Promise<WeightChoice>>();

/** The worker's weight options for a source (once per source per page); null while unknown, with the error. */
export function useWeightOptions(source: ModelSource | null): {
  choice: WeightChoice | null;
  error: string | null;
} {
  const key = source ? JSON.stringify(source) : '';
  const [state, setState] = useState<{ key: string; choice: WeightChoice | null; error: string | null }>({
    key: '',
    choice: null,
    error: null,
  });
  useEffect(() => {
    if (!source) return;
    let p = asked.get(key);
    if (!p) {
      try {
        p = getEngine().call('weightOptions', { source });
      } catch (e) {
        p = Promise.reject(e as Error);
      }
      asked.set(key, p);
      p.catch(() => asked.delete(key)); // a failed look-up is asked again next time
    }
    let live = true;
    p.then(
      (choice) => live && setState({ key, choice, error: null }),
      (e: unknown) => live && setState({ key, choice: null, error: messageOf(e) }),
    );
    return () => {
      live = false;
    };
    // `key` stands for `source` (a fresh object each render).
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  return state.key === key ? state : { choice: null, error: null };
}

export function WeightChoiceField({
  value,
  onChange,
  choice,
  error,
  disabled,
  testId,
}: {
  value: WeightDtype;
  onChange: (d: WeightDtype) => void;
  choice: WeightChoice | null;
  error?: string | null;
  disabled?: boolean;
  testId: string;
}) {
  const chosen = choice?.options.find((o) => o.dtype === value);
  return (
    <div className="weight-choice" data-testid={testId}>
      <div className="segmented small" role="radiogroup" aria-label="Weight format">
        {WEIGHT_DTYPES.map((d) => {
          const option = choice?.options.find((o) => o.dtype === d);
          const refused = option !== undefined && !option.fits;
          return (
            <button
              key={d}
              type="button"
              role="radio"
              aria-checked={d === value}
              className={d === value ? 'active' : ''}
              disabled={disabled || refused}
              title={option?.reason}
              onClick={() => onChange(d)}
              data-testid={`${testId}-${d}`}
              data-bytes={option?.weightBytes}
            >
              {d}
              {option && <small className="muted"> {formatBytes(option.weightBytes)}</small>}
            </button>
          );
        })}
      </div>
      <p className="muted" data-testid={`${testId}-memory`}>
        {chosen
          ? `Weights in ${value}: ${formatBytes(chosen.weightBytes)} on the GPU${value === 'f32' ? '' : ' (packed on load; edits stay f32 beside them)'}.`
          : error
            ? `The sizes are unknown: ${error}`
            : choice
              ? ''
              : 'The GPU bytes of each format show once the model’s config.json is read.'}
      </p>
      {choice?.options
        .filter((o) => !o.fits)
        .map((o) => (
          <p key={o.dtype} className="muted" data-testid={`${testId}-refused`}>
            {o.reason}
          </p>
        ))}
    </div>
  );
}

/** The dtype the picker starts on for a model: the one it is loaded in, else the worker's default, else f32. */
export function initialDtype(loaded: WeightDtype | null, choice: WeightChoice | null): WeightDtype {
  return loaded ?? choice?.default ?? 'f32';
}
