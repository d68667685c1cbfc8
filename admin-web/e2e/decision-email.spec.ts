import { expect, test, type APIRequestContext } from '@playwright/test';
import { mailInboxUrl, SCREENSHOT_DIR } from './support/env';
import { createRegistration, openQueue, PIPELINE_TIMEOUT, queueRow } from './support/helpers';

interface InboxMessage {
  id: string;
  subject: string;
  text: string;
}

/** Every message to `address` in the mail server's inbox (maildev's HTTP API). */
async function messagesTo(request: APIRequestContext, address: string): Promise<InboxMessage[]> {
  const response = await request.get(`${mailInboxUrl()}/api/email`, { params: { 'to.address': address } });
  expect(response.ok()).toBe(true);
  return (await response.json()) as InboxMessage[];
}

/** Decision event → Kafka → the decision-email listener → SMTP: after the console's answer, asynchronously. */
async function decisionEmail(request: APIRequestContext, address: string): Promise<InboxMessage> {
  let found: InboxMessage | undefined;
  await expect(async () => {
    [found] = await messagesTo(request, address);
    expect(found).toBeDefined();
  }).toPass({ timeout: PIPELINE_TIMEOUT, intervals: [250, 500, 1_000] });
  return found!;
}

test.describe('decision emails', () => {
  test('when a registration is approved in the console, then the applicant finds one decision email in the inbox', async ({
    page,
    request,
  }) => {
    const registration = await createRegistration(request);
    await openQueue(page);
    const row = await queueRow(page, registration.name);
    await row.getByRole('button', { name: `Approve ${registration.name}` }).click();
    await expect(row).toBeHidden();
    await expect(page.getByText(`Approved ${registration.name}.`)).toBeVisible();

    const email = await decisionEmail(request, registration.email);
    expect(email.subject).toBe('Your registration has been approved');
    // The HTML part, as a mail client shows it, in this browser.
    await page.goto(`${mailInboxUrl()}/api/email/${encodeURIComponent(email.id)}/html`);
    await expect(page.getByRole('heading', { name: 'Your registration has been approved' })).toBeVisible();
    await expect(page.getByText(`Hello ${registration.name},`)).toBeVisible();
    await page.screenshot({ path: `${SCREENSHOT_DIR}decision-email.png`, fullPage: true });
    expect(await messagesTo(request, registration.email)).toHaveLength(1);
  });

  test('when a reason is shared in the reject dialog, then the rejection email quotes it', async ({
    page,
    request,
  }) => {
    const registration = await createRegistration(request);
    await openQueue(page);
    const row = await queueRow(page, registration.name);
    await row.getByRole('button', { name: `Reject ${registration.name}` }).click();
    const dialog = page.getByRole('dialog', { name: `Reject ${registration.name}` });
    await dialog.getByRole('textbox', { name: /Reason/ }).fill('The CPF belongs to someone else');
    await dialog.getByRole('checkbox', { name: 'Share the reason with the applicant' }).check();
    await dialog.getByRole('button', { name: 'Reject', exact: true }).click();
    await expect(row).toBeHidden();

    const email = await decisionEmail(request, registration.email);
    expect(email.subject).toBe('About your registration');
    expect(email.text).toContain('The CPF belongs to someone else');
    await page.goto(`${mailInboxUrl()}/api/email/${encodeURIComponent(email.id)}/html`);
    await expect(page.getByText('The CPF belongs to someone else')).toBeVisible();
  });
});
