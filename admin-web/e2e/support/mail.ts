import { expect, type APIRequestContext } from '@playwright/test';
import { mailInboxUrl } from './env';

/** PIPELINE_TIMEOUT's worth: an email follows an event through Kafka and the consumer, asynchronously. */
const EMAIL_TIMEOUT = 60_000;

export interface InboxMessage {
  id: string;
  subject: string;
  text: string;
}

/** Every message to `address` in the mail server's inbox (maildev's HTTP API). */
export async function messagesTo(request: APIRequestContext, address: string): Promise<InboxMessage[]> {
  const response = await request.get(`${mailInboxUrl()}/api/email`, { params: { 'to.address': address } });
  expect(response.ok()).toBe(true);
  return (await response.json()) as InboxMessage[];
}

/** The first message to `address` with this subject, once it has arrived. */
export async function emailTo(request: APIRequestContext, address: string, subject: string): Promise<InboxMessage> {
  let found: InboxMessage | undefined;
  await expect(async () => {
    found = (await messagesTo(request, address)).find((m) => m.subject === subject);
    expect(found).toBeDefined();
  }).toPass({ timeout: EMAIL_TIMEOUT, intervals: [250, 500, 1_000] });
  return found!;
}
