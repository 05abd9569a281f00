import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';

// Accessibility and layout of the main views (issue 11 item 7): axe-core finds no serious or critical
// violation on the first visit (with its edit), after an edit, in Compare and with an error banner; charts are
// one tab stop each with a table alternative; Compare stacks at phone width; presentation mode enlarges text.
// Screenshots of every main view at 1440 and 390 px go to e2e-artifacts/screens/.

const screens = 'e2e-artifacts/screens';
const SLOW = 600_000;
test.describe.configure({ timeout: 1_500_000 });

async function axe(page: Page, view: string) {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21aa']).analyze();
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const summary = bad.map(
    (v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
  );
  expect(summary, `axe on ${view}`).toEqual([]);
  return result.violations.length;
}

async function shoot(page: Page, name: string) {
  await page.setViewportSize({ width: 1440, height: 960 });
  await page.screenshot({ path: `${screens}/${name}-1440.png`, fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: `${screens}/${name}-390.png`, fullPage: true });
  await page.setViewportSize({ width: 1440, height: 960 });
}

test('the main views pass axe, charts are one tab stop with a table, Compare stacks on a phone', async ({
  page,
}) => {
  await page.goto('/');
  await expect(page.getByTestId('loading-state').or(page.getByTestId('history-item'))).toBeVisible({
    timeout: SLOW,
  });
  await expect(page.getByTestId('history-item')).toHaveCount(1, { timeout: SLOW });
  await expect(page.getByTestId('prompt-chart')).toHaveAttribute('data-state', 'after', { timeout: SLOW });
  await axe(page, 'first visit');
  await shoot(page, 'first-visit');

  // Charts: exactly one tab stop each (the figure), with the numbers as a table.
  const chart = page.getByTestId('prompt-chart');
  await expect(chart).toHaveAttribute('tabindex', '0');
  expect(await chart.locator('[tabindex]:not([tabindex="-1"]), a, button, input').count()).toBe(0);
  await expect(chart.locator('table tbody tr').first()).toBeAttached();

  // An edit from the keyboard: Enter in the target field applies it.
  await page.getByTestId('edit-prompt').fill('The capital of Germany is');
  await page.getByTestId('edit-subject').fill('Germany');
  await page.getByTestId('edit-target').fill(' Rome');
  await page.getByTestId('edit-target').press('Enter');
  await expect(page.getByTestId('history-item')).toHaveCount(2, { timeout: SLOW });
  await expect(page.getByTestId('result-heading')).toBeFocused();
  await axe(page, 'after an edit');
  await shoot(page, 'after-edit');

  // Presentation mode: larger text.
  const size = () => page.evaluate(() => parseFloat(getComputedStyle(document.documentElement).fontSize));
  const normal = await size();
  await page.getByTestId('presentation-toggle').click();
  expect(await size()).toBeGreaterThan(normal);
  await page.screenshot({ path: `${screens}/presentation-1440.png`, fullPage: true });
  await page.getByTestId('presentation-toggle').click();

  // Compare, then the same view at phone width: the method columns stack.
  await page.getByTestId('compare-run').click();
  await expect(page.locator('[data-testid="compare-column"][data-status="running"]')).toHaveCount(0, {
    timeout: 600_000,
  });
  await expect(page.locator('.compare-cell').first()).toBeVisible();
  await axe(page, 'compare');
  await shoot(page, 'compare');
  await page.setViewportSize({ width: 390, height: 844 });
  const cells = page.locator('.compare-row').first().locator('.compare-cell');
  const boxes = await cells.evaluateAll((els) => els.map((e) => e.getBoundingClientRect().top));
  if (boxes.length > 1)
    expect(boxes[1], 'stacked: the second method is below the first').toBeGreaterThan(boxes[0]);
  await page.setViewportSize({ width: 1440, height: 960 });
});

test('the error banner of a damaged link passes axe and wraps its text', async ({ page }) => {
  await page.goto('/#s=v9.' + 'x'.repeat(400));
  await expect(page.getByTestId('banner-link')).toBeVisible({ timeout: SLOW });
  await expect(page.getByTestId('history-item')).toHaveCount(1, { timeout: SLOW });
  await axe(page, 'error banner');
  await shoot(page, 'error-banner');
  await page.setViewportSize({ width: 390, height: 844 });
  // Charts re-measure through ResizeObserver after the resize, so the layout is given time to settle; what
  // stays wider than the screen is named in the failure.
  await expect
    .poll(() => page.evaluate(widerThanScreen), {
      message: 'nothing is wider than a phone screen',
      timeout: 15_000,
    })
    .toEqual([]);
});

/** Elements whose right edge passes the viewport, as `tag.class (width px)`, when the page scrolls sideways. */
function widerThanScreen(): string[] {
  if (document.documentElement.scrollWidth <= window.innerWidth + 1) return [];
  const wide = [...document.querySelectorAll('body *')].filter(
    (e) => e.getBoundingClientRect().right > window.innerWidth + 1,
  );
  const label = (e: Element) =>
    `${e.tagName.toLowerCase()}.${[...e.classList].join('.')} (${Math.round(e.getBoundingClientRect().width)} px)`;
  return wide.length ? wide.slice(0, 5).map(label) : [`page ${document.documentElement.scrollWidth} px`];
}
