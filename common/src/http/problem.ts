import { STATUS_CODES } from 'node:http';
import type { Response } from 'express';
import { z } from 'zod';
import { AppError, type FieldError } from '../errors';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  code: string;
  instance?: string;
  [extra: string]: unknown;
}

/** What every problem answer holds, for the OpenAPI documents (the `Problem` schema). */
export const problemSchema = z
  .looseObject({
    type: z
      .string()
      .meta({ description: 'A stable URN made from the code.', example: 'urn:regflow:problem:request.invalid' }),
    title: z.string().meta({ description: "The status's reason phrase.", example: 'Bad Request' }),
    status: z.int().min(400).max(599),
    code: z.string().meta({ description: 'A stable code to switch on.', example: 'REQUEST.INVALID' }),
    detail: z.string().meta({ description: 'What went wrong, for a person.' }),
    errors: z
      .array(z.object({ field: z.string(), message: z.string() }))
      .optional()
      .meta({ description: 'With REQUEST.INVALID: one entry per bad field, with a dotted path.' }),
  })
  .meta({
    id: 'Problem',
    description: 'RFC 9457 problem details, with `code`; some codes add members (who decided, the id to check).',
  });

/**
 * RFC 9457 problem details; `type` is a stable URN built from the code so clients can switch on either,
 * `title` the status's reason phrase. Every problem answer is built here.
 */
export function problemBody(
  status: number,
  code: string,
  detail: string,
  extra: Record<string, unknown> = {},
): Problem {
  return {
    type: `urn:regflow:problem:${code.toLowerCase()}`,
    title: STATUS_CODES[status] ?? 'Error',
    status,
    code,
    detail,
    ...extra,
  };
}

export function sendProblem(
  res: Response,
  status: number,
  code: string,
  detail: string,
  extra: Record<string, unknown> = {},
): void {
  res
    .status(status)
    .type(PROBLEM_CONTENT_TYPE)
    .send(JSON.stringify(problemBody(status, code, detail, extra)));
}

/**
 * Another service's problem answer as an error of this one, to pass it on (the orchestrator's refusal of
 * a search): the same status, code, detail and extra members.
 */
export function problemError(problem: Problem): AppError {
  const { type: _type, title: _title, status, code, detail, ...extra } = problem;
  return new AppError(code, status, detail ?? '', extra);
}

/** Flattens zod issues into `{ field, message }`, one per bad field, with dotted paths. */
export function fieldErrors(error: z.ZodError): FieldError[] {
  const out: FieldError[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      const base = issue.path.join('.');
      for (const key of issue.keys) {
        out.push({ field: base ? `${base}.${key}` : key, message: 'Unknown field.' });
      }
      continue;
    }
    out.push({ field: issue.path.join('.') || '(body)', message: issue.message });
  }
  return out;
}
