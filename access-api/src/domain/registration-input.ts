import { z } from 'zod';
import { isValidCpf, plainText } from '@regflow/common';

/**
 * What `POST /users` accepts. Strings are NFKC-normalized and trimmed before they are checked, so
 * look-alike spellings of one email or name collapse to one form; unknown fields are rejected.
 */
const normalized = (s: string) => s.normalize('NFKC').trim();

export const registrationInputSchema = z
  .strictObject({
    name: z
      .string({ error: 'Must be a string.' })
      .transform(normalized)
      .pipe(
        z
          .string()
          .min(1, 'Must not be empty.')
          .max(120, 'Must be at most 120 characters.')
          // Letters of any script, marks, spaces and the punctuation real names use; no control characters.
          .regex(
            /^$|^(?=.*\p{L})[\p{L}\p{M}\p{Zs}'’.\-]+$/u,
            'Must contain only letters, spaces, apostrophes, dots and hyphens.',
          ),
      )
      .meta({ description: 'At most 120 characters: letters of any script, spaces, apostrophes, dots and hyphens.' }),
    email: z
      .string({ error: 'Must be a string.' })
      .transform((s) => normalized(s).toLowerCase())
      .pipe(z.email('Must be a valid email address.').max(254, 'Must be at most 254 characters.'))
      .meta({ description: 'At most 254 characters; stored lower-cased.' }),
    cpf: z
      .string({ error: 'Must be a string.' })
      .transform((s) => s.trim())
      .pipe(
        z
          .string()
          .regex(/^(\d{3}\.?\d{3}\.?\d{3}-?\d{2})$/, 'Must be 11 digits, optionally formatted as 000.000.000-00.')
          .transform((s) => s.replace(/\D/g, ''))
          .refine(isValidCpf, 'Check digits do not match: not a valid CPF.'),
      )
      .meta({
        description: 'A Brazilian CPF: 11 digits, optionally formatted as 000.000.000-00, with valid check digits.',
      })
      .optional(),
    phone: z
      .string({ error: 'Must be a string.' })
      .transform((s) => s.trim().replace(/[\s().-]/g, ''))
      .pipe(z.string().regex(/^\+[1-9]\d{6,14}$/, 'Must be in E.164 format, e.g. +5511987654321.'))
      .meta({ description: 'E.164, e.g. +5511987654321; spaces, dots, dashes and parentheses are ignored.' })
      .optional(),
    note: z
      .string({ error: 'Must be a string.' })
      .transform(normalized)
      // Plain text, or the registration could be accepted here and then never be decided (common/src/rules/text.ts).
      .pipe(plainText(500))
      .meta({ description: 'Plain text, at most 500 characters.' })
      .optional()
      .transform((s) => (s === '' ? undefined : s)),
  })
  .meta({
    example: { name: 'Rui Costa', email: 'Rui@Example.com', cpf: '529.982.247-25', note: 'Referred by Ana' },
  });

export type RegistrationInput = z.infer<typeof registrationInputSchema>;
