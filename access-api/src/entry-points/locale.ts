import type { Request } from 'express';
import { LOCALES, type Locale } from '@regflow/common';

/**
 * The applicant's language, from Accept-Language (express' negotiation, with its q-values): any
 * Portuguese ('pt', 'pt-BR', 'pt-PT' …) is pt-BR, the only Portuguese the templates have; English
 * otherwise, and when the header is absent.
 */
export function pickLocale(req: Request): Locale {
  const best = req.acceptsLanguages(...LOCALES, 'pt');
  return best === 'pt' || best === 'pt-BR' ? 'pt-BR' : 'en';
}
