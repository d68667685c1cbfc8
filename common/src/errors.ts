/**
 * The one error type services throw for anything a client should see. `code` is a stable string
 * (`REGISTRATION.ALREADY_DECIDED`) because `instanceof` does not survive a Kafka or STOMP hop.
 */
export class AppError extends Error {
  override name = 'AppError';
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/**
 * A server this request needs did not answer: 503 with Retry-After, saying what cannot be done. The error
 * handler answers this for any TransientError; a route passes its own `detail` where it can say more.
 */
export function dependencyUnavailable(
  detail = 'A service this request needs is unavailable right now; nothing was changed. Try again shortly.',
  retryAfterSeconds = 5,
): AppError {
  return new AppError('DEPENDENCY.UNAVAILABLE', 503, detail, {}, { 'retry-after': String(retryAfterSeconds) });
}

export interface FieldError {
  field: string;
  message: string;
}

export class ValidationError extends AppError {
  constructor(
    readonly fields: FieldError[],
    message = 'The request has invalid fields.',
  ) {
    super('REQUEST.INVALID', 400, message, { errors: fields });
  }
}

/**
 * An error worth retrying (a dependency is down or slow); anything else is treated as permanent.
 * `outcome` says whether the write may still have happened: `unknown` when the request may already
 * have reached the server (a timeout after sending), `not-sent` when it certainly did not.
 */
export class TransientError extends Error {
  override name = 'TransientError';
  readonly outcome: 'not-sent' | 'unknown';
  constructor(message: string, options?: { cause?: unknown; outcome?: 'not-sent' | 'unknown' }) {
    super(message, options);
    this.outcome = options?.outcome ?? 'not-sent';
  }
}
