import { expect, test, type Page } from '@playwright/test';
import { accessApiUrl } from './support/env';

/**
 * The API documents' pages (Swagger UI, served by each service from its own node_modules): they render
 * every operation under the services' Content Security Policy, load nothing from another origin, and
 * work behind a path prefix (the console's /api).
 */
async function openDocs(page: Page, url: string) {
  const problems: string[] = [];
  const elsewhere: string[] = [];
  const origin = new URL(url).origin;
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
  });
  page.on('request', (request) => {
    if (!request.url().startsWith(origin)) elsewhere.push(request.url());
  });
  await page.goto(url);
  return { problems, elsewhere };
}

test.describe('the API documents', () => {
  test('when the access API’s /docs is opened, then every operation is listed, with no error and nothing fetched elsewhere', async ({
    page,
  }) => {
    const seen = await openDocs(page, `${accessApiUrl}/docs`);
    await expect(page).toHaveURL(`${accessApiUrl}/docs/`);
    await expect(page.getByRole('heading', { name: /regflow access API/ })).toBeVisible();
    await expect(page.locator('.opblock-summary-path', { hasText: /^\/users\/\{id\}$/ })).toBeVisible();
    await expect(page.locator('.opblock-summary-path', { hasText: /^\/users$/ })).toBeVisible();
    expect(seen.problems).toEqual([]);
    expect(seen.elsewhere).toEqual([]);
  });

  test('when the admin API’s docs are opened through the console’s /api, then they load under that prefix', async ({
    page,
    baseURL,
  }) => {
    const seen = await openDocs(page, `${baseURL}/api/docs`);
    await expect(page).toHaveURL(`${baseURL}/api/docs/`);
    await expect(page.getByRole('heading', { name: /regflow admin API/ })).toBeVisible();
    await expect(page.locator('.opblock-summary-path', { hasText: '/admin/users/{id}/approve' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Authorize' })).toBeVisible();
    expect(seen.problems).toEqual([]);
    expect(seen.elsewhere).toEqual([]);
  });
});
