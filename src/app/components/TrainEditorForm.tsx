// The settings of `editscope train-editor` as a form: steps, batch, learning rate, IBKE's l_m and β (MEND's
// rank), the loss weights λ_rel, λ_gen, λ_loc and the edited layers, each defaulting to what the worker's
// trainingSettings gives for the loaded model (the CLI's defaults, not a copy), plus the dataset (the model's
// default set or a file) and the validation schedule. Values are checked here only for being numbers; the
// worker checks ranges and combinations and its sentence is shown.

import type { TrainingDefaults } from '../../worker/training-calls.ts';

export interface TrainForm {
  steps: string;
  batch: string;
  lr: string;
  beta: string;
  latentLength: string;
  rank: string;
  lambdaRel: string;
  lambdaGen: string;
  lambdaLoc: string;
  layers: string[];
  validation: string;
  validateEvery: string;
}

export function formFromDefaults(d: TrainingDefaults): TrainForm {
  return {
    steps: String(d.steps),
    batch: String(d.batch),
    lr: String(d.lr),
    beta: String(d.beta ?? ''),
    latentLength: String(d.latentLength ?? ''),
    rank: String(d.rank ?? ''),
    lambdaRel: String(d.lambdas.rel),
    lambdaGen: String(d.lambdas.gen),
    lambdaLoc: String(d.lambdas.loc),
    layers: [...d.layers],
    validation: '16',
    validateEvery: '25',
  };
}

type Field = Exclude<keyof TrainForm, 'layers'>;

const FIELDS: { key: Field; label: string; help: string; only?: 'mend' | 'ibke' }[] = [
  { key: 'steps', label: 'Steps', help: 'Training steps (one batch of edits each).' },
  { key: 'batch', label: 'Batch', help: 'Edits per step.' },
  { key: 'lr', label: 'Learning rate', help: 'AdamW learning rate of the editor.' },
  { key: 'latentLength', label: 'l_m', help: 'IBKE: learnable queries (latent length).', only: 'ibke' },
  { key: 'beta', label: 'β', help: 'IBKE: weight of the latent KL (the bottleneck).', only: 'ibke' },
  { key: 'rank', label: 'Rank', help: 'MEND: rank of its low-rank blocks.', only: 'mend' },
  { key: 'lambdaRel', label: 'λ_rel', help: 'Weight of the edit-prompt loss.' },
  { key: 'lambdaGen', label: 'λ_gen', help: 'Weight of the rephrase loss.' },
  { key: 'lambdaLoc', label: 'λ_loc', help: 'Weight of the locality KL.' },
  { key: 'validation', label: 'Held-out edits', help: 'Records kept out of training to validate on.' },
  { key: 'validateEvery', label: 'Validate every', help: 'Steps between validations (0 = only at the end).' },
];

export function TrainEditorForm({
  method,
  form,
  layerChoices,
  disabled,
  onChange,
}: {
  method: 'mend' | 'ibke';
  form: TrainForm;
  layerChoices: string[];
  disabled: boolean;
  onChange: (f: TrainForm) => void;
}) {
  return (
    <fieldset className="train-settings" disabled={disabled}>
      <legend>Settings</legend>
      <div className="settings-grid">
        {FIELDS.filter((f) => !f.only || f.only === method).map((f) => (
          <label key={f.key} className="setting" title={f.help}>
            <span>{f.label}</span>
            <input
              inputMode="decimal"
              value={form[f.key]}
              onChange={(e) => onChange({ ...form, [f.key]: e.target.value })}
              aria-invalid={form[f.key].trim() !== '' && !Number.isFinite(Number(form[f.key]))}
              data-testid={`train-${f.key}`}
            />
          </label>
        ))}
      </div>
      <label className="train-layers">
        <span>Edited layers ({form.layers.length} chosen; Ctrl/⌘-click for several)</span>
        <select
          multiple
          size={Math.min(6, layerChoices.length)}
          value={form.layers}
          onChange={(e) => onChange({ ...form, layers: [...e.target.selectedOptions].map((o) => o.value) })}
          data-testid="train-layers"
        >
          {layerChoices.map((k) => (
            <option key={k} value={k}>
              {k}
            </option>
          ))}
        </select>
      </label>
    </fieldset>
  );
}

/** The form as the worker's options, or the first field that is not a number (a sentence). */
export function optionsFromForm(
  method: 'mend' | 'ibke',
  f: TrainForm,
): { error: string } | { options: Record<string, unknown>; validation: number; validateEvery: number } {
  const read = (key: Field, label: string): number | { error: string } => {
    const v = Number(f[key]);
    return f[key].trim() !== '' && Number.isFinite(v) ? v : { error: `${label} must be a number.` };
  };
  const labels = Object.fromEntries(FIELDS.map((x) => [x.key, x.label])) as Record<Field, string>;
  const values: Partial<Record<Field, number>> = {};
  for (const x of FIELDS) {
    if (x.only && x.only !== method) continue;
    const v = read(x.key, labels[x.key]);
    if (typeof v !== 'number') return v;
    values[x.key] = v;
  }
  if (f.layers.length === 0) return { error: 'Choose at least one layer for the editor to edit.' };
  const options: Record<string, unknown> = {
    method,
    steps: values.steps,
    batch: values.batch,
    lr: values.lr,
    lambdas: { rel: values.lambdaRel, gen: values.lambdaGen, loc: values.lambdaLoc },
    layers: f.layers,
    ...(method === 'ibke' ? { beta: values.beta, latentLength: values.latentLength } : { rank: values.rank }),
  };
  return { options, validation: values.validation!, validateEvery: values.validateEvery! };
}
