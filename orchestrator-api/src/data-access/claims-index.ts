import { Client, errors } from '@elastic/elasticsearch';
import { TransientError } from '@regflow/common';
import type { ClaimResult } from '../domain/forward-registration';
import { BulkCreate } from './bulk-create';
import { ensureIndexWithMapping } from './users-index';

/**
 * Who holds each identity (normalized email, CPF): one document per identity, created with op_type
 * create, so of two registrations racing for the same email exactly one creates the claim and the
 * other gets a 409. Taking over a claim from a holder who is no longer live (rejected, duplicate)
 * is a compare-and-set on the claim's seq_no, so that too has one winner.
 */
export const CLAIMS_INDEX = 'registration-claims';

interface Claim {
  userId: string;
  claimedAt: string;
}

export class ClaimsIndex {
  /** `creates`: pass the users index's batcher, so claims and documents share `_bulk` requests. */
  constructor(
    private readonly client: Client,
    private readonly creates: BulkCreate = new BulkCreate(client),
    private readonly index = CLAIMS_INDEX,
  ) {}

  async ensureIndex(): Promise<void> {
    await ensureIndexWithMapping(this.client, this.index, {
      dynamic: 'strict',
      properties: { userId: { type: 'keyword' }, claimedAt: { type: 'date' } },
    });
  }

  /** Claims `identity` for `userId`; already holding it (a redelivery) counts as held. */
  async claim(identity: string, userId: string): Promise<ClaimResult> {
    // Batched with the other records' creates (bulk-create.ts); the outcome is this claim's own.
    const outcome = await this.creates
      .create(this.index, identity, { userId, claimedAt: new Date().toISOString() } satisfies Claim)
      .catch((err: unknown) => {
        throw new TransientError('Elasticsearch could not record the claim', { cause: err });
      });
    if (outcome === 'created') return { held: true };
    const current = await this.client.get<Claim>({ index: this.index, id: identity }).catch((err: unknown) => {
      throw new TransientError('Elasticsearch could not read the claim', { cause: err });
    });
    if (current._source?.userId === userId) return { held: true };
    return {
      held: false,
      holder: current._source!.userId,
      seqNo: current._seq_no!,
      primaryTerm: current._primary_term!,
    };
  }

  /** Takes the claim over from a holder that is no longer live; false if someone else changed it first. */
  async takeOver(identity: string, userId: string, seen: { seqNo: number; primaryTerm: number }): Promise<boolean> {
    try {
      await this.client.index({
        index: this.index,
        id: identity,
        document: { userId, claimedAt: new Date().toISOString() } satisfies Claim,
        if_seq_no: seen.seqNo,
        if_primary_term: seen.primaryTerm,
      });
      return true;
    } catch (err) {
      if (err instanceof errors.ResponseError && err.statusCode === 409) return false;
      throw new TransientError('Elasticsearch could not take over the claim', { cause: err });
    }
  }

  /**
   * Gives up `identity` if `userId` holds it (an erasure, docs/privacy.md): deleted only if unchanged
   * since read (if_seq_no), so a claim another registration took over meanwhile stays its. True when
   * `userId` no longer holds it (released now, or never held); false when a concurrent change won.
   */
  async release(identity: string, userId: string): Promise<boolean> {
    const current = await this.client
      .get<Claim>({ index: this.index, id: identity }, { ignore: [404] })
      .catch((err: unknown) => {
        throw new TransientError('Elasticsearch could not read the claim', { cause: err });
      });
    if (!current.found || current._source?.userId !== userId) return true;
    try {
      await this.client.delete({
        index: this.index,
        id: identity,
        if_seq_no: current._seq_no!,
        if_primary_term: current._primary_term!,
      });
      return true;
    } catch (err) {
      if (err instanceof errors.ResponseError && (err.statusCode === 409 || err.statusCode === 404)) return false;
      throw new TransientError('Elasticsearch could not release the claim', { cause: err });
    }
  }
}
