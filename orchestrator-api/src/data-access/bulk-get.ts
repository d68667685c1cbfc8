import { errors, type Client, type estypes } from '@elastic/elasticsearch';
import { TickBatcher, type Pending } from './tick-batcher';

/**
 * What a get tells its caller. Unlike `client.get`, a missing document is a result (`found: false`)
 * rather than a 404 error; every other failure (a missing index included) rejects, as `client.get` does.
 */
export type GetResult<T> = estypes.GetGetResult<T>;

interface GetItem {
  index: string;
  id: string;
}
type PendingGet = Pending<GetItem, GetResult<unknown>>;

/**
 * Gets issued by concurrent records within one event-loop turn travel in one _mget request (ES's
 * multi get is real-time by default, like get, so a document created a moment ago is seen). A get as
 * its own HTTP request pays the per-request overhead (client, transport, undici in the orchestrator,
 * request handling in Elasticsearch) that bulk-create.ts removed for the creates. Each caller gets
 * what its own get would have given: the document, not found, or its own error. An item that fails
 * inside the _mget is retried as a plain get, so its caller sees exactly that get's error (status
 * code included); so is every item of an _mget that Elasticsearch refuses as a whole. A lone get is
 * sent as a plain get.
 */
export class BulkGet {
  private readonly batcher: TickBatcher<GetItem, GetResult<unknown>>;

  constructor(
    private readonly client: Client,
    maxBatch = 200,
  ) {
    this.batcher = new TickBatcher(
      (batch) => (batch.length === 1 ? this.single(batch[0]!) : this.multi(batch)),
      maxBatch,
    );
  }

  get<T>(index: string, id: string): Promise<GetResult<T>> {
    return this.batcher.submit({ index, id }) as Promise<GetResult<T>>;
  }

  private async single(p: PendingGet): Promise<void> {
    try {
      p.resolve(await this.client.get({ index: p.item.index, id: p.item.id }));
    } catch (err) {
      const notFound =
        err instanceof errors.ResponseError &&
        err.statusCode === 404 &&
        (err.body as { found?: unknown } | undefined)?.found === false;
      if (notFound) p.resolve(err.body as GetResult<unknown>);
      else p.reject(err);
    }
  }

  private async multi(batch: PendingGet[]): Promise<void> {
    let docs: estypes.MgetResponseItem<unknown>[];
    try {
      const res = await this.client.mget({ docs: batch.map((p) => ({ _index: p.item.index, _id: p.item.id })) });
      docs = res.docs;
    } catch (err) {
      // A refusal of the whole request (4xx other than 429) says nothing about each get on its own.
      const refused =
        err instanceof errors.ResponseError &&
        err.statusCode !== undefined &&
        err.statusCode < 500 &&
        err.statusCode !== 429;
      if (refused) for (const p of batch) void this.single(p);
      else for (const p of batch) p.reject(err);
      return;
    }
    batch.forEach((p, i) => {
      const doc = docs[i];
      if (doc !== undefined && !('error' in doc) && doc._id === p.item.id) p.resolve(doc);
      else void this.single(p);
    });
  }
}
