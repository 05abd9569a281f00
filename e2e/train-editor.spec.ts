import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { readZip, writeZip } from '../src/app/model/zip.ts';

// "Train an editor" (issue 12) in headless Chromium on SwiftShader WebGPU, on the embedded fact-world model:
// IBKE trains a few steps in the worker and its loss falls, pause + resume continue from the same step, a
// reload mid-run offers the OPFS checkpoint and resumes from it, the finished editor is installed (exported
// as a ZIP that records its training steps) and an edit with it works; another model's editor file is
// refused with a sentence. The @slow test runs 20 steps of the default set in the page and the same 20 steps
// with `npx editscope train-editor` in Node (Dawn's SwiftShader) and compares the losses.

const SLOW = Number(process.env.E2E_SLOW_MS ?? 600_000);
test.describe.configure({ timeout: 1_500_000 });
const screens = 'e2e-artifacts/screens';

async function openDefault(page: Page) {
  await page.goto('/');
  await expect(page.getByTestId('history-item')).toHaveCount(1, { timeout: SLOW });
  await expect(page.getByTestId('prompt-chart')).toHaveAttribute('data-state', 'after', { timeout: SLOW });
}

async function openPanel(page: Page) {
  const panel = page.getByTestId('train-editor');
  await panel.locator('summary').click();
  await expect(page.getByTestId('train-steps')).toBeVisible({ timeout: SLOW });
  return panel;
}

async function fill(page: Page, values: Record<string, string>) {
  for (const [k, v] of Object.entries(values)) await page.getByTestId(`train-${k}`).fill(v);
}

const losses = async (page: Page) =>
  ((await page.getByTestId('train-chart').getAttribute('data-first-losses')) ?? '')
    .split(' ')
    .filter(Boolean)
    .map(Number);

const stepNow = async (page: Page) =>
  Number(
    (await page
      .getByTestId('train-step')
      .getAttribute('data-step')
      .catch(() => '0')) ?? 0,
  );

/** A small training file: the first records of fact-world's train split, one more too long to fit. */
function smallDataset(dir: string): string {
  const all = JSON.parse(readFileSync('data/fact-world/edits-train.json', 'utf8')) as Record<
    string,
    unknown
  >[];
  const long = {
    ...all[0],
    case_id: 'too-long',
    prompt: `${'In the old days the capital of '.repeat(8)}Afghanistan is`,
  };
  const records = [all[0], all[40], all[80], all[120], long, all[160], all[200], all[240], all[280]];
  const file = join(dir, 'fact-world-small.json');
  writeFileSync(file, JSON.stringify(records));
  return file;
}

