import { z } from 'zod';
import { DECISION_OUTCOMES, REGISTRATION_STATUSES } from '@regflow/common/statuses';

/** Absent and null both mean "not provided"; the console only ever sees `undefined`. */
const optionalText = z
  .string()
  .nullish()
  .transform((value) => (value === null || value === '' ? undefined : value));

export const decisionOutcomeSchema = z.enum(DECISION_OUTCOMES);
export type DecisionOutcome = z.infer<typeof decisionOutcomeSchema>;

/** The API's one list of statuses (common/src/contracts/statuses.ts). */
export const registrationStatusSchema = z.enum(REGISTRATION_STATUSES);
export type RegistrationStatus = z.infer<typeof registrationStatusSchema>;

export const sessionSchema = z.object({ email: z.string(), csrfToken: z.string() });
export type Session = z.infer<typeof sessionSchema>;

export const pendingUserSchema = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string(),
  cpf: optionalText,
  phone: optionalText,
  note: optionalText,
  registeredAt: z.string(),
  stagedAt: z.string(),
});
export type PendingUser = z.infer<typeof pendingUserSchema>;

export const pendingPageSchema = z.object({
  items: z.array(pendingUserSchema),
  nextCursor: z
    .string()
    .nullish()
    .transform((value) => value ?? null),
  total: z.number().int().nonnegative(),
});
export type PendingPage = z.infer<typeof pendingPageSchema>;

export const statsSchema = z.object({
  pending: z.number().int().nonnegative(),
  approvedToday: z.number().int().nonnegative(),
  rejectedToday: z.number().int().nonnegative(),
});
export type Stats = z.infer<typeof statsSchema>;

export const registrationNoteSchema = z.object({
  id: z.string(),
  /** The author's sign-in email. */
  author: z.string(),
  body: z.string(),
  createdAt: z.string(),
  editedAt: optionalText,
});
export type RegistrationNote = z.infer<typeof registrationNoteSchema>;

export const registrationDetailSchema = z.object({
  registration: z.object({
    id: z.string(),
    name: z.string(),
    email: z.string(),
    cpf: optionalText,
    phone: optionalText,
    note: optionalText,
    registeredAt: z.string(),
  }),
  status: registrationStatusSchema,
  timeline: z.object({
    receivedAt: z.string(),
    indexedAt: optionalText,
    queuedAt: optionalText,
    stagedAt: optionalText,
    decidedAt: optionalText,
  }),
  decision: z
    .object({
      outcome: decisionOutcomeSchema,
      decidedBy: z.string(),
      decidedAt: z.string(),
      reason: optionalText,
      /** Whether the applicant's decision email quotes the reason. */
      reasonShared: z.boolean().optional(),
      /** The catalogue reason, as it read when decided; `reason` is then the reviewer's own words. */
      catalogueReason: z
        .object({ id: z.string(), label: z.string(), text: z.string(), shared: z.boolean() })
        .optional(),
    })
    .nullish()
    .transform((value) => value ?? undefined),
  /** Reviewers' notes, oldest first (internal: the applicant never sees them). */
  notes: z.array(registrationNoteSchema).default([]),
});
export type RegistrationDetail = z.infer<typeof registrationDetailSchema>;

export const decisionResultSchema = z.object({
  id: z.string(),
  status: registrationStatusSchema,
  decidedBy: z.string(),
  decidedAt: z.string(),
});
export type DecisionResult = z.infer<typeof decisionResultSchema>;

const problemSchema = z.looseObject({
  status: z.number().optional(),
  code: z.string().optional(),
  title: z.string().optional(),
});

export const batchDecisionResponseSchema = z.object({
  results: z.array(
    z.discriminatedUnion('ok', [
      z.object({ id: z.string(), ok: z.literal(true), status: registrationStatusSchema }),
      z.object({ id: z.string(), ok: z.literal(false), error: problemSchema }),
    ]),
  ),
});
export type BatchDecisionResponse = z.infer<typeof batchDecisionResponseSchema>;

const highlightField = z
  .array(z.string())
  .nullish()
  .transform((value) => value ?? undefined);

export const searchHitSchema = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string(),
  cpf: optionalText,
  phone: optionalText,
  status: registrationStatusSchema,
  registeredAt: z.string(),
  decidedAt: optionalText,
  decidedBy: optionalText,
  reason: optionalText,
  highlight: z
    .object({ name: highlightField, email: highlightField, cpf: highlightField })
    .nullish()
    .transform((value) => value ?? undefined),
});
export type SearchHit = z.infer<typeof searchHitSchema>;

export const searchResponseSchema = z.object({
  total: z.number().int().nonnegative(),
  items: z.array(searchHitSchema),
});
export type SearchResponse = z.infer<typeof searchResponseSchema>;

/** The 409 extra members the API adds when someone else decided first. */
export const alreadyDecidedSchema = z.object({
  outcome: z.string(),
  decidedBy: z.string(),
  decidedAt: z.string(),
});

export const decidedEventSchema = z.object({
  id: z.string(),
  outcome: decisionOutcomeSchema,
  decidedBy: z.string(),
  decidedAt: z.string(),
  reason: optionalText,
});
export type DecidedEvent = z.infer<typeof decidedEventSchema>;
