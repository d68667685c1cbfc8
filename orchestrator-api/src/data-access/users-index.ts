import { Client, errors, type estypes } from '@elastic/elasticsearch';
import type { Logger } from '@regflow/common';
import { TransientError, type RegistrationStatus } from '@regflow/common';
import type { UserDocument } from '../domain/user-document';
import { BulkCreate } from './bulk-create';
import { BulkGet } from './bulk-get';

/**
 * The only module that talks to the users index. It uses only what the Elasticsearch server itself
 * provides (no analysis-common, painless or rest-root module), so the same calls work on the Docker
 * image and on the local node of npm start (docs/adr/0002-local-elasticsearch-from-maven.md).
 */

export const USERS_INDEX = 'users';
export type { UserDocument };

export interface SearchParams {
  q?: string;
  status?: RegistrationStatus;
  from: number;
  size: number;
}

export interface SearchHit extends UserDocument {
  highlight?: Partial<Record<'name' | 'email' | 'cpf', string[]>>;
}

const MAPPINGS: estypes.MappingTypeMapping = {
  dynamic: 'strict',
  properties: {
    id: { type: 'keyword' },
    name: { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 256 } } },
    email: { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 256 } } },
    cpf: { type: 'keyword' },
    phone: { type: 'keyword' },
    note: { type: 'text' },
    status: { type: 'keyword' },
    registeredAt: { type: 'date' },
    indexedAt: { type: 'date' },
    decidedAt: { type: 'date' },
    decidedBy: { type: 'keyword' },
    reason: { type: 'text' },
    duplicateOf: { type: 'keyword' },
    locale: { type: 'keyword' },
    emailConfirmation: { type: 'keyword' },
    confirmedAt: { type: 'date' },
  },
};

export class UsersIndex {
  /** Creates of concurrent records share `_bulk` requests; ClaimsIndex is given the same batcher. */
  readonly creates: BulkCreate;
  /** Gets of concurrent records share `_mget` requests. */
  private readonly gets: BulkGet;

  constructor(
    readonly client: Client,
    private readonly logger: Logger,
    private readonly index = USERS_INDEX,
  ) {
    this.creates = new BulkCreate(client);
    this.gets = new BulkGet(client);
  }

  static connect(
    opts: { url: string; username?: string; password?: string },
    logger: Logger,
    index?: string,
  ): UsersIndex {
    const client = new Client({
      node: opts.url,
      auth: opts.username && opts.password ? { username: opts.username, password: opts.password } : undefined,
      requestTimeout: 10_000,
      maxRetries: 2,
    });
    return new UsersIndex(client, logger, index);
  }

  /**
   * Creates the index with its mapping when missing. When it exists (any restart), the mapping is put
   * again: a field added since is added to the index, and a change Elasticsearch cannot apply in place
   * fails the start-up here, not on the first document that needs it.
   */
  async ensureIndex(): Promise<void> {
    await ensureIndexWithMapping(this.client, this.index, MAPPINGS);
  }

  /** Readiness: the cluster answers and is not red (a red users index takes no writes). */
  async ping(): Promise<void> {
    const health = await this.client.cluster.health({ index: this.index, timeout: '2s' });
    if (health.status === 'red') throw new Error(`Elasticsearch cluster health is red for ${this.index}`);
  }

  /** Creates the document; returns the existing one instead when the id is already indexed. */
  async createOrGet(doc: UserDocument): Promise<{ created: boolean; doc: UserDocument }> {
    // Batched with the other records' creates (bulk-create.ts); the outcome is this document's own.
    const outcome = await this.creates.create(this.index, doc.id, doc).catch((err: unknown) => {
      throw asTransient(err, 'index the registration');
    });
    if (outcome === 'created') return { created: true, doc };
    const existing = await this.get(doc.id);
    if (existing) return { created: false, doc: existing };
    throw new TransientError(`Elasticsearch answered 409 for ${doc.id} but has no such document`);
  }

  async get(id: string): Promise<UserDocument | null> {
    try {
      // Batched with the other records' gets (bulk-get.ts, one _mget, real-time); the answer is this id's own.
      const res = await this.gets.get<UserDocument>(this.index, id);
      return res.found ? (res._source ?? null) : null;
    } catch (err) {
      // A missing index, like a missing document: nothing indexed under this id yet.
      if (err instanceof errors.ResponseError && err.statusCode === 404) return null;
      throw asTransient(err, 'read the registration');
    }
  }

  /** Deletes a registration's document (an erasure, docs/privacy.md); false when there was none. */
  async delete(id: string): Promise<boolean> {
    try {
      await this.client.delete({ index: this.index, id });
      return true;
    } catch (err) {
      if (err instanceof errors.ResponseError && err.statusCode === 404) return false;
      throw asTransient(err, 'delete the registration');
    }
  }

  /** Applies a partial update; false when the document does not exist. */
  async update(id: string, patch: Partial<UserDocument>): Promise<boolean> {
    try {
      await this.client.update({ index: this.index, id, doc: patch, retry_on_conflict: 3 });
      return true;
    } catch (err) {
      if (err instanceof errors.ResponseError && err.statusCode === 404) return false;
      throw asTransient(err, 'update the registration');
    }
  }

