// A GGUF file loaded as a model on the GPU, for the CLI (--model FILE.gguf) and the app's worker alike: the
// checked header (openGgufCheckpoint: config, tokenizer and tensor table verified before anything large is read)
// streamed tensor by tensor into the weight plan of the requested dtype (Q8_0/Q4_0 tensors whose plan format
// matches are repacked without decoding; everything else decoded and packed), so peak CPU memory stays near one
// tensor and only the planned buffers reach the GPU. On any error nothing stays allocated.

import type { GpuContext } from '../../gpu/context.ts';
import type { ModelCheckpoint } from '../checkpoint.ts';
import { loadLanguageModel, weightPlan } from '../factory.ts';
import type { LanguageModel } from '../language-model.ts';
import type { WeightDtype } from '../quant/apply.ts';
import type { GgufProgress } from './load.ts';
import type { OpenGgufCheckpoint } from './checkpoint.ts';

export interface GgufModelOptions {
  dtype?: WeightDtype;
  label?: string;
  /** Names the file in errors. */
  fileName: string;
  onProgress?: (p: GgufProgress) => void;
}

export interface LoadedGgufModel {
  model: LanguageModel;
  /** Config, tokenizer and stored dtype ('GGUF Q8_0/F32'...); no host copy of the weights (they are on the GPU). */
  checkpoint: ModelCheckpoint;
  gpuWeightBytes: number;
  ms: number;
}

export async function loadGgufModel(
  ctx: GpuContext,
  open: OpenGgufCheckpoint,
  opts: GgufModelOptions,
): Promise<LoadedGgufModel> {
  const dtype = opts.dtype ?? 'f32';
  const plan = new Map(weightPlan(open.config, dtype).map((t) => [t.name, t.format]));
  const r = await loadLanguageModel(
    ctx,
    open.config,
    open.tensors((name) => plan.get(name) ?? 'f32', opts.onProgress),
    { dtype, label: opts.label ?? 'model', fileName: opts.fileName },
  );
  const { tensors: _streamed, ...rest } = open;
  return {
    model: r.model,
    checkpoint: { ...rest, weights: new Map() },
    gpuWeightBytes: r.gpuWeightBytes,
    ms: r.ms,
  };
}