test('IBKE trains in the page: loss falls, pause/resume, a reload resumes from the checkpoint, installed, exported, edits', async ({
  page,
}) => {
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'train-editor-'));
  await openDefault(page);
  await openPanel(page);
  await page.getByTestId('train-method-ibke').click();
  await expect(page.getByTestId('train-batch')).toHaveValue('8'); // the CLI's default, from the worker

  // A file in no known format: a sentence, nothing trains.
  writeFileSync(join(dir, 'bad.json'), JSON.stringify({ hello: 'world' }));
  await page.getByText('A file (EasyEdit').click();
  await page.getByTestId('train-dataset-file').setInputFiles(join(dir, 'bad.json'));
  await fill(page, { steps: '8', batch: '4', validation: '4', validateEvery: '4' });
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('train-error')).toContainText('bad.json', { timeout: SLOW });

  // 5 training records (one too long for the 32-token context) and 4 held out: the skip is said.
  await page.getByTestId('train-dataset-file').setInputFiles(smallDataset(dir));
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('train-notes')).toContainText('4 training edits and 4 held out', {
    timeout: SLOW,
  });
  await expect(page.getByTestId('train-notes')).toContainText('1 longer than the 32-token context');
  await expect(page.getByTestId('train-known')).toContainText(/The model knows \d+ of \d+ checked/, {
    timeout: SLOW,
  });
  await expect.poll(() => stepNow(page), { timeout: SLOW }).toBeGreaterThanOrEqual(2);
  await page.getByTestId('train-pause').click();
  await expect(page.getByTestId('train-saved')).toContainText(/saved at step \d+ of 8/, { timeout: SLOW });
  const pausedAt = Number(/step (\d+) of/.exec((await page.getByTestId('train-saved').textContent())!)![1]);
  const beforePause = await losses(page);
  expect(beforePause).toHaveLength(pausedAt);

  // Resume: the same run continues at the next step; the losses so far are kept as they were.
  await page.getByTestId('train-resume').click();
  await expect.poll(() => stepNow(page), { timeout: SLOW }).toBeGreaterThan(pausedAt);
  await expect.poll(() => stepNow(page), { timeout: SLOW }).toBeGreaterThanOrEqual(6);
  expect((await losses(page)).slice(0, pausedAt)).toEqual(beforePause);
  // The worker's own rate over this call's steps (setup excluded), for bench/results/training-swiftshader.json.
  console.info(`chromium speed: ${await page.getByTestId('train-step').textContent()}`);
  await page.screenshot({ path: `${screens}/train-editor.png`, fullPage: true });

  // Close the tab's state mid-run: after a reload the panel offers the last checkpoint (step ≥ the pause).
  await page.reload();
  await expect(page.getByTestId('history-item')).toHaveCount(1, { timeout: SLOW });
  await openPanel(page);
  await expect(page.getByTestId('train-saved')).toContainText(/saved at step \d+ of 8/, { timeout: SLOW });
  const savedAt = Number(/step (\d+) of/.exec((await page.getByTestId('train-saved').textContent())!)![1]);
  expect(savedAt).toBeGreaterThanOrEqual(pausedAt);
  expect((await losses(page)).slice(0, pausedAt)).toEqual(beforePause);
  await page.getByTestId('train-resume').click();
  await expect(page.getByTestId('train-message')).toContainText('is installed for this model', {
    timeout: SLOW,
  });
  const all = await losses(page);
  expect(all).toHaveLength(8);
  console.info(`losses ${all.map((x) => x.toFixed(4)).join(' ')}`);
  const tail = all.slice(-3).reduce((a, b) => a + b, 0) / 3;
  expect(tail, 'the loss falls: the last 3 steps average below the first step').toBeLessThan(all[0]);
  await expect(page.getByTestId('train-chart')).toHaveAttribute('data-steps', '8');
  await expect(page.getByTestId('train-chart').locator('figcaption')).toContainText('Validation at step 8');

  // The installed editor is the one trained here: its exported config records 8 steps and this model.
  const [download] = await Promise.all([
    page.waitForEvent('download', { timeout: SLOW }),
    page.getByTestId('export-editor-ibke').click(),
  ]);
  const zip = new Uint8Array(readFileSync((await download.path())!));
  const entries = readZip(zip, 'editor.zip');
  const config = JSON.parse(new TextDecoder().decode(entries.get('editors/ibke/config.json')!));
  expect(config.training.steps).toBe(8);
  expect(config.model.fingerprint).toMatch(/^[0-9a-f]{16}$/);
  expect(entries.get('editors/ibke/editor.safetensors')!.length).toBeGreaterThan(1000);
  const elapsed = (Date.now() - started) / 1000;

  // Accessible (axe on the panel with its chart) and readable at 390 px (nothing in it wider than the screen).
  const axe = await new AxeBuilder({ page })
    .include('[data-testid="train-editor"]')
    .withTags(['wcag2a', 'wcag2aa', 'wcag21aa'])
    .analyze();
  const bad = axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
  await page.setViewportSize({ width: 390, height: 844 });
  await expect
    .poll(
      () =>
        page
          .getByTestId('train-editor')
          .evaluate((panel) =>
            [panel, ...panel.querySelectorAll('*')]
              .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
              .map((e) => `${e.tagName.toLowerCase()}.${e.className}`),
          ),
      { message: 'nothing in the panel is wider than a phone screen', timeout: 15_000 },
    )
    .toEqual([]);
  await page.getByTestId('train-editor').screenshot({ path: `${screens}/train-editor-390.png` });
  await page.setViewportSize({ width: 1440, height: 960 });

  // An edit with it works.
  await page.getByTestId('method-ibke').click();
  await page.getByTestId('edit-prompt').fill('The capital of Japan is');
  await page.getByTestId('edit-subject').fill('Japan');
  await page.getByTestId('edit-target').fill(' Madrid');
  await page.getByTestId('apply-edit').click();
  await expect(page.getByTestId('history-item')).toHaveCount(2, { timeout: SLOW });
  await expect(page.getByTestId('metric-reliability')).toHaveAttribute('data-value', /\d/);

  // Another model's editor (a forged fingerprint) is refused with a sentence; the installed one stays.
  config.model.fingerprint = '0123456789abcdef';
  const forged = writeZip([
    { name: 'editors/ibke/config.json', bytes: new TextEncoder().encode(JSON.stringify(config)) },
    { name: 'editors/ibke/editor.safetensors', bytes: entries.get('editors/ibke/editor.safetensors')! },
  ]);
  writeFileSync(join(dir, 'forged.zip'), forged);
  await page.getByTestId('import-editor-file').setInputFiles(join(dir, 'forged.zip'));
  await expect(page.getByTestId('editor-file-error')).toContainText('trained for other weights', {
    timeout: SLOW,
  });
  await expect(page.getByTestId('method-ibke')).toHaveAttribute('data-available', 'true');
  // ... and the real file imports.
  writeFileSync(join(dir, 'real.zip'), zip);
  await page.getByTestId('import-editor-file').setInputFiles(join(dir, 'real.zip'));
  await expect(page.getByTestId('editor-file-note')).toContainText('fits this model and is installed', {
    timeout: SLOW,
  });
  console.info(`train-editor e2e: trained and exported after ${elapsed.toFixed(0)} s`);
});

