import { expect, test } from '@playwright/test';
import { createRegistration, PIPELINE_TIMEOUT, randomWord } from './support/helpers';

test('when the name is misspelled, then search still finds the registration', async ({ page, request }) => {
  const first = randomWord(7);
  const last = randomWord(9);
  const registration = await createRegistration(request, {
    name: `${first} ${last}`,
    email: `${first}.${last}.${Date.now()}@example.com`.toLowerCase(),
  });
  // One wrong letter in the surname, as a reviewer copying from a phone call would type it.
  const typo = last.slice(0, 4) + (last[4] === 'a' ? 'e' : 'a') + last.slice(5);

  await expect(async () => {
    await page.goto('/search');
    await page.getByRole('searchbox', { name: 'Name, email or CPF' }).fill(`${first} ${typo}`);
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await expect(page.getByRole('link', { name: registration.name })).toBeVisible({ timeout: 3_000 });
  }).toPass({ timeout: PIPELINE_TIMEOUT });

  await expect(page.getByRole('status').filter({ hasText: /\d+ results?/ })).toBeVisible();
  const result = page.getByRole('row').filter({ has: page.getByRole('link', { name: registration.name }) });
  await expect(result).toContainText(registration.email);
});

test('when filtering by status, then rejected registrations can be found', async ({ page }) => {
  await page.goto('/search?status=rejected');
  await expect(page.getByRole('combobox', { name: 'Status' })).toHaveValue('rejected');
  await expect(page.getByRole('status').filter({ hasText: /results?|No results/ })).toBeVisible();
  const badges = page.getByRole('table').getByText('Approved', { exact: true });
  await expect(badges).toHaveCount(0);
});
