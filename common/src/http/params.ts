import type { Request } from 'express';
import { z } from 'zod';
import { ValidationError } from '../errors';

const uuid = z.uuid();

/** A path parameter that must be a UUID (every `/users/:id`): its value, or a 400 naming the parameter. */
export function uuidParam(req: Request, name = 'id'): string {
  const parsed = uuid.safeParse(req.params[name]);
  if (!parsed.success) throw new ValidationError([{ field: name, message: 'Must be a UUID.' }]);
  return parsed.data;
}
