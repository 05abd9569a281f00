import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { missingRepoLink } from './support/missing-repo-link.ts';

// A small random Qwen3 with SHARDED weights (model.safetensors.index.json + two shards) and GPT-2's tokenizer,
// generated at test time by tools/random-qwen3.ts (nothing large is committed) and served in the Hugging Face
// hub's /{repo}/resolve/{revision}/{file} layout. Loaded through the model picker by repo id, it predicts, FT-L
// edits it, and undo gives back the unedited readings. It ships no ROME statistics: "Compute ROME statistics"
// makes them in the page (from the small corpus.tsv the fixture writes next to the weights, `--corpus`: a few
// hundred tokens, seconds; a model without one samples its own text, tested in src/worker/rome-stats.gpu.test.ts),
// ROME becomes available, a ROME edit moves the edit prompt's readings and undo restores them exactly.
//
// Kept fast (it runs in npm test): the page opens on a link whose model is a repo that does not exist, so the
// embedded fact-world model and its default IBKE edit never load (that alone took ~35 s on SwiftShader); the
// failed load is itself checked (a sentence, and the picker still works). The link also sets a short draft with
// one probe of each kind, so the edit measures four prompts instead of the default session's dozen.

const REPO = 'test-org/tiny-qwen3';
let dir: string;

test.beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'editscope-qwen-e2e-'));
  execFileSync(
    'node',
    ['--import', './bin/register.mjs', 'tools/random-qwen3.ts', '--out', dir, '--corpus'],
    {
      stdio: 'inherit',
      timeout: 120_000,
    },
  );
});

test.afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The prompt chart's numbers as text (its screen-reader table: token and probability per row). */
async function promptChartTable(page: Page): Promise<string[]> {
  return page.getByTestId('prompt-chart').locator('tbody tr').allInnerTexts();
}

/** A formatProb text back to a probability ("12.5%" or "3.1e-5"). */
const probOf = (text: string) => Number.parseFloat(text) / (text.endsWith('%') ? 100 : 1);

/** The target row's before and after readings (formatProb text) in the prompt chart. */
async function targetReadings(page: Page): Promise<{ before: string; after: string }> {
  const row = page.getByTestId('prompt-chart').locator('tbody tr[data-target]');
  return {
    before: await row.locator('td[data-state="before"]').innerText(),
    after: await row.locator('td[data-state="after"]').innerText(),
  };
}

