import type { Client } from '@elastic/elasticsearch';
import { TransientError } from '@regflow/common';
import { TickBatcher, type Pending } from './tick-batcher';

export type CreateOutcome = 'created' | 'conflict';

interface CreateItem {
  index: string;
  id: string;
  document: unknown;
}
type PendingCreate = Pending<CreateItem, CreateOutcome>;

/**
 * Creates (op_type create) issued by concurrent records within one event-loop turn travel in one _bulk
 * request. The registrations consumer runs many records at once and each does up to three creates
 * (two identity claims and the document); one HTTP request each was about 40 % of the orchestrator's
 * CPU (client, transport, undici) and as much again in Elasticsearch. Each item keeps its own
 * outcome, exactly as a single create: created, or a 409 conflict, or its own error. A lone create
 * is sent as a plain create.
 */
export class BulkCreate {
  private readonly batcher: TickBatcher<CreateItem, CreateOutcome>;

  constructor(
    private readonly client: Client,
    maxBatch = 200,
  ) {
    this.batcher = new TickBatcher(
      (batch) => (batch.length === 1 ? this.single(batch[0]!) : this.bulk(batch)),
      maxBatch,
    );
  }

  create(index: string, id: string, document: unknown): Promise<CreateOutcome> {
    return this.batcher.submit({ index, id, document });
  }

  private async single(p: PendingCreate): Promise<void> {
    try {
      await this.client.create({ index: p.item.index, id: p.item.id, document: p.item.document });
      p.resolve('created');
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 409) p.resolve('conflict');
      else p.reject(err);
    }
  }

  private async bulk(batch: PendingCreate[]): Promise<void> {
    let items;
    try {
      const res = await this.client.bulk({
        operations: batch.flatMap((p) => [{ create: { _index: p.item.index, _id: p.item.id } }, p.item.document]),
      });
      items = res.items;
    } catch (err) {
      for (const p of batch) p.reject(err);
      return;
    }
    batch.forEach((p, i) => {
      const item = items[i]?.create;
      const status = item?.status ?? 500;
      if (status === 200 || status === 201) p.resolve('created');
      else if (status === 409) p.resolve('conflict');
      else {
        const reason = `${item?.error?.type ?? 'error'}: ${item?.error?.reason ?? 'no reason given'}`;
        // As for a single request: overload and server errors are worth retrying, other refusals are not.
        p.reject(
          status === 429 || status >= 500
            ? new TransientError(`Elasticsearch could not create ${p.item.id} (${status} ${reason})`)
            : Object.assign(new Error(`Elasticsearch refused ${p.item.id} (${status} ${reason})`), {
                statusCode: status,
              }),
        );
      }
    });
  }
}
