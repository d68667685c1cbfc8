import { expect, test } from '@playwright/test';
import { adminCredentials, SCREENSHOT_DIR } from './support/env';
import {
  createRegistration,
  escapeRegExp,
  openQueue,
  PIPELINE_TIMEOUT,
  queueRow,
  uniqueCpf,
  uniquePerson,
} from './support/helpers';

test.describe('review queue', () => {
  test('when someone signs up, then they appear in the open queue without a reload', async ({ page, request }) => {
    await openQueue(page);
    // A full reload would wipe this marker; live updates keep it.
    await page.evaluate(() => {
      (window as unknown as { __noReload: boolean }).__noReload = true;
    });

    const cpf = uniqueCpf();
    const person = {
      ...uniquePerson(),
      cpf: cpf.digits,
      phone: '+5511987654321',
      note: 'Signed up from the e2e suite',
    };
    const registration = await createRegistration(request, person);
    const row = await queueRow(page, registration.name);

    await expect(row).toContainText(registration.email);
    await expect(row).toContainText(cpf.formatted);
    await expect(row).toContainText('+55 (11) 98765-4321');
    await expect(row).toContainText('Signed up from the e2e suite');
    await expect(row).toContainText(/waited (less than 1 min|\d+ min)/);
    expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);
    await page.screenshot({ path: `${SCREENSHOT_DIR}queue.png` });
  });

  test('when a registration is approved, then it leaves the queue and search finds it as approved', async ({
    page,
    request,
  }) => {
    const registration = await createRegistration(request);
    await openQueue(page);
    const row = await queueRow(page, registration.name);

    await row.getByRole('button', { name: `Approve ${registration.name}` }).click();
    await expect(row).toBeHidden();
    await expect(page.getByText(`Approved ${registration.name}.`)).toBeVisible();

    // The search index is updated asynchronously from the decision event; retry the search until it is.
    await expect(async () => {
      await page.goto(`/search?q=${encodeURIComponent(registration.name)}&status=approved`);
      const result = page.getByRole('row').filter({ has: page.getByRole('link', { name: registration.name }) });
      await expect(result).toContainText('Approved', { timeout: 2_000 });
      await expect(result).toContainText(adminCredentials().email, { timeout: 2_000 });
    }).toPass({ timeout: PIPELINE_TIMEOUT });
    await expect(page.getByRole('status').filter({ hasText: /\d+ results?/ })).toBeVisible();
    await expect(page.locator('mark').first()).toBeVisible();
    await page.screenshot({ path: `${SCREENSHOT_DIR}search.png` });
  });

  test('when a registration is rejected with a reason, then its detail page shows who, when and why', async ({
    page,
    request,
  }) => {
    const registration = await createRegistration(request);
    await openQueue(page);
    const row = await queueRow(page, registration.name);

    await row.getByRole('button', { name: `Reject ${registration.name}` }).click();
    const dialog = page.getByRole('dialog', { name: `Reject ${registration.name}` });
    await expect(dialog).toBeVisible();
    await dialog.getByRole('textbox', { name: /Reason/ }).fill('Could not verify the CPF holder');
    await dialog.getByRole('button', { name: 'Reject', exact: true }).click();
    await expect(dialog).toBeHidden();
    await expect(row).toBeHidden();

    await expect(async () => {
      await page.goto(`/users/${registration.id}`);
      await expect(page.getByText('Rejected', { exact: true })).toBeVisible({ timeout: 2_000 });
    }).toPass({ timeout: PIPELINE_TIMEOUT });
    const timeline = page.getByRole('region', { name: 'Timeline' });
    await expect(timeline).toContainText(new RegExp(`Rejected by ${escapeRegExp(adminCredentials().email)}`));
    await expect(timeline).toContainText('Could not verify the CPF holder');
    for (const step of ['Received', 'Indexed', 'Queued', 'Staged']) {
      await expect(timeline.getByText(step, { exact: true })).toBeVisible();
    }
    await page.screenshot({ path: `${SCREENSHOT_DIR}detail.png`, fullPage: true });
  });

  test('when three registrations are selected and approved together, then all three leave the queue', async ({
    page,
    request,
  }) => {
    const registrations = [
      await createRegistration(request),
      await createRegistration(request),
      await createRegistration(request),
    ];
    await openQueue(page);
    for (const registration of registrations) {
      await queueRow(page, registration.name);
      await page.getByRole('checkbox', { name: `Select ${registration.name}` }).check();
    }
    await expect(page.getByText('3 selected', { exact: true })).toBeVisible();

    await page.getByRole('button', { name: 'Approve 3 selected' }).click();

    for (const registration of registrations) {
      await expect(page.getByRole('listitem', { name: registration.name, exact: true })).toHaveCount(0);
    }
    await expect(page.getByText('Approved 3 registrations.')).toBeVisible();
  });

  test('when driving the queue by keyboard, then shortcuts act on the current row and never while typing', async ({
    page,
    request,
  }) => {
    const registration = await createRegistration(request);
    await openQueue(page);
    const row = await queueRow(page, registration.name);
    await row.click({ position: { x: 400, y: 10 } });
    await expect(row).toHaveAttribute('aria-current', 'true');

    await page.getByRole('searchbox', { name: /Search registrations/ }).fill('xa');
    await expect(row).toBeVisible();
    await page.keyboard.press('Escape');
    await row.focus();

    await page.keyboard.press('?');
    await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeVisible();
    await page.keyboard.press('Escape');

    await page.keyboard.press('r');
    const dialog = page.getByRole('dialog', { name: `Reject ${registration.name}` });
    await expect(dialog).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(dialog).toBeHidden();
    await expect(row).toBeVisible();
  });
});
