import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { readCheckpointDir } from '../src/model/checkpoint-node.ts';
import { hfToGguf } from '../src/model/gguf/export.testing.ts';
import { GgmlType } from '../src/model/gguf/format.ts';
import { gpt2ParameterShapes } from '../src/model/gpt2-layout.ts';
import { missingRepoLink } from './support/missing-repo-link.ts';

// GGUF in the app (issue 10 item 2): the fact-world model written as a GGUF Q8_0 file by the tests' own writer
// (src/model/gguf/export.testing.ts, as src/cli/gguf.gpu.test.ts does) is loaded through the picker's file
// input, predicts fact-world's answer and takes an FT-L edit; a damaged copy is refused with a sentence while
// the loaded model and its edit stay; the same file served in the hub layout loads by repo id + file name, in
// int8 (its Q8_0 tensors repacked, not decoded).
//
// Kept fast: the page opens on a link whose model is a hub repo that is not there, so no other model loads.

const DIR = 'public/models/fact-world';
const REPO = 'test-org/fact-world-gguf';
const FILE = 'fact-world-q8_0.gguf';
let gguf: Buffer;

test.beforeAll(async () => {
  const ckpt = await readCheckpointDir(DIR);
  const config = JSON.parse(await readFile(join(DIR, 'config.json'), 'utf8')) as Record<string, unknown>;
  const shapes = new Map(gpt2ParameterShapes(ckpt.config).map((p) => [p.name, p.shape]));
  const tensors = new Map([...ckpt.weights].map(([n, data]) => [n, { shape: shapes.get(n)!, data }]));
  gguf = Buffer.from(
    hfToGguf({ config, tensors, tokenizerJson: ckpt.tokenizer.json, type: () => GgmlType.Q8_0 }),
  );
});

test('a local GGUF file loads through the picker, predicts and takes an FT-L edit; a damaged one is refused and the model stays; a hub GGUF loads in int8', async ({
  page,
  context,
}) => {
  test.setTimeout(240_000);
  const served: string[] = [];
  await context.route('https://huggingface.co/**', async (route) => {
    const path = new URL(route.request().url()).pathname;
    if (path === `/${REPO}/resolve/main/${FILE}`) {
      served.push(FILE);
      return route.fulfill({ status: 200, body: gguf, headers: { 'content-length': String(gguf.length) } });
    }
    return route.fulfill({ status: 404, body: 'Entry not found' });
  });
  const link = await missingRepoLink('ft');
  await page.goto(`/${link}`);
  await expect(page.getByTestId('model-error')).toContainText(/404/, { timeout: 60_000 });

  await page.getByTestId('model-source-local').click();
  await page
    .getByTestId('local-gguf-input')
    .setInputFiles({ name: FILE, mimeType: 'application/octet-stream', buffer: gguf });
  const info = page.getByTestId('model-info');
  await expect(info).toHaveAttribute('data-model', FILE, { timeout: 90_000 });
  await expect(page.getByTestId('model-weights')).toContainText('GGUF');
  await expect(page.getByTestId('model-weights')).toContainText('Q8_0');
  // It predicts fact-world's answer from the GGUF tensors.
  await expect(page.getByTestId('prompt-chart')).toHaveAttribute('data-state', 'before', { timeout: 60_000 });
  await expect(page.getByTestId('prompt-chart').locator('tbody tr').first()).toContainText('Paris');

  await page.getByTestId('apply-edit').click();
  await expect(page.getByTestId('history-item')).toHaveCount(1, { timeout: 90_000 });
  await expect(page.getByTestId('history-item')).toHaveAttribute('data-method', 'ft');
  await expect(page.getByTestId('prompt-chart')).toHaveAttribute('data-state', 'after');

  // A damaged copy (cut in the middle of its tensor data): a sentence naming the file; model and edit stay.
  const cut = gguf.subarray(0, Math.floor(gguf.length * 0.6));
  await page
    .getByTestId('local-gguf-input')
    .setInputFiles({ name: 'damaged.gguf', mimeType: 'application/octet-stream', buffer: cut });
  await expect(page.getByTestId('model-error')).toContainText('damaged.gguf', { timeout: 60_000 });
  await expect(page.getByTestId('model-error')).toContainText('The previous model stays loaded.');
  await expect(info).toHaveAttribute('data-model', FILE);
  await expect(page.getByTestId('history-item')).toHaveCount(1);
  await expect(page.getByTestId('prompt-chart')).toHaveAttribute('data-state', 'after');

  // The same file from the hub layout, by repo id and file name, loaded as int8.
  await page.getByTestId('model-source-hub').click();
  await page.getByTestId('hub-repo-input').fill(REPO);
  await page.getByTestId('hub-gguf-input').fill(FILE);
  await page.getByTestId('weights-hub-int8').click();
  await page.getByTestId('load-hub').click();
  await expect(info).toHaveAttribute('data-model', `${REPO}/${FILE}`, { timeout: 90_000 });
  await expect(info).toHaveAttribute('data-dtype', 'int8');
  expect(served).toEqual([FILE]);
  await expect(page.getByTestId('prompt-chart').locator('tbody tr').first()).toContainText('Paris', {
    timeout: 60_000,
  });
  await expect(page.getByTestId('model-error')).toHaveCount(0);
});