test('@slow the browser worker and Node give the same first 20 losses on the same seed', async ({ page }) => {
  const dir = mkdtempSync(join(tmpdir(), 'train-editor-node-'));
  await openDefault(page);
  await openPanel(page);
  await page.getByTestId('train-method-ibke').click();
  // The default set (fact-world's train split), every record trained (none held out), the CLI's defaults.
  await fill(page, { steps: '20', batch: '2', validation: '0', validateEvery: '0' });
  const t0 = Date.now();
  await page.getByTestId('train-start').click();
  // Node meanwhile: the same trainer through the CLI, same file, same settings (seed 1 both sides).
  await promisify(execFile)(
    process.execPath,
    [
      'bin/editscope.mjs',
      'train-editor',
      '--method',
      'ibke',
      '--model',
      'public/models/fact-world',
      '--data',
      'public/models/fact-world/edits-train.json.gz',
      '--steps',
      '20',
      '--batch',
      '2',
      '--check-known',
      '0',
      '--out',
      join(dir, 'out'),
      '--state',
      join(dir, 'state'),
    ],
    { env: { ...process.env, EDITSCOPE_ADAPTER: 'swiftshader' }, maxBuffer: 2 ** 24 },
  );
  // The embedded model's default set is its own train split, shipped next to it.
  await expect(page.getByTestId('train-notes')).toContainText('from edits-train.json.gz', { timeout: SLOW });
  const nodeLosses = (
    JSON.parse(readFileSync(join(dir, 'out', 'loss-curve.json'), 'utf8')) as { points: { loss: number }[] }
  ).points.map((p) => p.loss);
  await expect(page.getByTestId('train-message')).toContainText('is installed for this model', {
    timeout: SLOW,
  });
  const browser = await losses(page);
  console.info(`browser+node wall ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  console.info(`browser ${browser.join(' ')}`);
  console.info(`node    ${nodeLosses.join(' ')}`);
  expect(browser).toHaveLength(20);
  expect(nodeLosses).toHaveLength(20);
  // Tolerance 1e-5 relative: both sides run the same WGSL and the same seeded sampler on SwiftShader, and on this
  // machine the 20 losses came out bit-identical (worst difference 0). Chromium's Dawn/SwiftShader build and the
  // `webgpu` package's may still differ in a kernel choice or a rounding; 1e-5 leaves room for that, carried
  // through 20 AdamW steps, while any real divergence (another batch, another seed, a resume bug) moves a loss
  // by far more than 1e-3.
  const worst = Math.max(
    ...browser.map((b, i) => Math.abs(b - nodeLosses[i]) / Math.max(1, Math.abs(nodeLosses[i]))),
  );
  console.info(`worst relative difference ${worst.toExponential(2)}`);
  expect(worst).toBeLessThan(1e-5);
});
