import { expect, type APIRequestContext, type Locator, type Page } from '@playwright/test';
// The product's own rule (common/src/rules/cpf.ts), imported as a file: admin-web does not depend on @regflow/common.
import { formatCpf, randomCpf } from '../../../common/src/rules/cpf';
import { accessApiUrl, adminCredentials, mailInboxUrl } from './env';

/** Registration -> Kafka -> index -> ActiveMQ -> staged: generous, but bounded. */
export const PIPELINE_TIMEOUT = 60_000;

const CONSONANTS = 'bcdfgjklmnprstvz';
const VOWELS = 'aeiou';

/** Pronounceable, unique-enough words, so names look real and do not collide across runs. */
export function randomWord(length: number): string {
  let word = '';
  for (let i = 0; i < length; i += 1) {
    const pool = i % 2 === 0 ? CONSONANTS : VOWELS;
    word += pool[Math.floor(Math.random() * pool.length)];
  }
  return word.charAt(0).toUpperCase() + word.slice(1);
}

export function uniquePerson(first = randomWord(7)): { name: string; email: string } {
  const last = randomWord(9);
  const stamp = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  return { name: `${first} ${last}`, email: `${first}.${last}.${stamp}@example.com`.toLowerCase() };
}

/**
 * A valid CPF no earlier run used: the system keeps one live registration per CPF, so a fixed one
 * would make every run after the first a duplicate.
 */
export function uniqueCpf(): { digits: string; formatted: string } {
  const digits = randomCpf();
  return { digits, formatted: formatCpf(digits) };
}

export interface CreatedRegistration {
  id: string;
  name: string;
  email: string;
}

/**
 * Signs someone up through the public access API, exactly as the sign-up form would, and confirms the
 * email as the applicant would: the link from the confirmation email in the mail server's inbox. (The
 * spec about confirming opens the link in the browser itself: `confirmationLink`.)
 */
export async function createRegistration(
  request: APIRequestContext,
  person: { name: string; email: string; cpf?: string; phone?: string; note?: string } = uniquePerson(),
  opts: { confirm?: boolean } = {},
): Promise<CreatedRegistration> {
  const response = await request.post(`${accessApiUrl}/users`, { data: person });
  expect(response.status(), await response.text()).toBe(202);
  const body = (await response.json()) as { id: string; status: string };
  expect(body.id).toBeTruthy();
  if (body.status === 'unconfirmed' && opts.confirm !== false) {
    const confirmed = await request.get(await confirmationLink(request, person.email));
    expect(confirmed.status()).toBe(200);
  }
  return { id: body.id, name: person.name, email: person.email };
}

/** The link of the confirmation email sent to `email`, read from the mail server's HTTP API once it has arrived. */
export async function confirmationLink(request: APIRequestContext, email: string): Promise<string> {
  let link: string | undefined;
  await expect
    .poll(
      async () => {
        const res = await request.get(`${mailInboxUrl()}/api/email`, { params: { 'to.address': email.toLowerCase() } });
        const messages = (await res.json()) as Array<{ text: string }>;
        link = messages
          .map((m) => new RegExp(`${escapeRegExp(accessApiUrl)}/confirmations/\\S+`).exec(m.text)?.[0])
          .find(Boolean);
        return Boolean(link);
      },
      { timeout: PIPELINE_TIMEOUT, message: `the confirmation email to ${email}` },
    )
    .toBe(true);
  return link!;
}

export async function signIn(page: Page): Promise<void> {
  const { email, password } = adminCredentials();
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

export function pendingList(page: Page): Locator {
  return page.getByRole('list', { name: 'Pending registrations' });
}

export async function openQueue(page: Page): Promise<void> {
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Review queue' })).toBeVisible();
  // Either rows or the empty state: the queue has loaded.
  await expect(pendingList(page).or(page.getByText('All caught up'))).toBeVisible();
}

/**
 * The queue row for `name`, waiting for the pipeline to stage it. The list is windowed and oldest first,
 * so a new registration sits at the end: scroll down until it is rendered.
 */
export async function queueRow(page: Page, name: string, timeout = PIPELINE_TIMEOUT): Promise<Locator> {
  const row = pendingList(page).getByRole('listitem', { name, exact: true });
  await expect(async () => {
    if ((await row.count()) === 0 && (await pendingList(page).count()) > 0) {
      await pendingList(page).evaluate((list) => {
        const scroller = list.parentElement;
        if (scroller) scroller.scrollTop = scroller.scrollHeight;
      });
    }
    await expect(row).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout, intervals: [250, 500, 1_000] });
  return row;
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
