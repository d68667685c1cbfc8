/**
 * Errors carry Elasticsearch's wire shape so that the official client builds the same ResponseError
 * (message, statusCode, body) it would build against a real cluster.
 */

export interface ErrorCause {
  type: string;
  reason: string;
  caused_by?: ErrorCause;
  [extra: string]: unknown;
}

export class EsError extends Error {
  readonly status: number;
  readonly cause_: ErrorCause;
  readonly rootCauses: ErrorCause[] | undefined;
  /** Failures that ES reports per shard get wrapped in search_phase_execution_exception by search. */
  readonly shardLevel: boolean;

  constructor(status: number, cause: ErrorCause, opts: { rootCauses?: ErrorCause[]; shardLevel?: boolean } = {}) {
    super(`${cause.type}: ${cause.reason}`);
    this.status = status;
    this.cause_ = cause;
    this.rootCauses = opts.rootCauses;
    this.shardLevel = opts.shardLevel ?? false;
  }

  toBody(): { error: Record<string, unknown>; status: number } {
    const { caused_by: _causedBy, ...rootOfSelf } = this.cause_;
    return {
      error: { root_cause: this.rootCauses ?? [rootOfSelf], ...this.cause_ },
      status: this.status,
    };
  }

  /** The `error` object ES puts on a failed bulk item: no root_cause, no status inside. */
  toItemError(): ErrorCause {
    return this.cause_;
  }
}

export function indexNotFound(index: string): EsError {
  return new EsError(404, {
    type: 'index_not_found_exception',
    reason: `no such index [${index}]`,
    'resource.type': 'index_or_alias',
    'resource.id': index,
    index_uuid: '_na_',
    index,
  });
}

export function resourceAlreadyExists(index: string, uuid: string): EsError {
  return new EsError(400, {
    type: 'resource_already_exists_exception',
    reason: `index [${index}/${uuid}] already exists`,
    index_uuid: uuid,
    index,
  });
}

export function versionConflict(index: string, uuid: string, id: string, detail: string): EsError {
  return new EsError(409, {
    type: 'version_conflict_engine_exception',
    reason: `[${id}]: version conflict, ${detail}`,
    index_uuid: uuid,
    shard: '0',
    index,
  });
}

export function documentMissing(index: string, uuid: string, id: string): EsError {
  return new EsError(404, {
    type: 'document_missing_exception',
    reason: `[${id}]: document missing`,
    index_uuid: uuid,
    shard: '0',
    index,
  });
}

export function validationFailed(messages: string[]): EsError {
  const reason = `Validation Failed: ${messages.map((m, i) => `${i + 1}: ${m};`).join('')}`;
  return new EsError(400, { type: 'action_request_validation_exception', reason });
}

export function illegalArgument(reason: string, opts: { shardLevel?: boolean } = {}): EsError {
  return new EsError(400, { type: 'illegal_argument_exception', reason }, opts);
}

export function parsingError(reason: string): EsError {
  return new EsError(400, { type: 'parsing_exception', reason });
}

export function xContentParse(reason: string): EsError {
  return new EsError(400, { type: 'x_content_parse_exception', reason });
}

export function mapperParsing(reason: string): EsError {
  return new EsError(400, { type: 'mapper_parsing_exception', reason });
}

/**
 * Something real Elasticsearch may well accept but this stand-in does not implement. Failing loudly
 * beats answering with results that would differ from production.
 */
export function unsupported(what: string): EsError {
  return new EsError(400, {
    type: 'unsupported_operation_exception',
    reason: `es-standin does not support ${what}`,
  });
}

export function queryShard(reason: string, index: string, uuid: string): EsError {
  return new EsError(
    400,
    { type: 'query_shard_exception', reason, index_uuid: uuid, index },
    { shardLevel: true },
  );
}

/** How ES reports a search whose every shard failed. */
export function searchPhaseFailure(shardError: EsError, index: string): EsError {
  const { caused_by: _c, ...root } = shardError.cause_;
  return new EsError(
    shardError.status,
    {
      type: 'search_phase_execution_exception',
      reason: 'all shards failed',
      phase: 'query',
      grouped: true,
      failed_shards: [{ shard: 0, index, node: 'es-standin-node', reason: shardError.cause_ }],
      caused_by: shardError.cause_,
    },
    { rootCauses: [root] },
  );
}
