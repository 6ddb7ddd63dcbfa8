import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Cost data for the end-to-end cost of a work order: a lot's unit cost (given at receipt), a work center's
 * labour rate, a machine's hourly rate (all optional, in the site's currency) and the site's currency.
 */
export class AnalyticsCosts1795340000000 implements MigrationInterface {
  name = 'AnalyticsCosts1795340000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "lot" ADD "unit_cost" numeric(18,6)`);
    await queryRunner.query(`ALTER TABLE "lot" ADD CONSTRAINT "ck_lot_unit_cost" CHECK (unit_cost >= 0)`);
    await queryRunner.query(`ALTER TABLE "work_center" ADD "labour_rate_per_hour" numeric(18,6)`);
    await queryRunner.query(
      `ALTER TABLE "work_center" ADD CONSTRAINT "ck_work_center_labour_rate" CHECK (labour_rate_per_hour >= 0)`,
    );
    await queryRunner.query(`ALTER TABLE "equipment" ADD "hourly_rate" numeric(18,6)`);
    await queryRunner.query(
      `ALTER TABLE "equipment" ADD CONSTRAINT "ck_equipment_hourly_rate" CHECK (hourly_rate >= 0)`,
    );
    await queryRunner.query(`ALTER TABLE "site" ADD "currency" character varying(3) NOT NULL DEFAULT 'CNY'`);
    await queryRunner.query(
      `ALTER TABLE "site" ADD CONSTRAINT "ck_site_currency" CHECK (currency ~ '^[A-Z]{3}$')`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "site" DROP CONSTRAINT "ck_site_currency"`);
    await queryRunner.query(`ALTER TABLE "site" DROP COLUMN "currency"`);
    await queryRunner.query(`ALTER TABLE "equipment" DROP CONSTRAINT "ck_equipment_hourly_rate"`);
    await queryRunner.query(`ALTER TABLE "equipment" DROP COLUMN "hourly_rate"`);
    await queryRunner.query(`ALTER TABLE "work_center" DROP CONSTRAINT "ck_work_center_labour_rate"`);
    await queryRunner.query(`ALTER TABLE "work_center" DROP COLUMN "labour_rate_per_hour"`);
    await queryRunner.query(`ALTER TABLE "lot" DROP CONSTRAINT "ck_lot_unit_cost"`);
    await queryRunner.query(`ALTER TABLE "lot" DROP COLUMN "unit_cost"`);
  }
}
