import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { readZip, writeZip } from '../src/app/model/zip.ts';

// The playground in real use (issue 11): probes that follow the edit, readings that say which model state they
// show, history that is never lost, failed edits with fixes, probe editing, and text edges. Headless Chromium
// on SwiftShader WebGPU, the embedded fact-world model.

const screens = 'e2e-artifacts/screens';
// Generous: CI machines are 2 shared cores and each edit runs the model on SwiftShader.
const SLOW = Number(process.env.E2E_SLOW_MS ?? 600_000);
test.describe.configure({ timeout: 1_500_000 });

async function openDefault(page: Page) {
  await page.goto('/');
  await expect(page.getByTestId('history-item')).toHaveCount(1, { timeout: SLOW });
  await expect(page.getByTestId('prompt-chart')).toHaveAttribute('data-state', 'after', { timeout: SLOW });
}

const genProbes = (page: Page) => page.getByTestId('probe-group-gen').getByTestId('probe-card');

async function setDraft(page: Page, prompt: string, subject: string, target: string) {
  await page.getByTestId('edit-prompt').fill(prompt);
  await page.getByTestId('edit-subject').fill(subject);
  await page.getByTestId('edit-target').fill(target);
}

async function applyAndWait(page: Page, count: number) {
  await page.getByTestId('apply-edit').click();
  await expect(page.getByTestId('history-item')).toHaveCount(count, { timeout: SLOW });
}

test('probes follow a new edit; a probe the user wrote is kept, marked, and flagged for its old subject', async ({
  page,
}) => {
  await openDefault(page);
  await page.getByTestId('new-probe-gen').fill('France has its capital in');
  await page.getByTestId('add-probe-gen').click();
  await setDraft(page, 'The capital of Japan is', 'Japan', ' Madrid');
  // The auto probes become Japan's phrasings; none of France's is silently reused.
  await expect(genProbes(page).filter({ hasText: /Japan/ }).first()).toBeVisible({ timeout: 10_000 });
  await expect
    .poll(async () =>
      page
        .getByTestId('probe-group-gen')
        .locator('[data-testid="probe-input"]')
        .evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value)),
    )
    .toEqual(expect.arrayContaining(["Japan's capital city is", 'France has its capital in']));
  const autoTexts = await page
    .locator('[data-testid="probe-card"]:has([data-origin="auto"]) [data-testid="probe-input"]')
    .evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value));
  expect(autoTexts.length).toBeGreaterThan(3);
  for (const t of autoTexts) expect(t, 'auto probes are about the new subject').not.toContain('France');
  // The user's probe is kept and flagged as written for France.
  const mine = page.locator('[data-probe="France has its capital in"]');
  await expect(mine.getByTestId('probe-stale')).toHaveText('written for France');
  await mine.getByTestId('remove-probe').click();
  await applyAndWait(page, 2);
  // Measured on Japan's paraphrases: generality is a number, and the gen readings are Japan's.
  await expect(page.getByTestId('metric-generality')).toHaveAttribute('data-value', /^\d/);
  await expect(genProbes(page).first()).toHaveAttribute('data-probe', /Japan/);
  await expect(genProbes(page).first()).toHaveAttribute('data-state', 'after');
  await page.screenshot({ path: `${screens}/probes-follow.png`, fullPage: true });
});

test('after an undo the charts say which model state they show, and re-read the current model', async ({
  page,
}) => {
  await openDefault(page);
  await setDraft(page, 'The capital of Germany is', 'Germany', ' Rome');
  await applyAndWait(page, 2);
  await setDraft(page, 'The capital of Italy is', 'Italy', ' Paris');
  await applyAndWait(page, 3);
  await expect(page.getByTestId('reading-note')).toHaveCount(0);
  // Undo edit 2 of 3: edit 3's readings are from a model that had edit 2.
  await page.getByTestId('undo-edit').nth(1).click();
  await expect(page.getByTestId('history-item')).toHaveCount(2, { timeout: SLOW });
  const note = page.getByTestId('reading-note');
  await expect(note).toHaveAttribute('data-state', 'stale');
  await expect(note).toContainText('Germany → Rome');
  await expect(note).toContainText('was undone');
  await page.getByTestId('reread').click();
  await expect(note).toHaveAttribute('data-state', 'reread', { timeout: SLOW });
  await expect(page.getByTestId('chart-legend')).toContainText('Now (re-read)');
  await expect(page.getByTestId('metric-reliability')).toHaveAttribute('data-value', /^\d/);
  // A probe added after the edit is labelled as the current model, not as "Before edit".
  await page.getByTestId('new-probe-loc').fill('The capital of Spain is');
  await page.getByTestId('add-probe-loc').click();
  const added = page.locator('[data-testid="probe-card"][data-probe="The capital of Spain is"]');
  await expect(added).toHaveAttribute('data-state', 'now', { timeout: 30_000 });
  await expect(added.getByTestId('probe-now')).toBeVisible();
  await page.screenshot({ path: `${screens}/stale-readings.png`, fullPage: true });
});

