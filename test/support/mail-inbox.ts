/**
 * The local mail server's inbox, read through maildev's HTTP API (GET /api/email): what the system
 * really sent over SMTP, as the applicant would receive it.
 */
export interface InboxMessage {
  id: string;
  subject: string;
  text: string;
  html: string;
  to: { address: string }[];
  headers: Record<string, string>;
  time: string;
}

/** Every message to this address, oldest first. */
export async function messagesTo(inboxUrl: string, address: string): Promise<InboxMessage[]> {
  const res = await fetch(`${inboxUrl}/api/email?${new URLSearchParams({ 'to.address': address.toLowerCase() })}`);
  if (!res.ok) throw new Error(`the inbox answered ${res.status}`);
  const all = (await res.json()) as InboxMessage[];
  return all.sort((a, b) => a.time.localeCompare(b.time));
}

/** The first link in a message's text that starts with `prefix`. */
export function linkIn(message: InboxMessage, prefix: string): string | undefined {
  const escaped = prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`${escaped}\\S+`).exec(message.text)?.[0];
}
