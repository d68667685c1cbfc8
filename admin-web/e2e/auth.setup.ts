import { expect, test as setup } from '@playwright/test';
import { STORAGE_STATE } from './support/env';
import { signIn } from './support/helpers';

setup('when the admin signs in once, then the session is saved for the other specs', async ({ page }) => {
  await page.goto('/login');
  await signIn(page);
  await expect(page.getByRole('heading', { name: 'Review queue' })).toBeVisible();
  await page.context().storageState({ path: STORAGE_STATE });
});