test('history is never lost: undoable reset, Back, fact-world stays loaded, recent sessions', async ({
  page,
}) => {
  await openDefault(page);
  await expect(page.getByTestId('load-embedded')).toBeDisabled();
  await expect(page.getByTestId('load-embedded')).toContainText('loaded');
  await setDraft(page, 'The capital of Germany is', 'Germany', ' Paris');
  await applyAndWait(page, 2);
  // Reset, then undo the reset: both edits come back.
  await page.getByTestId('reset-model').click();
  await expect(page.getByTestId('history-item')).toHaveCount(0, { timeout: SLOW });
  await page.getByTestId('undo-reset').click();
  await expect(page.getByTestId('history-item')).toHaveCount(2, { timeout: SLOW });
  // Back returns to the previous session state (no edits after the reset), Forward... is the browser's.
  await page.waitForTimeout(1200);
  await page.goBack();
  await expect(page.getByTestId('history-item')).toHaveCount(0, { timeout: SLOW });
  await page.goBack();
  await expect(page.getByTestId('history-item')).toHaveCount(2, { timeout: SLOW });
  expect(page.url()).toContain('#s=v1.');
  // A fresh visit lists the earlier sessions; opening one replays it.
  await page.waitForTimeout(1200);
  await page.goto('/');
  await expect(page.getByTestId('history-item')).toHaveCount(1, { timeout: SLOW });
  const saved = page.locator('[data-testid="recent-item"][data-edits="2"]');
  await expect(saved.first()).toBeVisible({ timeout: 10_000 });
  await saved.first().getByTestId('recent-open').click();
  await expect(page.getByTestId('history-item')).toHaveCount(2, { timeout: SLOW });
  await expect(page.getByTestId('history-item').last()).toContainText('Germany');
});

test(
  'a failed edit says so at the top and offers a one-click fix with the setting shown',
  { tag: '@full' },
  async ({ page }) => {
    await openDefault(page);
    await page.getByTestId('method-ft').click();
    await page.getByTestId('setting-steps').fill('1');
    await page.getByTestId('setting-lr').fill('0.000001');
    await setDraft(page, 'The capital of Germany is', 'Germany', ' Oslo');
    await applyAndWait(page, 2);
    const failure = page.getByTestId('edit-failure');
    await expect(failure).toBeVisible();
    await expect(failure).toContainText('did not take');
    await page.screenshot({ path: `${screens}/failed-edit.png`, fullPage: true });
    const fix = failure.getByTestId('edit-fix').filter({ hasText: 'steps' });
    await fix.click();
    // The failed edit is replaced by the retry, and the setting is in the panel.
    await expect(page.getByTestId('history-item')).toHaveCount(2, { timeout: SLOW });
    await expect(page.getByTestId('setting-steps')).toHaveValue('2');
    await expect(page.getByTestId('history-item').last()).toContainText('adam steps 2');
  },
);

test(
  'probe editing refuses duplicates and the edit prompt; removing a measured probe updates the metrics',
  { tag: '@full' },
  async ({ page }) => {
    await openDefault(page);
    const first = await genProbes(page).first().getAttribute('data-probe');
    // Each group says its own problem under its own input.
    const problem = (g: 'gen' | 'loc') => page.getByTestId(`probe-group-${g}`).getByTestId('probe-problem');
    await page.getByTestId('new-probe-gen').fill(first!);
    await page.getByTestId('add-probe-gen').click();
    await expect(problem('gen')).toContainText('already');
    await page.getByTestId('new-probe-loc').fill('The capital of France is');
    await page.getByTestId('add-probe-loc').click();
    await expect(problem('loc')).toContainText('edit prompt');
    const before = await genProbes(page).count();
    await genProbes(page).first().getByTestId('remove-probe').click();
    await expect(genProbes(page)).toHaveCount(before - 1);
    await expect(page.locator(`[data-testid="probe-card"][data-probe="${first}"]`)).toHaveCount(0);
    await expect(page.getByTestId('metric-generality')).toHaveAttribute('data-value', /^\d/);
    await expect(page.getByTestId('metric-generality')).not.toContainText('n/a');
  },
);

