// Typed GPU errors. Each carries a sentence a user can act on; the engine and the UI show `message` as is.

export class WebGPUUnavailableError extends Error {
  override name = 'WebGPUUnavailableError';
}

export class GpuValidationError extends Error {
  override name = 'GpuValidationError';
  constructor(
    readonly what: string,
    readonly detail: string,
  ) {
    super(`GPU validation error while ${what}: ${detail}`);
  }
}

export class GpuOutOfMemoryError extends Error {
  override name = 'GpuOutOfMemoryError';
  constructor(
    readonly what: string,
    readonly bytes?: number,
  ) {
    super(
      `The GPU ran out of memory while ${what}` +
        (bytes ? ` (${(bytes / 2 ** 20).toFixed(1)} MiB requested)` : '') +
        '. Try a smaller model, fewer probes, or close other GPU-heavy tabs.',
    );
  }
}

export class GpuLimitError extends Error {
  override name = 'GpuLimitError';
}

export class DeviceLostError extends Error {
  override name = 'DeviceLostError';
  constructor(readonly reason: string) {
    super(`The GPU device was lost (${reason}). It will be re-created; your edits are kept and replayed.`);
  }
}
