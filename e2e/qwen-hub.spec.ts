import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';

// A small random Qwen3 with SHARDED weights (model.safetensors.index.json + two shards), GPT-2's tokenizer and
// ROME statistics computed by the engine, generated at test time by tools/random-qwen3.ts (nothing large is
// committed) and served in the Hugging Face hub's /{repo}/resolve/{revision}/{file} layout. Loaded through the
// model picker by repo id, it predicts, and FT-L and ROME edit it.

const REPO = 'test-org/tiny-qwen3';
let dir: string;

test.beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'editscope-qwen-e2e-'));
  execFileSync('node', ['--import', './bin/register.mjs', 'tools/random-qwen3.ts', '--out', dir, '--rome'], {
    env: { ...process.env, EDITSCOPE_ADAPTER: process.env.EDITSCOPE_ADAPTER ?? 'swiftshader' },
    stdio: 'inherit',
    timeout: 300_000,
  });
});

test.afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('a sharded Qwen3 from the hub loads by repo id, predicts, and FT-L and ROME edit it', async ({
  page,
  context,
}) => {
  test.setTimeout(600_000);
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

  await page.goto('/');
  // The embedded model first, and whatever the default session does with it, before switching models.
  await expect(page.getByTestId('model-info')).toHaveAttribute('data-model', 'fact-world', {
    timeout: 240_000,
  });
  // Its default session's edit is cancelled (not what this test is about; a busy engine ignores a switch).
  const cancel = page.getByTestId('cancel-task');
  if (await cancel.isVisible().catch(() => false)) await cancel.click().catch(() => {});
  await expect(page.getByTestId('apply-edit')).toBeEnabled({ timeout: 240_000 });
  await page.getByTestId('model-source-hub').click();
  await page.getByTestId('hub-repo-input').fill(REPO);
  await page.getByTestId('load-hub').click();
  await expect(page.getByTestId('model-info')).toHaveAttribute('data-model', REPO, { timeout: 180_000 });
  // Every shard the index names came through the hub layout; no single model.safetensors exists.
  expect(served).toEqual(
    expect.arrayContaining(['config.json', 'tokenizer.json', 'model.safetensors.index.json']),
  );
  expect(served.filter((f) => f.startsWith('model-0000')).sort()).toEqual([
    'model-00001-of-00002.safetensors',
    'model-00002-of-00002.safetensors',
  ]);
  await expect(page.getByTestId('model-info')).toContainText(/2 layers|layers\s*2/i);

  // ROME found its statistics in the repo (rome-cov-l0.safetensors); FT-L is always there.
  await expect(page.getByTestId('method-ft')).toHaveAttribute('data-available', 'true');
  await expect(page.getByTestId('method-rome')).toHaveAttribute('data-available', 'true');
  expect(served).toContain('rome-cov-l0.safetensors');

  for (const [i, method] of ['ft', 'rome'].entries()) {
    await page.getByTestId(`method-${method}`).click();
    await page.getByTestId('apply-edit').click();
    await expect(page.getByTestId('history-item')).toHaveCount(i + 1, { timeout: 240_000 });
    await expect(page.getByTestId('history-item').last()).toHaveAttribute('data-method', method);
    // The model predicted before and after the edit: the charts hold top-k readings of this model.
    await expect(page.getByTestId('prompt-chart')).toHaveAttribute('data-state', 'after');
    await expect(page.getByTestId('metric-reliability')).toHaveAttribute('data-value', /\d/);
  }
  await expect(page.getByTestId('model-error')).toHaveCount(0);
});

test.afterEach(async ({ page }, info) => {
  if (info.status !== info.expectedStatus)
    await page.screenshot({ path: 'e2e-artifacts/qwen-hub-failure.png' });
});
