import type { MigrationInterface, QueryRunner } from 'typeorm';

export class InventoryOperations1795283394558 implements MigrationInterface {
  name = 'InventoryOperations1795283394558';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "lot" ADD "held_from" character varying(12)`);
    await queryRunner.query(`ALTER TABLE "inventory_movement" ADD "reason_code_id" uuid`);
    await queryRunner.query(`ALTER TABLE "inventory_movement" ADD "note" character varying(500)`);
    await queryRunner.query(
      `ALTER TABLE "lot" ADD CONSTRAINT "ck_lot_held_from" CHECK (held_from IS NULL OR status = 'hold')`,
    );
    await queryRunner.query(
      `ALTER TABLE "inventory_movement" ADD CONSTRAINT "fk_inventory_movement_reason_code" FOREIGN KEY ("reason_code_id") REFERENCES "reason_code"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "inventory_movement" DROP CONSTRAINT "fk_inventory_movement_reason_code"`,
    );
    await queryRunner.query(`ALTER TABLE "lot" DROP CONSTRAINT "ck_lot_held_from"`);
    await queryRunner.query(`ALTER TABLE "inventory_movement" DROP COLUMN "note"`);
    await queryRunner.query(`ALTER TABLE "inventory_movement" DROP COLUMN "reason_code_id"`);
    await queryRunner.query(`ALTER TABLE "lot" DROP COLUMN "held_from"`);
  }
}
