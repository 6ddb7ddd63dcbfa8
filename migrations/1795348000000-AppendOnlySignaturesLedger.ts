import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Electronic signatures become append-only like the audit trail (21 CFR Part 11 §11.70: a signature must not be
 * removable, copied or altered to falsify a record): a trigger refuses UPDATE, DELETE and TRUNCATE for every role.
 * Without it, whoever could write SQL as the application could re-point a signature's hash at a changed record and
 * make it look valid again. The stock ledger, append-only since it was made, now refuses TRUNCATE as well.
 *
 * Triggers bind every role, the table owner's included; only the owner (or a superuser) can disable or drop them,
 * which is why the application should connect as a role that owns no tables (see README, "Database roles").
 */
export class AppendOnlySignaturesLedger1795348000000 implements MigrationInterface {
  name = 'AppendOnlySignaturesLedger1795348000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE FUNCTION electronic_signature_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'electronic_signature is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await queryRunner.query(
      `CREATE TRIGGER "trg_electronic_signature_no_update_delete" BEFORE UPDATE OR DELETE ON "electronic_signature" FOR EACH ROW EXECUTE FUNCTION electronic_signature_refuse_change()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "trg_electronic_signature_no_truncate" BEFORE TRUNCATE ON "electronic_signature" FOR EACH STATEMENT EXECUTE FUNCTION electronic_signature_refuse_change()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "trg_inventory_movement_no_truncate" BEFORE TRUNCATE ON "inventory_movement" FOR EACH STATEMENT EXECUTE FUNCTION inventory_movement_refuse_change()`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "trg_inventory_movement_no_truncate" ON "inventory_movement"`);
    await queryRunner.query(`DROP TRIGGER "trg_electronic_signature_no_truncate" ON "electronic_signature"`);
    await queryRunner.query(
      `DROP TRIGGER "trg_electronic_signature_no_update_delete" ON "electronic_signature"`,
    );
    await queryRunner.query(`DROP FUNCTION electronic_signature_refuse_change()`);
  }
}
