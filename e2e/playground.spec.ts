import { expect, test, type Page } from '@playwright/test';

// The playground on the embedded fact-world model, in headless Chromium on SwiftShader WebGPU.
// Screenshots of the main views land in e2e-artifacts/screens/.

const screens = 'e2e-artifacts/screens';

async function openDefault(page: Page) {
  await page.goto('/');
  // The default session applies its example edit by itself.
  await expect(page.getByTestId('history-item')).toHaveCount(1, { timeout: 120_000 });
  await expect(page.getByTestId('prompt-chart')).toHaveAttribute('data-state', 'after');
}

async function availableMethods(page: Page): Promise<string[]> {
  const out: string[] = [];
  for (const m of ['ibke', 'mend', 'rome', 'ft']) {
    if ((await page.getByTestId(`method-${m}`).getAttribute('data-available')) === 'true') out.push(m);
  }
  return out;
}

test('a first visit shows an edit happen, with charts, metrics and a continuation', async ({ page }) => {
  await openDefault(page);
  await expect(page.getByTestId('metrics')).toBeVisible();
  for (const metric of ['reliability', 'generality', 'locality', 'kl', 'latency']) {
    await expect(page.getByTestId(`metric-${metric}`)).toHaveAttribute('data-value', /\d/);
  }
  await expect(page.getByTestId('probe-group-gen').getByTestId('probe-card').first()).toBeVisible();
  await expect(page.getByTestId('probe-group-loc').getByTestId('probe-card').first()).toBeVisible();
  await expect(page.getByTestId('continuation-before')).toContainText('Paris');
  await page.screenshot({ path: `${screens}/playground.png`, fullPage: true });
});

test('every available method applies an edit, and undo takes it back', async ({ page }) => {
  await openDefault(page);
  const methods = await availableMethods(page);
  expect(methods, 'FT-L is always available').toContain('ft');
  for (const m of methods) {
    await page.getByTestId(`method-${m}`).click();
    const before = await page.getByTestId('history-item').count();
    await page.getByTestId('apply-edit').click();
    await expect(page.getByTestId('history-item')).toHaveCount(before + 1, { timeout: 120_000 });
    await expect(page.getByTestId('history-item').last()).toHaveAttribute('data-method', m);
    await expect(page.getByTestId('prompt-chart')).toHaveAttribute('data-state', 'after');
    await expect(page.getByTestId('metric-reliability')).toHaveAttribute('data-value', /\d/);
  }
  const count = await page.getByTestId('history-item').count();
  await page.getByTestId('undo-edit').last().click();
  await expect(page.getByTestId('history-item')).toHaveCount(count - 1, { timeout: 60_000 });
});

test('compare runs the same edit with several methods side by side', async ({ page }) => {
  await openDefault(page);
  await page.getByTestId('compare-run').click();
  await expect(page.locator('[data-testid="compare-column"][data-status="done"]').first()).toBeVisible({
    timeout: 300_000,
  });
  await expect(page.locator('[data-testid="compare-column"][data-status="running"]')).toHaveCount(0, {
    timeout: 300_000,
  });
  await page.screenshot({ path: `${screens}/compare.png`, fullPage: true });
});

test('the permalink reproduces the session, and a damaged one opens the default session with a notice', async ({
  page,
  context,
}) => {
  // Four page boots (the session, its replay, two broken links): about a minute on a 2-core machine.
  test.setTimeout(600_000);
  await openDefault(page);
  await page.getByTestId('method-ft').click();
  // The link is rewritten (compressed, asynchronously) after every change, the method choice included.
  await expect.poll(() => page.url(), { timeout: 30_000 }).toMatch(/#s=v1\./);
  await page.waitForTimeout(1000);
  const beforeSecondEdit = page.url();
  await page.getByTestId('apply-edit').click();
  await expect(page.getByTestId('history-item')).toHaveCount(2, { timeout: 120_000 });
  await expect.poll(() => page.url(), { timeout: 30_000 }).not.toBe(beforeSecondEdit);
  const url = page.url();

  const again = await context.newPage();
  await again.goto(url);
  await expect(again.getByTestId('history-item')).toHaveCount(2, { timeout: 180_000 });
  await expect(again.getByTestId('history-item').last()).toHaveAttribute('data-method', 'ft');

  // Every way a link can be wrong (truncated, a flipped bit, a future version, markup) is decoded in
  // src/app/permalink/codec.test.ts; here the page shows the sentence and the default session for one that
  // fails its version check and one that carries markup (nothing in it may run).
  for (const broken of [url.replace('#s=v1.', '#s=v9.'), '/#s=v1.<script>alert(1)</script>']) {
    const p = await context.newPage();
    let dialog = false;
    p.on('dialog', () => (dialog = true));
    await p.goto(broken);
    await expect(p.getByTestId('banner-link')).toBeVisible({ timeout: 60_000 });
    await expect(p.getByTestId('history-item')).toHaveCount(1, { timeout: 120_000 });
    expect(dialog, 'nothing in a link may run script').toBe(false);
    if (broken.includes('v9')) await p.screenshot({ path: `${screens}/broken-link.png` });
    await p.close();
  }
});

test('a Hugging Face repo id downloads config, weights and tokenizer (served locally in the hub layout)', async ({
  page,
  context,
}) => {
  // Answer huggingface.co from the embedded model's files, in the hub's /{repo}/resolve/{rev}/{file} layout.
  await context.route('https://huggingface.co/**', async (route) => {
    const m = new URL(route.request().url()).pathname.match(
      /^\/([^/]+\/[^/]+)\/resolve\/main\/(config\.json|model\.safetensors|tokenizer\.json)$/,
    );
    if (!m || m[1] !== 'editscope/fact-world') return route.fulfill({ status: 404, body: 'Entry not found' });
    const res = await page.request.get(`/models/fact-world/${m[2]}`);
    return route.fulfill({
      status: 200,
      body: await res.body(),
      headers: { 'content-length': String((await res.body()).length) },
    });
  });
  await openDefault(page);
  await page.getByTestId('model-source-hub').click();
  await page.getByTestId('hub-repo-input').fill('editscope/fact-world');
  await page.getByTestId('load-hub').click();
  await expect(page.getByTestId('model-info')).toContainText('editscope/fact-world', { timeout: 120_000 });

  await page.getByTestId('hub-repo-input').fill('editscope/missing-model');
  await page.getByTestId('load-hub').click();
  await expect(page.getByTestId('model-error')).toContainText(/config\.json|not found|404/i, {
    timeout: 60_000,
  });
});
