// The settings of an editor training run from the options a user gives (the CLI's flags, the app's panel),
// with one set of defaults and one set of checks for both. Platform-free.

import type { ModelShape } from '../../model/language-model.ts';
import { defaultIbkeConfig, defaultMendConfig } from '../hyper/index.ts';
import { editedShape } from '../hyper/layers.ts';
import type { LossWeights } from './objective.ts';
import type { EditorTrainingSettings } from './settings.ts';
import { DEFAULT_LAMBDAS, DEFAULT_OPTIMIZER } from './trainer.ts';

/** Options that do not fit together or are out of range; the message names the option and what to do. */
export class TrainingOptionsError extends Error {
  override name = 'TrainingOptionsError';
}

export interface TrainingOptions {
  method: 'mend' | 'ibke';
  steps?: number;
  batch?: number;
  lr?: number;
  /** IBKE: weight of the latent KL (default 1e-3; 0 without the bottleneck). */
  beta?: number;
  /** IBKE: l_m, the number of learnable queries (default 4). */
  latentLength?: number;
  seed?: number;
  /** MEND: rank of its low-rank blocks. */
  rank?: number;
  alphaInit?: number;
  lambdas?: Partial<LossWeights>;
  /** IBKE without the information bottleneck (z = μ, β = 0). */
  noIb?: boolean;
  /** IBKE without the scale factor (c ≡ 1). */
  noScale?: boolean;
  /** Edited layers by key '{block}.{role}' (default: the MLP layers of the last 3 blocks). */
  layers?: string[];
  /** The dataset's name and how many edits it gave (recorded; a resumed run must use the same data). */
  data: { file: string; edits: number; relations?: string[] };
}

export const OPTION_LIMITS = {
  steps: [1, 10_000_000],
  batch: [1, 256],
  lr: [1e-8, 1],
  beta: [0, 100],
  latentLength: [1, 64],
  seed: [0, 2 ** 31 - 1],
  rank: [1, 4096],
  alphaInit: [1e-8, 10],
  lambda: [0, 1000],
} as const;

function check(name: string, v: number | undefined, [min, max]: readonly [number, number], integer: boolean) {
  if (v === undefined) return;
  if (!(integer ? Number.isInteger(v) : Number.isFinite(v)) || v < min || v > max)
    throw new TrainingOptionsError(
      `${name} must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max} (got ${v}).`,
    );
}

export function trainingSettings(model: ModelShape, o: TrainingOptions): EditorTrainingSettings {
  const L = OPTION_LIMITS;
  check('steps', o.steps, L.steps, true);
  check('batch', o.batch, L.batch, true);
  check('lr', o.lr, L.lr, false);
  check('beta', o.beta, L.beta, false);
  check('l_m', o.latentLength, L.latentLength, true);
  check('seed', o.seed, L.seed, true);
  check('rank', o.rank, L.rank, true);
  check('alpha init', o.alphaInit, L.alphaInit, false);
  for (const [k, v] of Object.entries(o.lambdas ?? {})) check(`λ_${k}`, v, L.lambda, false);
  if (o.method === 'mend' && (o.noIb || o.noScale || o.latentLength !== undefined || o.beta !== undefined))
    throw new TrainingOptionsError('β, l_m, no-IB and no-scale are IBKE options; MEND takes none of them.');
  if (o.method === 'ibke' && o.rank !== undefined)
    throw new TrainingOptionsError('rank is a MEND option; IBKE sizes itself with l_m.');
  if (o.noIb && o.beta !== undefined && o.beta !== 0)
    throw new TrainingOptionsError(
      'Without the bottleneck (z = μ) IBKE trains with β = 0: leave β out or give 0.',
    );
  const layers = o.layers && o.layers.length > 0 ? o.layers : undefined;
  if (layers) {
    if (new Set(layers).size !== layers.length)
      throw new TrainingOptionsError(`The edited layers list a layer twice: ${layers.join(', ')}.`);
    for (const key of layers) {
      try {
        editedShape(model, key);
      } catch (e) {
        throw new TrainingOptionsError((e as Error).message);
      }
    }
  }
  const common = {
    ...(o.alphaInit === undefined ? {} : { alphaInit: o.alphaInit }),
    ...(layers ? { editedLayers: [...layers] } : {}),
  };
  const hypernet =
    o.method === 'mend'
      ? defaultMendConfig(model, { ...common, ...(o.rank === undefined ? {} : { rank: o.rank }) })
      : defaultIbkeConfig(model, {
          ...common,
          latentLength: o.latentLength ?? 4,
          useIb: !o.noIb,
          useScale: !o.noScale,
        });
  const d = DEFAULT_LAMBDAS[o.method];
  const lambdas = { rel: d.rel, gen: d.gen, loc: d.loc, ...o.lambdas };
  if (lambdas.rel + lambdas.gen + lambdas.loc === 0)
    throw new TrainingOptionsError('The loss has no term: give λ_rel, λ_gen or λ_loc above 0.');
  const { dims } = model;
  return {
    method: o.method,
    backbone: {
      architecture: model.architecture,
      nLayer: dims.nLayer,
      nEmbd: dims.nEmbd,
      vocabSize: dims.vocabSize,
      nPositions: dims.nPositions,
    },
    hypernet,
    optimizer: { ...DEFAULT_OPTIMIZER, lr: o.lr ?? DEFAULT_OPTIMIZER.lr },
    lambdas,
    beta: o.method === 'mend' || o.noIb ? 0 : (o.beta ?? 1e-3),
    batch: o.batch ?? 8,
    seed: o.seed ?? 1,
    steps: o.steps ?? 1500,
    data: o.data,
  };
}
