import { Column, Entity, type EntityManager } from 'typeorm';

/** Per-site counters behind business codes (work orders, lot codes): one row per scope. */
@Entity({ name: 'document_sequence' })
export class DocumentSequence {
  @Column({ type: 'uuid', primary: true, primaryKeyConstraintName: 'pk_document_sequence' })
  siteId: string;

  /** e.g. `work_order:2026` or `lot:GB-R80-261121-{SEQ}`. */
  @Column({ type: 'varchar', length: 240, primary: true, primaryKeyConstraintName: 'pk_document_sequence' })
  scope: string;

  @Column({ type: 'int' })
  lastValue: number;
}

/** The next number of a scope, inside the caller's transaction (rolled back with it: no gaps from failures). */
export async function nextSequenceValue(
  manager: EntityManager,
  siteId: string,
  scope: string,
): Promise<number> {
  const rows: Array<{ last_value: number }> = await manager.query(
    `INSERT INTO document_sequence (site_id, scope, last_value) VALUES ($1, $2, 1)
     ON CONFLICT (site_id, scope) DO UPDATE SET last_value = document_sequence.last_value + 1
     RETURNING last_value`,
    [siteId, scope.slice(0, 240)],
  );
  return rows[0]!.last_value;
}
