// Dispatch geometry shared by the 1-D grid-stride kernels (embedding, gelu, residual, adamw, gather, layernorm).

/** WebGPU's default (and guaranteed) maxComputeWorkgroupsPerDimension. */
export const MAX_GROUPS_PER_DIM = 65535;

/**
 * Workgroups for `count` items at `perGroup` items per workgroup, capped at the per-dimension limit: the kernels
 * loop grid-stride, so a capped grid still covers every item (each invocation then does several).
 */
export function gridStrideGroups(count: number, perGroup: number): number {
  return Math.min(Math.ceil(count / perGroup), MAX_GROUPS_PER_DIM);
}
