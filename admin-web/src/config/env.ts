import { z } from 'zod';

const envSchema = z.object({
  // Same-origin prefix; nginx (Docker) and the Vite proxy strip it before reaching the admin API.
  VITE_API_BASE_URL: z
    .string()
    .regex(/^\/(?!\/)/, 'must be a same-origin path such as /api')
    .default('/api'),
  VITE_PENDING_PAGE_SIZE: z.coerce.number().int().min(10).max(500).default(100),
  VITE_SEARCH_PAGE_SIZE: z.coerce.number().int().min(5).max(100).default(20),
});

function parseEnv(source: Record<string, unknown>) {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    throw new Error(`Invalid console configuration:\n${z.prettifyError(parsed.error)}`);
  }
  return {
    apiBaseUrl: parsed.data.VITE_API_BASE_URL.replace(/\/+$/, ''),
    pendingPageSize: parsed.data.VITE_PENDING_PAGE_SIZE,
    searchPageSize: parsed.data.VITE_SEARCH_PAGE_SIZE,
  } as const;
}

export const env = parseEnv(import.meta.env);