test(
  'a long paste says it was cut; Enter applies and the result gets the focus',
  { tag: '@full' },
  async ({ page }) => {
    await openDefault(page);
    const long = 'The capital of France is '.repeat(80);
    await page.getByTestId('edit-prompt').fill(long);
    await expect(page.getByTestId('input-cut')).toContainText('Cut to 300 characters');
    await expect(page.getByTestId('input-cut')).toContainText('2,000');
    await setDraft(page, 'The capital of Spain is', 'Spain', ' Berlin');
    await page.getByTestId('edit-target').press('Enter');
    await expect(page.getByTestId('history-item')).toHaveCount(2, { timeout: SLOW });
    await expect(page.getByTestId('result-heading')).toBeFocused();
  },
);

test(
  'sampled continuations: temperature, top-p and seed are in the link and give the same text again',
  { tag: '@full' },
  async ({ page, context }) => {
    await openDefault(page);
    await page.getByTestId('gen-temperature').fill('1.2');
    await page.getByTestId('gen-seed').fill('7');
    await page.getByTestId('gen-run').click();
    await expect(page.getByTestId('gen-after')).toBeVisible({ timeout: SLOW });
    // textContent, as toHaveText reads it (innerText would carry the label's CSS capitals).
    const after = (await page.getByTestId('gen-after').textContent()) ?? '';
    const before = (await page.getByTestId('gen-before').textContent()) ?? '';
    expect(after.length).toBeGreaterThan('After'.length + 'The capital of France is'.length);
    await page.waitForTimeout(1500);
    const again = await context.newPage();
    await again.goto(page.url());
    await expect(again.getByTestId('history-item')).toHaveCount(1, { timeout: SLOW });
    await expect(again.getByTestId('gen-seed')).toHaveValue('7');
    await expect(again.getByTestId('gen-temperature')).toHaveValue('1.2');
    await again.getByTestId('gen-run').click();
    // Wait for the sample, then compare once (a different text must fail now, not after the whole timeout).
    await expect(again.getByTestId('gen-after')).toBeVisible({ timeout: SLOW });
    expect(await again.getByTestId('gen-after').textContent()).toBe(after);
    expect(await again.getByTestId('gen-before').textContent()).toBe(before);
  },
);

test('edits leave the browser as a patch file and come back; another model’s file is refused; ONNX export', async ({
  page,
}) => {
  await openDefault(page);
  const saved = async (testId: string) => {
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: SLOW }),
      page.getByTestId(testId).click(),
    ]);
    return new Uint8Array(readFileSync((await download.path())!));
  };
  const patchZip = await saved('export-patches');
  const entries = readZip(patchZip, 'patches.zip');
  const manifest = JSON.parse(new TextDecoder().decode(entries.get('manifest.json')!));
  expect(manifest.format).toBe('editscope-patches');
  expect(manifest.model.fingerprint).toMatch(/^[0-9a-f]{16}$/);
  expect(manifest.edits[0]).toMatchObject({
    method: 'ibke',
    request: { subject: 'France', target: ' Rome' },
  });
  expect(entries.get('patches.safetensors')!.length).toBeGreaterThan(100);

  // Back to the original weights, then the file puts the edit back, measured on this model.
  await page.getByTestId('reset-model').click();
  await expect(page.getByTestId('history-item')).toHaveCount(0, { timeout: SLOW });
  const file = (name: string, bytes: Uint8Array) => ({
    name,
    mimeType: 'application/zip',
    buffer: Buffer.from(bytes),
  });
  await page.getByTestId('import-patches-input').setInputFiles(file('patches.zip', patchZip));
  await expect(page.getByTestId('history-item')).toHaveCount(1, { timeout: SLOW });
  await expect(page.getByTestId('prompt-chart')).toHaveAttribute('data-state', 'after');
  await expect(page.getByTestId('metric-reliability')).toHaveAttribute('data-value', /^\d/);

  // The same file claiming another model's weights: refused with a sentence, nothing applied.
  const other = { ...manifest, model: { ...manifest.model, fingerprint: '0000000000000000' } };
  const forged = writeZip([
    { name: 'manifest.json', bytes: new TextEncoder().encode(JSON.stringify(other)) },
    { name: 'patches.safetensors', bytes: entries.get('patches.safetensors')! },
  ]);
  await page.getByTestId('import-patches-input').setInputFiles(file('other.zip', forged));
  await expect(page.getByTestId('banner-error')).toContainText('made for another model', { timeout: SLOW });
  await expect(page.getByTestId('history-item')).toHaveCount(1);

  const onnx = readZip(await saved('export-onnx'), 'onnx.zip');
  expect([...onnx.keys()]).toEqual(expect.arrayContaining(['config.json', 'onnx/model.onnx']));
  expect(onnx.get('onnx/model.onnx')!.length).toBeGreaterThan(1_000_000);
});
