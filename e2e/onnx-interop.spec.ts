// Edit here, ship with transformers.js: in one page (bench/peers/interop.html, built with the app but never
// loaded by it) the engine applies an IBKE edit (the shipped trained editor) to the fact-world model, exports the merged weights as an ONNX
// folder, and @huggingface/transformers loads that folder (wasm EP) and must agree with the engine: the same
// top-5 next tokens with probabilities within 1e-4, and the same greedy continuation.

import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';

interface Top {
  id: number;
  prob: number;
}
interface InteropResult {
  engine: { top5: Top[]; continuation: number[] };
  transformers: { top5: Top[]; continuation: number[] };
  promptIds: number[];
  targetIds: number[];
  files: { name: string; bytes: number }[];
  exportMs: number;
  loadMs: number;
}

const [first] = JSON.parse(readFileSync('data/fact-world/edits-test.json', 'utf8')) as {
  prompt: string;
  subject: string;
  target_new: string;
}[];

test('an edited fact-world model exported as ONNX gives transformers.js the engine’s top-5 and continuation', async ({
  page,
}) => {
  // An IBKE edit, a 27 MB wasm compile and two model loads: minutes on a busy 2-core CPU adapter.
  test.setTimeout(540_000);
  page.on('console', (m) => {
    if (m.type() === 'error') console.log(`[page] ${m.text()}`);
  });
  await page.goto('/bench/peers/interop.html');
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  const request = { prompt: first.prompt, subject: first.subject, target: first.target_new };
  const r = await page.evaluate(
    (req) =>
      (
        window as unknown as { editscopeInterop: { run: (r: unknown, m: string) => Promise<unknown> } }
      ).editscopeInterop.run(req, 'ibke'),
    request,
  );
  const result = r as InteropResult;
  console.log(JSON.stringify({ request, ...result }));
  expect(result.files.map((f) => f.name).sort()).toEqual([
    'config.json',
    'generation_config.json',
    'onnx/model.onnx',
    'tokenizer.json',
    'tokenizer_config.json',
  ]);
  expect(result.engine.top5[0].id, 'the edit took: its target is the top-1').toBe(result.targetIds[0]);
  expect(result.transformers.top5.map((t) => t.id)).toEqual(result.engine.top5.map((t) => t.id));
  result.engine.top5.forEach((t, i) =>
    expect(Math.abs(t.prob - result.transformers.top5[i].prob)).toBeLessThan(1e-4),
  );
  expect(result.transformers.continuation).toEqual(result.engine.continuation);
  expect(result.engine.continuation.length).toBeGreaterThan(0);
});
