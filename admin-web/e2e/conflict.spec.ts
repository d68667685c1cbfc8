import { expect, test } from '@playwright/test';
import { adminCredentials, STORAGE_STATE } from './support/env';
import { createRegistration, escapeRegExp, openQueue, queueRow } from './support/helpers';

test('when two reviewers decide the same registration, then the second sees who decided first and when', async ({
  browser,
  request,
}) => {
  const registration = await createRegistration(request);
  const first = await browser.newContext({ storageState: STORAGE_STATE });
  const second = await browser.newContext({ storageState: STORAGE_STATE });
  try {
    // The second reviewer's live stream is cut (a lagging connection), so their screen still offers the row.
    await second.route('**/api/admin/events', (route) => route.abort());
    const reviewerA = await first.newPage();
    const reviewerB = await second.newPage();

    await openQueue(reviewerA);
    const rowA = await queueRow(reviewerA, registration.name);
    await openQueue(reviewerB);
    const rowB = await queueRow(reviewerB, registration.name);

    await rowA.getByRole('button', { name: `Approve ${registration.name}` }).click();
    await expect(rowA).toBeHidden();
    await expect(reviewerA.getByText(`Approved ${registration.name}.`)).toBeVisible();

    await rowB.getByRole('button', { name: `Approve ${registration.name}` }).click();

    const who = escapeRegExp(adminCredentials().email);
    const when = String.raw`\d{1,2} \w{3} \d{4}, \d{2}:\d{2}`;
    await expect(rowB).toContainText(new RegExp(`Already approved by ${who} at ${when}`));
    await expect(
      reviewerB.getByRole('alert').filter({ hasText: `Could not approve ${registration.name}` }),
    ).toBeVisible();
    await expect(rowB.getByRole('button', { name: `Approve ${registration.name}` })).toHaveCount(0);
  } finally {
    await first.close();
    await second.close();
  }
});
