import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Trace and recall walks read one lot's edges at the sites a user may see: both directions get an index with
 * the lot, the site and the other lot, so the recursive walk never reads the table.
 */
export class GenealogyWalkIndexes1795315014812 implements MigrationInterface {
  name = 'GenealogyWalkIndexes1795315014812';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_genealogy_edge_child"`);
    await queryRunner.query(
      `CREATE INDEX "ix_genealogy_edge_parent" ON "genealogy_edge"  ("parent_lot_id", "site_id", "child_lot_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_genealogy_edge_child" ON "genealogy_edge"  ("child_lot_id", "site_id", "parent_lot_id") `,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_genealogy_edge_child"`);
    await queryRunner.query(`DROP INDEX "public"."ix_genealogy_edge_parent"`);
    await queryRunner.query(
      `CREATE INDEX "ix_genealogy_edge_child" ON "genealogy_edge" USING btree ("child_lot_id", "parent_lot_id") `,
    );
  }
}
