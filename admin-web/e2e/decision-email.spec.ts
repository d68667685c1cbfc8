import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { accessApiUrl, mailInboxUrl, SCREENSHOT_DIR } from './support/env';
import { confirmationLink, openQueue, queueRow, uniquePerson, type CreatedRegistration } from './support/helpers';
import { emailTo, messagesTo } from './support/mail';

const DECISION_SUBJECTS = ['Your registration has been approved', 'About your registration'];

/**
 * Signs someone up through the access API; when the system asks for email confirmation (its
 * default), reads the confirmation email and follows its link in this browser, as the applicant would.
 */
async function signUpAndConfirm(page: Page, request: APIRequestContext): Promise<CreatedRegistration> {
  const person = uniquePerson();
  const response = await request.post(`${accessApiUrl}/users`, { data: person });
  expect(response.status(), await response.text()).toBe(202);
  const { id, status } = (await response.json()) as { id: string; status: string };
  if (status === 'unconfirmed') {
    await page.goto(await confirmationLink(request, person.email));
    await expect(page.getByRole('heading', { name: 'Email confirmed' })).toBeVisible();
  }
  return { id, name: person.name, email: person.email };
}

test.describe('decision emails', () => {
  test('when a registration is approved in the console, then the applicant finds one decision email in the inbox', async ({
    page,
    request,
  }) => {
    const registration = await signUpAndConfirm(page, request);
    await openQueue(page);
    const row = await queueRow(page, registration.name);
    await row.getByRole('button', { name: `Approve ${registration.name}` }).click();
    await expect(row).toBeHidden();
    await expect(page.getByText(`Approved ${registration.name}.`)).toBeVisible();

    const email = await emailTo(request, registration.email, 'Your registration has been approved');
    // The HTML part, as a mail client shows it, in this browser.
    await page.goto(`${mailInboxUrl()}/api/email/${encodeURIComponent(email.id)}/html`);
    await expect(page.getByRole('heading', { name: 'Your registration has been approved' })).toBeVisible();
    await expect(page.getByText(`Hello ${registration.name},`)).toBeVisible();
    await page.screenshot({ path: `${SCREENSHOT_DIR}decision-email.png`, fullPage: true });
    const decisionEmails = (await messagesTo(request, registration.email)).filter((m) =>
      DECISION_SUBJECTS.includes(m.subject),
    );
    expect(decisionEmails).toHaveLength(1);
  });

  test('when a reason is shared in the reject dialog, then the rejection email quotes it', async ({
    page,
    request,
  }) => {
    const registration = await signUpAndConfirm(page, request);
    await openQueue(page);
    const row = await queueRow(page, registration.name);
    await row.getByRole('button', { name: `Reject ${registration.name}` }).click();
    const dialog = page.getByRole('dialog', { name: `Reject ${registration.name}` });
    await dialog.getByRole('textbox', { name: /Reason/ }).fill('The CPF belongs to someone else');
    await dialog.getByRole('checkbox', { name: 'Share the reason with the applicant' }).check();
    await dialog.getByRole('button', { name: 'Reject', exact: true }).click();
    await expect(row).toBeHidden();

    const email = await emailTo(request, registration.email, 'About your registration');
    expect(email.text).toContain('The CPF belongs to someone else');
    await page.goto(`${mailInboxUrl()}/api/email/${encodeURIComponent(email.id)}/html`);
    await expect(page.getByText('The CPF belongs to someone else')).toBeVisible();
  });
});
