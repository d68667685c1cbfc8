import { z } from 'zod';
import { registrationStatusSchema, type RegistrationStatus } from '@/types/api';

/**
 * Search state lives in the URL (`/search?q=ana&status=rejected&page=2`) so results are shareable and
 * survive a trip through sign-in. A value that does not parse is dropped, as if it were absent.
 */
export const searchParamsSchema = z.object({
  q: z.string().optional().catch(undefined),
  status: registrationStatusSchema.optional().catch(undefined),
  page: z.coerce.number().int().positive().optional().catch(undefined),
});

/** The URL's search for these values, leaving out the defaults (no query, all statuses, page 1). */
export function searchFor(params: { q?: string; status?: RegistrationStatus | ''; page?: number }) {
  return {
    q: params.q || undefined,
    status: params.status || undefined,
    page: params.page && params.page > 1 ? params.page : undefined,
  };
}

/** "123.456.789-01" finds the CPF whether or not the index keeps punctuation. */
export function normalizeQuery(q: string): string {
  const trimmed = q.trim();
  return /^[\d.\-\s/]+$/.test(trimmed) && /\d/.test(trimmed) ? trimmed.replace(/\D/g, '') : trimmed;
}
