import { expect, test } from '@playwright/test';

// The sequential (lifelong) view (issue 13) in headless Chromium on SwiftShader WebGPU, on the embedded
// fact-world model: three FT-L test edits applied in turn on top of the default example's edit, a chart with
// three points on each curve, then Undo: the worker checks that the model answers the run's prompts as before
// the run, and the user's own edit is still in the history.

const SLOW = Number(process.env.E2E_SLOW_MS ?? 600_000);
test.describe.configure({ timeout: 1_200_000 });

test('three sequential FT-L edits chart three points per curve; Undo restores the model', async ({
  page,
}) => {
  await page.goto('/');
  await expect(page.getByTestId('history-item')).toHaveCount(1, { timeout: SLOW });
  await expect(page.getByTestId('prompt-chart')).toHaveAttribute('data-state', 'after', { timeout: SLOW });

  await page.getByTestId('sequential-panel').locator('summary').click();
  await page.getByTestId('sequential-n').fill('3');
  await page.getByTestId('sequential-method').selectOption('ft');
  await page.getByTestId('sequential-run').click();
  const status = page.getByTestId('sequential-status');
  await expect(status).toHaveAttribute('data-phase', /^(done|error)$/, { timeout: SLOW });
  if ((await status.getAttribute('data-phase')) === 'error')
    throw new Error(`The run stopped: ${await page.getByTestId('sequential-error').textContent()}`);
  await expect(status).toHaveAttribute('data-applied', '3');

  const chart = page.getByTestId('sequential-chart');
  await expect(chart).toHaveAttribute('data-points', '3');
  // Retention, generality, locality and the unrelated facts: four lines, each a dot per measured point
  // (recharts draws a line's dots in their own layer, one group per line).
  await expect(chart.locator('.recharts-line')).toHaveCount(4);
  const dots = chart.locator('.recharts-line-dots');
  await expect(dots).toHaveCount(4);
  for (let i = 0; i < 4; i++) await expect(dots.nth(i).locator('.recharts-line-dot')).toHaveCount(3);
  const rows = page.getByTestId('sequential-row');
  await expect(rows).toHaveCount(3);
  for (let r = 0; r < 3; r++) {
    const cells = rows.nth(r).locator('td');
    await expect(cells.nth(0)).toHaveText(String(r + 1));
    for (let c = 1; c <= 3; c++) await expect(cells.nth(c)).toHaveText(/^\d+(\.\d)? %$/);
  }
  await expect(page.getByTestId('sequential-summary')).toContainText('3 edits (0 refused)');

  await page.getByTestId('sequential-undo').click();
  await expect(page.getByTestId('sequential-restored')).toHaveAttribute('data-restored', 'true', {
    timeout: SLOW,
  });
  await expect(page.getByTestId('sequential-restored')).toContainText('3 edits taken out');
  await expect(status).toHaveAttribute('data-applied', '0');
  await expect(page.getByTestId('history-item')).toHaveCount(1);
});
