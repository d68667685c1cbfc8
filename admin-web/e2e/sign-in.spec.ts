import { expect, test } from '@playwright/test';
import { adminCredentials } from './support/env';
import { signIn } from './support/helpers';

// These start signed out, whatever the project's saved session is.
test.use({ storageState: { cookies: [], origins: [] } });

test.describe('signing in', () => {
  test('when a signed-out visitor opens any page, then they land on sign-in and return there afterwards', async ({
    page,
  }) => {
    for (const path of ['/', '/search?q=ana&status=rejected', '/users/00000000-0000-4000-8000-000000000000']) {
      await page.goto(path);
      await expect(page).toHaveURL(/\/login(\?|$)/);
      await expect(page.getByRole('heading', { name: 'Sign in to review registrations' })).toBeVisible();
      await expect(page.getByRole('navigation', { name: 'Main' })).toHaveCount(0);
    }

    await signIn(page);
    await expect(page).toHaveURL(/\/users\/00000000-0000-4000-8000-000000000000$/);
    await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
  });

  test('when the password is wrong, then sign-in explains it and nothing else is shown', async ({ page }) => {
    await page.goto('/login');
    await page.getByLabel('Email').fill(adminCredentials().email);
    await page.getByLabel('Password').fill('definitely-not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByText(/do not match an admin account|Too many attempts/)).toBeVisible();
    await expect(page).toHaveURL(/\/login/);
  });

  test('when signed in, then the queue and the counts show, and signing out ends the session', async ({ page }) => {
    await page.goto('/login');
    await signIn(page);
    await expect(page.getByRole('heading', { name: 'Review queue' })).toBeVisible();
    const counts = page.getByRole('list', { name: 'Review counts' });
    await expect(counts).toContainText(/Pending \d/);
    await expect(counts).toContainText(/Approved today \d/);
    await expect(counts).toContainText(/Rejected today \d/);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page).toHaveURL(/\/login/);
    await page.goto('/search');
    await expect(page).toHaveURL(/\/login\?next=%2Fsearch/);
  });
});
