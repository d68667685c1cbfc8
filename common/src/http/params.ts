import type { Request } from 'express';
import { z } from 'zod';
import { ValidationError } from '../errors';

const uuid = z
  .uuid()
  .meta({ description: 'A registration id (UUID v7).', example: '019ad5e2-6f1c-7c3e-9a4b-2f7d8e1c0a55' });

/** `{id}`, the path parameter of every `/users/:id`, as `uuidParam` checks it (for the OpenAPI documents). */
export const idPathParams = z.object({ id: uuid });

/** A path parameter that must be a UUID (every `/users/:id`): its value, or a 400 naming the parameter. */
export function uuidParam(req: Request, name = 'id'): string {
  const parsed = uuid.safeParse(req.params[name]);
  if (!parsed.success) throw new ValidationError([{ field: name, message: 'Must be a UUID.' }]);
  return parsed.data;
}
