import { expect, test } from '@playwright/test';
import { confirmationLink, createRegistration, openQueue, queueRow, uniquePerson } from './support/helpers';

test('when an applicant follows the confirmation link in a browser, then the page says confirmed, the link again says already confirmed, and the registration is in the review queue', async ({
  page,
  request,
}) => {
  const person = uniquePerson();
  await createRegistration(request, person, { confirm: false });
  // The link from the email in the real mail server's inbox, opened as the applicant would.
  const link = await confirmationLink(request, person.email);
  await page.goto(link);
  await expect(page.getByRole('heading', { name: 'Email confirmed' })).toBeVisible();
  await expect(page.getByText('Your registration is now waiting for review')).toBeVisible();

  // Once the orchestrator has taken the confirmation, the same link is spent.
  await expect
    .poll(
      async () => {
        await page.goto(link);
        return page.getByRole('heading', { level: 1 }).textContent();
      },
      { timeout: 60_000 },
    )
    .toBe('Already confirmed');

  await openQueue(page);
  await expect(await queueRow(page, person.name)).toBeVisible();
});
