// A local .gguf file for the model picker (file input or drop): the File itself goes to the worker, which reads
// the header and then each tensor in slices (src/worker/sources.ts), so a large file is never held whole. A
// hostile or damaged file is refused there with a sentence; the current model and its edits stay.

import { useState } from 'react';

/** Why a picked file is not taken (before the worker looks inside it), or null. */
export function ggufFileProblem(file: { name: string; size: number }): string | null {
  if (!/\.gguf$/i.test(file.name))
    return `${file.name} is not a .gguf file: pick a GGUF model file, or a checkpoint folder above.`;
  if (file.size < 24) return `${file.name} is ${file.size} bytes: too short to be a GGUF file.`;
  return null;
}

export function GgufPick({
  disabled,
  onFile,
  onProblem,
}: {
  disabled: boolean;
  onFile: (file: File) => Promise<void>;
  onProblem: (message: string | null) => void;
}) {
  const [over, setOver] = useState(false);
  const take = async (file: File | undefined) => {
    onProblem(null);
    if (!file) return;
    const problem = ggufFileProblem(file);
    if (problem) return onProblem(problem);
    await onFile(file);
  };
  return (
    <label
      className={`file-pick${over ? ' drop-over' : ''}`}
      data-testid="gguf-drop"
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        e.preventDefault();
        setOver(false);
        if (!disabled) void take(e.dataTransfer.files[0]);
      }}
    >
      <span>Or choose (or drop here) one .gguf file: F32, F16, BF16, Q8_0, Q4_0, Q4_K or Q6_K tensors</span>
      <input
        type="file"
        accept=".gguf"
        disabled={disabled}
        onChange={(e) => {
          void take(e.target.files?.[0]);
          e.target.value = ''; // the same file can be picked again after a refusal
        }}
        data-testid="local-gguf-input"
      />
    </label>
  );
}
