/** "123.456.789-01" finds the CPF whether or not the index keeps punctuation. */
export function normalizeQuery(q: string): string {
  const trimmed = q.trim();
  return /^[\d.\-\s/]+$/.test(trimmed) && /\d/.test(trimmed) ? trimmed.replace(/\D/g, '') : trimmed;
}

/** Search state lives in the URL so results are shareable and survive a trip through sign-in. */
export function searchPath(params: { q?: string; status?: string; page?: number }): string {
  const search = new URLSearchParams();
  if (params.q) search.set('q', params.q);
  if (params.status) search.set('status', params.status);
  if (params.page && params.page > 1) search.set('page', String(params.page));
  const qs = search.toString();
  return `/search${qs ? `?${qs}` : ''}`;
}
