// Creating the hypernetwork editors' networks, with the defaults documented in one place.

import type { GpuContext } from '../../gpu/context.ts';
import { IbkeNet } from './ibke-net.ts';
import { defaultEditedLayers } from './layers.ts';
import { MendNet } from './mend-net.ts';
import type { BackboneShape, Hypernet, HypernetConfig, IbkeConfig, MendConfig } from './types.ts';

export { defaultEditedLayers, editedShape, layerKey } from './layers.ts';
export { GradientCapture } from './capture.ts';
export { addFactors, downloadDeltas, factorGradients } from './factors.ts';

/**
 * MEND's initial step α_m: 1e-4 for GPT-2 (n_embd 768, MEND's value), scaled by (768 / n_embd)² below that.
 * Why: with standardised factors, the edit's effect on the layer's output x·ΔW = −α Σ_t (x·ũ_t) δ̃_t grows with
 * the widths; a 128-wide model at 1e-4 would barely move at initialisation and spend its first epoch growing α.
 * (A heuristic: α is learned; training may override it.)
 */
export function defaultAlphaInit(backbone: BackboneShape): number {
  return 1e-4 * Math.max(1, 768 / backbone.dims.nEmbd) ** 2;
}

export function defaultMendConfig(backbone: BackboneShape, over: Partial<MendConfig> = {}): MendConfig {
  return {
    method: 'mend',
    editedLayers: defaultEditedLayers(backbone),
    alphaInit: defaultAlphaInit(backbone),
    normEps: 1e-7,
    // MEND uses rank 1920 for GPT-sized layers (D ≈ 3840): about D / 2; small models need far less.
    rank: Math.min(1920, Math.max(16, Math.round(backbone.dims.nEmbd / 2))),
    ...over,
  };
}

export function defaultIbkeConfig(backbone: BackboneShape, over: Partial<IbkeConfig> = {}): IbkeConfig {
  const dHidden = Math.min(256, Math.max(32, backbone.dims.nEmbd / 2));
  return {
    method: 'ibke',
    editedLayers: defaultEditedLayers(backbone),
    alphaInit: defaultAlphaInit(backbone),
    normEps: 1e-7,
    dHidden,
    projRank: Math.min(64, dHidden),
    latentLength: 4,
    dLatent: 32,
    nEnc: 2,
    nDec: 2,
    dMlp: 2 * dHidden,
    useIb: true,
    useScale: true,
    ...over,
  };
}

/** The network for `config`; `weights` (from readEditorFiles) restores a trained one, else fresh initialisation. */
export function createHypernet(
  ctx: GpuContext,
  backbone: BackboneShape,
  config: HypernetConfig,
  weights?: Map<string, Float32Array>,
): Hypernet {
  return config.method === 'mend'
    ? new MendNet(ctx, backbone, config, weights)
    : new IbkeNet(ctx, backbone, config, weights);
}
