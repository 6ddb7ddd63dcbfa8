import type { MigrationInterface, QueryRunner } from 'typeorm';

export class SerialNumbers1795293061428 implements MigrationInterface {
  name = 'SerialNumbers1795293061428';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "serial_number" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "site_id" uuid NOT NULL, "material_id" uuid NOT NULL, "serial" character varying(100) NOT NULL, "lot_id" uuid NOT NULL, "location_id" uuid, "status" character varying(12) NOT NULL DEFAULT 'in_stock', "work_order_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_serial_number_location" CHECK ((status = 'in_stock') = (location_id IS NOT NULL)), CONSTRAINT "ck_serial_number_status" CHECK (status IN ('in_stock', 'consumed', 'scrapped', 'written_off')), CONSTRAINT "pk_serial_number" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_serial_number_lot_location" ON "serial_number"  ("lot_id", "location_id", "status") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_serial_number_site_material_serial" ON "serial_number"  ("site_id", "material_id", "serial") `,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ux_serial_number_site_material_serial"`);
    await queryRunner.query(`DROP INDEX "public"."ix_serial_number_lot_location"`);
    await queryRunner.query(`DROP TABLE "serial_number"`);
  }
}