test('a sharded Qwen3 from the hub loads by repo id in the picker, predicts, FT-L and ROME edit it and undo reverts each', async ({
  page,
  context,
}) => {
  test.setTimeout(480_000);
  const files = new Set(readdirSync(dir));
  expect([...files].filter((f) => /^model-\d{5}-of-\d{5}\.safetensors$/.test(f)).length).toBe(2);
  expect(files.has('model.safetensors')).toBe(false);
  const served: string[] = [];
  await context.route('https://huggingface.co/**', async (route) => {
    const m = new URL(route.request().url()).pathname.match(
      /^\/([^/]+\/[^/]+)\/resolve\/main\/([A-Za-z0-9_.-]+)$/,
    );
    if (!m || m[1] !== REPO || !files.has(m[2]) || !existsSync(join(dir, m[2]))) {
      return route.fulfill({ status: 404, body: 'Entry not found' });
    }
    served.push(m[2]);
    const body = readFileSync(join(dir, m[2]));
    return route.fulfill({ status: 200, body, headers: { 'content-length': String(body.length) } });
  });

  const link = await missingRepoLink('ft');
  await page.goto(`/${link}`);
  // A repo that is not there: one 404 on config.json, said in a sentence; nothing else is fetched.
  await expect(page.getByTestId('model-error')).toContainText(/404/, { timeout: 60_000 });
  expect(served).toEqual([]);

  await page.getByTestId('model-source-hub').click();
  await page.getByTestId('hub-repo-input').fill(REPO);
  await page.getByTestId('load-hub').click();
  await expect(page.getByTestId('model-info')).toHaveAttribute('data-model', REPO, { timeout: 90_000 });
  await expect(page.getByTestId('model-error')).toHaveCount(0);
  // Every shard the index names came through the hub layout; no single model.safetensors exists.
  expect(served).toEqual(
    expect.arrayContaining(['config.json', 'tokenizer.json', 'model.safetensors.index.json']),
  );
  expect(served.filter((f) => f.startsWith('model-0000')).sort()).toEqual([
    'model-00001-of-00002.safetensors',
    'model-00002-of-00002.safetensors',
  ]);
  await expect(page.getByTestId('model-info')).toContainText(/2 layers/);

  // It predicts: the prompt chart holds this model's top-k reading of the draft prompt.
  await expect(page.getByTestId('prompt-chart')).toHaveAttribute('data-state', 'before', { timeout: 60_000 });
  const unedited = await promptChartTable(page);
  expect(unedited.length).toBeGreaterThan(0);

  await expect(page.getByTestId('method-ft')).toHaveAttribute('data-available', 'true');
  await page.getByTestId('method-ft').click();
  await page.getByTestId('apply-edit').click();
  await expect(page.getByTestId('history-item')).toHaveCount(1, { timeout: 180_000 });
  await expect(page.getByTestId('history-item')).toHaveAttribute('data-method', 'ft');
  await expect(page.getByTestId('prompt-chart')).toHaveAttribute('data-state', 'after');
  // The random model learns the new answer: the target's reading after the edit is 100 %-ish top-1.
  await expect(page.getByTestId('metric-reliability')).toHaveAttribute('data-value', /\d/);
  const edited = page.getByTestId('prompt-chart').locator('tbody tr[data-target]');
  await expect(edited).toHaveCount(1);

  // Undo: the patch comes off and the prompt reads exactly as before the edit.
  await page.getByTestId('undo-edit').click();
  await expect(page.getByTestId('history-item')).toHaveCount(0, { timeout: 60_000 });
  await expect(page.getByTestId('prompt-chart')).toHaveAttribute('data-state', 'before');
  await expect.poll(() => promptChartTable(page), { timeout: 30_000 }).toEqual(unedited);
  await expect(page.getByTestId('model-error')).toHaveCount(0);

  // ROME: not offered until its key statistics exist; computed in the page from the shipped corpus.tsv.
  await expect(page.getByTestId('method-rome')).toHaveAttribute('data-available', 'false');
  await page.getByTestId('rome-stats-compute').click();
  await expect(page.getByTestId('rome-stats-done')).toContainText(/ROME is ready.*corpus/, {
    timeout: 120_000,
  });
  expect(served).toContain('corpus.tsv');
  await expect(page.getByTestId('rome-stats-error')).toHaveCount(0);
  await expect(page.getByTestId('method-rome')).toHaveAttribute('data-available', 'true');
  await page.getByTestId('method-rome').click();
  await page.getByTestId('apply-edit').click();
  await expect(page.getByTestId('history-item')).toHaveCount(1, { timeout: 120_000 });
  await expect(page.getByTestId('history-item')).toHaveAttribute('data-method', 'rome');
  await expect(page.getByTestId('prompt-chart')).toHaveAttribute('data-state', 'after');
  // The edit prompt reads differently: the target's probability rose.
  const rome = await targetReadings(page);
  expect(rome.after).not.toEqual(rome.before);
  expect(probOf(rome.after)).toBeGreaterThan(probOf(rome.before));

  await page.getByTestId('undo-edit').click();
  await expect(page.getByTestId('history-item')).toHaveCount(0, { timeout: 60_000 });
  await expect(page.getByTestId('prompt-chart')).toHaveAttribute('data-state', 'before');
  await expect.poll(() => promptChartTable(page), { timeout: 30_000 }).toEqual(unedited);
  await expect(page.getByTestId('model-error')).toHaveCount(0);
});

test.afterEach(async ({ page }, info) => {
  if (info.status !== info.expectedStatus)
    await page.screenshot({ path: 'e2e-artifacts/qwen-hub-failure.png' });
});
