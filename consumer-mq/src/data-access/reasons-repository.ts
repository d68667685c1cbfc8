import { asc, eq, isNull } from 'drizzle-orm';
import { newId } from '@regflow/common';
import type { RejectionReason } from '../domain/model';
import { recordAudit } from './audit-log';
import type { Database } from './db/database';
import { rejectionReasons } from './db/schema';

export interface ReasonChanges {
  label?: string;
  text?: string;
  shared?: boolean;
  /** true retires it (offered no more), false brings it back. */
  retired?: boolean;
}

/** The catalogue of rejection reasons; each change is audited (reason.created, reason.updated). */
export class ReasonsRepository {
  constructor(private readonly db: Database) {}

  /** In label order; retired ones only when asked for. */
  async list(options: { includeRetired: boolean }): Promise<RejectionReason[]> {
    const rows = await this.db
      .select()
      .from(rejectionReasons)
      .where(options.includeRetired ? undefined : isNull(rejectionReasons.retiredAt))
      .orderBy(asc(rejectionReasons.label), asc(rejectionReasons.id));
    return rows.map(toReason);
  }

  async find(id: string): Promise<RejectionReason | null> {
    const [row] = await this.db.select().from(rejectionReasons).where(eq(rejectionReasons.id, id));
    return row ? toReason(row) : null;
  }

  async create(
    reason: { label: string; text: string; shared: boolean },
    by: { actor: string; correlationId: string },
  ): Promise<RejectionReason> {
    const [row] = await this.db
      .insert(rejectionReasons)
      .values({ id: newId(), ...reason })
      .returning();
    const created = toReason(row!);
    await recordAudit(this.db.$client, {
      actor: by.actor,
      action: 'reason.created',
      correlationId: by.correlationId,
      detail: { reasonId: created.id, shared: created.shared },
    });
    return created;
  }

  async update(
    id: string,
    changes: ReasonChanges,
    by: { actor: string; correlationId: string },
  ): Promise<RejectionReason | null> {
    const { retired, ...fields } = changes;
    const [row] = await this.db
      .update(rejectionReasons)
      .set({
        ...fields,
        updatedAt: new Date(),
        ...(retired === undefined ? {} : { retiredAt: retired ? new Date() : null }),
      })
      .where(eq(rejectionReasons.id, id))
      .returning();
    if (!row) return null;
    await recordAudit(this.db.$client, {
      actor: by.actor,
      action: retired === true ? 'reason.retired' : 'reason.updated',
      correlationId: by.correlationId,
      detail: { reasonId: id, changed: Object.keys(changes) },
    });
    return toReason(row);
  }
}

function toReason(row: typeof rejectionReasons.$inferSelect): RejectionReason {
  return {
    id: row.id,
    label: row.label,
    text: row.text,
    shared: row.shared,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    ...(row.retiredAt ? { retiredAt: row.retiredAt.toISOString() } : {}),
  };
}
