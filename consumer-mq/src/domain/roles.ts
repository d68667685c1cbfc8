/**
 * The console's two roles. A reviewer reads the queue, decides and writes notes; an admin may do all
 * that and also manages people, reasons, dead letters, reconciliation, erasure and the audit trail.
 * Each admin API operation declares the least role it needs (`x-required-role`, see entry-points/auth.ts).
 */
export const ROLES = ['reviewer', 'admin'] as const;
export type Role = (typeof ROLES)[number];

const RANK: Record<Role, number> = { reviewer: 0, admin: 1 };

/** Whether someone with `role` may use an operation that needs `needed`. */
export function roleAllows(role: Role, needed: Role): boolean {
  return RANK[role] >= RANK[needed];
}