  /**
   * Marks unconfirmed registrations registered before `cutoff` as expired, up to `max` of them, each
   * only if it is unchanged since it was read (if_seq_no): one confirmed in the meantime is left alone,
   * and replicas sweeping at once do not collide. Without painless (not on the local node: ADR 0002),
   * a search and a bulk of conditional partial updates instead of update_by_query. Returns how many.
   */
  async expireUnconfirmed(cutoff: Date, max = 500): Promise<number> {
    const res = await this.client
      .search<UserDocument>({
        index: this.index,
        query: {
          bool: {
            filter: [{ term: { status: 'unconfirmed' } }, { range: { registeredAt: { lt: cutoff.toISOString() } } }],
          },
        },
        size: max,
        seq_no_primary_term: true,
        _source: false,
      })
      .catch((err: unknown) => {
        throw asTransient(err, 'find expired registrations');
      });
    const hits = res.hits.hits.filter((hit) => hit._seq_no !== undefined && hit._primary_term !== undefined);
    if (hits.length === 0) return 0;
    const bulk = await this.client
      .bulk({
        operations: hits.flatMap((hit) => [
          {
            update: { _index: this.index, _id: hit._id!, if_seq_no: hit._seq_no!, if_primary_term: hit._primary_term! },
          },
          { doc: { status: 'expired' } },
        ]),
      })
      .catch((err: unknown) => {
        throw asTransient(err, 'mark registrations expired');
      });
    return bulk.items.filter((item) => item.update?.status === 200).length;
  }

  /**
   * Deletes registrations in status `expired` registered before `cutoff`, up to `max` of them (their
   * retention, docs/privacy.md), each only if unchanged since it was read (if_seq_no), as
   * expireUnconfirmed does and for the same reasons. An expired registration holds no claims, so none
   * is left behind. Returns how many were deleted.
   */
  async deleteExpired(cutoff: Date, max = 500): Promise<number> {
    const res = await this.client
      .search<UserDocument>({
        index: this.index,
        query: {
          bool: {
            filter: [{ term: { status: 'expired' } }, { range: { registeredAt: { lt: cutoff.toISOString() } } }],
          },
        },
        size: max,
        seq_no_primary_term: true,
        _source: false,
      })
      .catch((err: unknown) => {
        throw asTransient(err, 'find expired registrations past their retention');
      });
    const hits = res.hits.hits.filter((hit) => hit._seq_no !== undefined && hit._primary_term !== undefined);
    if (hits.length === 0) return 0;
    const bulk = await this.client
      .bulk({
        operations: hits.map((hit) => ({
          delete: { _index: this.index, _id: hit._id!, if_seq_no: hit._seq_no!, if_primary_term: hit._primary_term! },
        })),
      })
      .catch((err: unknown) => {
        throw asTransient(err, 'delete expired registrations');
      });
    return bulk.items.filter((item) => item.delete?.status === 200).length;
  }

  /**
   * Search input only ever becomes values inside a query built here (match, term), never query DSL
   * or query-string syntax, so a user cannot inject operators.
   */
  async search(params: SearchParams): Promise<{ total: number; items: SearchHit[] }> {
    const q = params.q?.trim();
    const cpfDigits = q && /^[\d.\-\s]{11,14}$/.test(q) ? q.replace(/\D/g, '') : undefined;
    const must = q
      ? [
          {
            bool: {
              should: [
                { multi_match: { query: q, fields: ['name^2', 'email'], fuzziness: 'AUTO', operator: 'and' as const } },
                ...(cpfDigits ? [{ term: { cpf: cpfDigits } }] : []),
              ],
              minimum_should_match: 1,
            },
          },
        ]
      : [{ match_all: {} }];
    const filter = params.status ? [{ term: { status: params.status } }] : [];
    const res = await this.client
      .search<UserDocument>({
        index: this.index,
        query: { bool: { must, filter } },
        sort: q ? ['_score', { registeredAt: { order: 'desc' } }] : [{ registeredAt: { order: 'desc' } }],
        from: params.from,
        size: params.size,
        track_total_hits: true,
        highlight: { fields: { name: {}, email: {} } },
      })
      .catch((err: unknown) => {
        throw asTransient(err, 'search');
      });
    const total = typeof res.hits.total === 'number' ? res.hits.total : (res.hits.total?.value ?? 0);
    const items = res.hits.hits.map((hit) => {
      const highlight = (hit.highlight ?? {}) as SearchHit['highlight'] & Record<string, string[]>;
      if (cpfDigits && hit._source?.cpf === cpfDigits) highlight.cpf = [`<em>${cpfDigits}</em>`];
      return { ...(hit._source as UserDocument), highlight };
    });
    return { total, items };
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

/** Shared by the users and claims indices: create with the mapping, or bring an existing index's mapping up to date. */
export async function ensureIndexWithMapping(
  client: Client,
  index: string,
  mappings: estypes.MappingTypeMapping,
): Promise<void> {
  if (await client.indices.exists({ index })) {
    await client.indices.putMapping({ index, ...mappings });
    return;
  }
  try {
    await client.indices.create({ index, settings: { number_of_shards: 1, number_of_replicas: 0 }, mappings });
  } catch (err) {
    // Another replica created it first; its mapping is ours.
    if (!(err instanceof errors.ResponseError && err.body?.error?.type === 'resource_already_exists_exception'))
      throw err;
  }
}

function asTransient(err: unknown, what: string): Error {
  if (
    err instanceof errors.ResponseError &&
    err.statusCode !== undefined &&
    err.statusCode < 500 &&
    err.statusCode !== 429
  )
    return err;
  return new TransientError(`Elasticsearch could not ${what}`, { cause: err });
}
