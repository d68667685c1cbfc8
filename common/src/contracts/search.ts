import { z } from 'zod';
import { registrationSchema } from './registration';
import { REGISTRATION_STATUSES } from './statuses';

const timestamp = z.iso.datetime();

/**
 * A registration as the search index answers it (the orchestrator's GET /users/{id} and the items of its
 * search): what was accepted, its status, and how it got there. The orchestrator's OpenAPI document and
 * the admin API's search (which passes these on) both describe their answers with it.
 */
export const indexedRegistrationSchema = registrationSchema.extend({
  status: z.enum(REGISTRATION_STATUSES),
  indexedAt: timestamp,
  decidedAt: timestamp.optional(),
  decidedBy: z.string().optional().meta({ description: 'The deciding admin.' }),
  reason: z.string().optional().meta({ description: "The reviewer's free text, for a rejection." }),
  duplicateOf: z
    .uuid()
    .optional()
    .meta({ description: 'For a duplicate: the live registration holding the email or CPF.' }),
  confirmedAt: timestamp.optional().meta({ description: 'When the applicant followed the confirmation link.' }),
});

/** A page of search results, newest first without `q`. */
export const searchPageSchema = z.object({
  total: z.int().min(0),
  items: z.array(
    indexedRegistrationSchema.extend({
      highlight: z
        .record(z.string(), z.array(z.string()))
        .optional()
        .meta({ description: 'Matched fragments per field, with <em> around the matches.' }),
    }),
  ),
});
