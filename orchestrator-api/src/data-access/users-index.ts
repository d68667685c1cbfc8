import { Client, errors } from '@elastic/elasticsearch';
import type { Logger } from '@regflow/common';
import { TransientError, type RegistrationStatus } from '@regflow/common';
import { BulkCreate } from './bulk-create';
import { BulkGet } from './bulk-get';

/**
 * The only module that talks to Elasticsearch (real, or the local stand-in: both speak the same API,
 * so nothing here depends on which one answers).
 */

export const USERS_INDEX = 'users';

export interface UserDocument {
  id: string;
  name: string;
  email: string;
  cpf?: string;
  phone?: string;
  note?: string;
  status: RegistrationStatus;
  registeredAt: string;
  indexedAt: string;
  decidedAt?: string;
  decidedBy?: string;
  reason?: string;
  duplicateOf?: string;
}

export interface SearchParams {
  q?: string;
  status?: RegistrationStatus;
  from: number;
  size: number;
}

export interface SearchHit extends UserDocument {
  highlight?: Partial<Record<'name' | 'email' | 'cpf', string[]>>;
}

const MAPPINGS = {
  dynamic: 'strict' as const,
  properties: {
    id: { type: 'keyword' as const },
    name: { type: 'text' as const, fields: { keyword: { type: 'keyword' as const, ignore_above: 256 } } },
    email: { type: 'text' as const, fields: { keyword: { type: 'keyword' as const, ignore_above: 256 } } },
    cpf: { type: 'keyword' as const },
    phone: { type: 'keyword' as const },
    note: { type: 'text' as const },
    status: { type: 'keyword' as const },
    registeredAt: { type: 'date' as const },
    indexedAt: { type: 'date' as const },
    decidedAt: { type: 'date' as const },
    decidedBy: { type: 'keyword' as const },
    reason: { type: 'text' as const },
    duplicateOf: { type: 'keyword' as const },
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

  static connect(opts: { url: string; username?: string; password?: string }, logger: Logger, index?: string): UsersIndex {
    const client = new Client({
      node: opts.url,
      auth: opts.username && opts.password ? { username: opts.username, password: opts.password } : undefined,
      requestTimeout: 10_000,
      maxRetries: 2,
    });
    return new UsersIndex(client, logger, index);
  }

  /** Creates the index and its mapping when missing; warns when the server is the local stand-in. */
  async ensureIndex(): Promise<void> {
    const info = await this.client.info();
    if (info.cluster_name === 'es-standin' || info.version.build_hash === 'es-standin') {
      this.logger.warn({ version: info.version.number }, 'Elasticsearch is the local ES stand-in (tests and local runs only); use a real Elasticsearch in production');
    }
    if (await this.client.indices.exists({ index: this.index })) return;
    try {
      await this.client.indices.create({
        index: this.index,
        settings: { number_of_shards: 1, number_of_replicas: 0 },
        mappings: MAPPINGS,
      });
    } catch (err) {
      // Another replica created it first.
      if (!(err instanceof errors.ResponseError && err.body?.error?.type === 'resource_already_exists_exception')) throw err;
    }
  }

  async ping(): Promise<void> {
    await this.client.ping();
  }

  /** Creates the document; returns the existing one instead when the id is already indexed. */
  async createOrGet(doc: UserDocument): Promise<{ created: boolean; doc: UserDocument }> {
    // Batched with the other records' creates (bulk-create.ts); the outcome is this document's own.
    const outcome = await this.creates
      .create(this.index, doc.id, doc)
      .catch((err: unknown) => {
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

function asTransient(err: unknown, what: string): Error {
  if (err instanceof errors.ResponseError && err.statusCode !== undefined && err.statusCode < 500 && err.statusCode !== 429) return err;
  return new TransientError(`Elasticsearch could not ${what}`, { cause: err });
}
