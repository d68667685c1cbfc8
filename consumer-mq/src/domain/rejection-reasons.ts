import { ValidationError } from '@regflow/common';
import type { DecisionCatalogueReason, RejectionReason } from './model';

/**
 * The catalogue reason a rejection names, as it reads now (the decision keeps this copy). An unknown
 * or retired reason is the request's fault: a 400 naming `reasonId`.
 */
export async function catalogueReasonFor(
  reasonId: string | undefined,
  reasons: { find(id: string): Promise<RejectionReason | null> },
): Promise<DecisionCatalogueReason | undefined> {
  if (reasonId === undefined) return undefined;
  const found = await reasons.find(reasonId);
  if (!found) throw new ValidationError([{ field: 'reasonId', message: 'No reason with this id in the catalogue.' }]);
  if (found.retiredAt)
    throw new ValidationError([{ field: 'reasonId', message: 'This reason is retired; choose another.' }]);
  return { id: found.id, label: found.label, text: found.text, shared: found.shared };
}
