// Typed errors for model files (config.json, model.safetensors, tokenizer.json, downloads). Each names the file
// and says what is wrong in a sentence a user can act on; `message` is `${file}: ${problem}` and is shown as is.

export class ModelFileError extends Error {
  override name = 'ModelFileError';
  constructor(
    /** The file (path, URL or `source/file`) the problem is in. */
    readonly file: string,
    /** What is wrong and, where possible, what to do about it. */
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
  }
}

/** The safetensors container itself is malformed (header, offsets, dtypes, sizes). */
export class SafetensorsError extends ModelFileError {
  override name = 'SafetensorsError';
}

/** config.json is unreadable, incomplete, absurd, or describes a model that is not GPT-2. */
export class ConfigError extends ModelFileError {
  override name = 'ConfigError';
}

/** The weights are readable but do not fit the config: a tensor missing, extra, of the wrong shape or dtype. */
export class WeightsError extends ModelFileError {
  override name = 'WeightsError';
}

/** tokenizer.json is unreadable, or does not fit the model's vocabulary. */
export class TokenizerError extends ModelFileError {
  override name = 'TokenizerError';
}

/** A required file is not there (local folder or hub repository). */
export class MissingFileError extends ModelFileError {
  override name = 'MissingFileError';
}

/** A download failed: bad repo id, network, HTTP status, or a response too large. */
export class DownloadError extends ModelFileError {
  override name = 'DownloadError';
}
