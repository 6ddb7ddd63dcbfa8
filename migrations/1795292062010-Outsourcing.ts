import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Outsourcing1795292062010 implements MigrationInterface {
  name = 'Outsourcing1795292062010';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "outsourcing_order" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "site_id" uuid NOT NULL, "code" character varying(32) NOT NULL, "supplier_location_id" uuid NOT NULL, "supplier_id" uuid, "process" character varying(200) NOT NULL, "output_material_id" uuid NOT NULL, "expected_qty" numeric(18,6) NOT NULL, "received_qty" numeric(18,6) NOT NULL DEFAULT '0', "status" character varying(20) NOT NULL DEFAULT 'open', "due_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "closed_at" TIMESTAMP WITH TIME ZONE, "version" integer NOT NULL DEFAULT '1', CONSTRAINT "ck_outsourcing_order_quantities" CHECK (expected_qty > 0 AND received_qty >= 0), CONSTRAINT "ck_outsourcing_order_status" CHECK (status IN ('open', 'sent', 'partially_received', 'received', 'cancelled')), CONSTRAINT "pk_outsourcing_order" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_outsourcing_order_site_status" ON "outsourcing_order"  ("site_id", "status", "created_at") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_outsourcing_order_code" ON "outsourcing_order"  ("site_id", "code") `,
    );
    await queryRunner.query(
      `CREATE TABLE "lot_link" ("id" BIGSERIAL NOT NULL, "site_id" uuid NOT NULL, "parent_lot_id" uuid NOT NULL, "child_lot_id" uuid NOT NULL, "quantity" numeric(18,6) NOT NULL, "reference_type" character varying(40) NOT NULL, "reference_id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT clock_timestamp(), CONSTRAINT "ck_lot_link_distinct" CHECK (parent_lot_id <> child_lot_id), CONSTRAINT "ck_lot_link_quantity" CHECK (quantity > 0), CONSTRAINT "pk_lot_link" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_lot_link_child" ON "lot_link"  ("child_lot_id") `);
    await queryRunner.query(`CREATE INDEX "ix_lot_link_parent" ON "lot_link"  ("parent_lot_id") `);
    // Check constraints are not diffed by the generator: outsourced goods come back as lots of their own.
    await queryRunner.query(`ALTER TABLE "lot" DROP CONSTRAINT "ck_lot_origin"`);
    await queryRunner.query(
      `ALTER TABLE "lot" ADD CONSTRAINT "ck_lot_origin" CHECK (origin IN ('receipt', 'production', 'outsourcing'))`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "lot" DROP CONSTRAINT "ck_lot_origin"`);
    await queryRunner.query(
      `ALTER TABLE "lot" ADD CONSTRAINT "ck_lot_origin" CHECK (origin IN ('receipt', 'production'))`,
    );
    await queryRunner.query(`DROP INDEX "public"."ix_lot_link_parent"`);
    await queryRunner.query(`DROP INDEX "public"."ix_lot_link_child"`);
    await queryRunner.query(`DROP TABLE "lot_link"`);
    await queryRunner.query(`DROP INDEX "public"."ux_outsourcing_order_code"`);
    await queryRunner.query(`DROP INDEX "public"."ix_outsourcing_order_site_status"`);
    await queryRunner.query(`DROP TABLE "outsourcing_order"`);
  }
}
