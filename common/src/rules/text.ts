import { z } from 'zod';

/**
 * Free text (a note, a rejection reason) may hold tabs and line breaks but no other control characters
 * (NUL cannot be stored in Postgres) and no lone UTF-16 surrogates (Postgres jsonb refuses them): text
 * accepted by one service must be storable by the next.
 */
export const PLAIN_TEXT = /^(?:[^\p{Cc}\p{Cs}]|[\t\n\r])*$/u;

/**
 * One-line values (an email typed to sign in) hold no control characters at all: Unicode's Cc, C0 and
 * DEL and C1, spelled out rather than as \P{Cc} because the OpenAPI document carries this pattern to
 * clients and fuzzers whose regex engines have no Unicode properties (Python's re).
 */
export const NO_CONTROL_CHARACTERS = /^[^\u0000-\u001f\u007f-\u009f]*$/u;

/** Free text of at most `max` characters, checked against PLAIN_TEXT. */
export const plainText = (max: number) =>
  z
    .string()
    .max(max, `Must be at most ${max} characters.`)
    .regex(PLAIN_TEXT, 'Must not contain control characters or unpaired surrogates.');
