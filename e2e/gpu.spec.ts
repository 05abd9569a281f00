import { expect, test } from '@playwright/test';

test('the page gets a WebGPU adapter and the matmul kernels agree with the CPU reference', async ({
  page,
}) => {
  await page.goto('/');
  const noGpu = page.getByTestId('no-webgpu');
  const adapter = page.getByTestId('adapter-name');
  await expect(noGpu.or(adapter)).toBeVisible();
  if (await noGpu.isVisible()) {
    throw new Error(
      `No WebGPU in headless Chromium: ${await noGpu.innerText()}\n` +
        'Launch flags must include --enable-unsafe-webgpu (see playwright.config.ts).',
    );
  }
  await expect(adapter).toContainText(/\w/);
  await page.getByTestId('run-matmul-check').click();
  const check = page.getByTestId('matmul-check');
  await expect(check).toBeVisible();
  await expect(check).toHaveAttribute('data-ok', 'true');
  await expect(check.locator('tbody tr')).toHaveCount(8);
});

test('without WebGPU the app explains how to get it', async ({ browser }) => {
  const context = await browser.newContext();
  await context.addInitScript(() => {
    Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined, configurable: true });
    delete (Navigator.prototype as { gpu?: unknown }).gpu;
  });
  const page = await context.newPage();
  await page.goto('/');
  await expect(page.getByTestId('no-webgpu')).toContainText('WebGPU');
  await context.close();
});
