import type { MigrationInterface, QueryRunner } from 'typeorm';

export class LineSideReplenishment1795291662937 implements MigrationInterface {
  name = 'LineSideReplenishment1795291662937';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "line_stock_level" ("location_id" uuid NOT NULL, "material_id" uuid NOT NULL, "site_id" uuid NOT NULL, "min_qty" numeric(18,6) NOT NULL, "max_qty" numeric(18,6) NOT NULL, "active" boolean NOT NULL DEFAULT true, "version" integer NOT NULL DEFAULT '1', "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_line_stock_level_quantities" CHECK (min_qty >= 0 AND max_qty > min_qty), CONSTRAINT "pk_line_stock_level" PRIMARY KEY ("location_id", "material_id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_line_stock_level_site" ON "line_stock_level"  ("site_id") `);
    await queryRunner.query(
      `CREATE TABLE "line_replenishment" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "site_id" uuid NOT NULL, "code" character varying(32) NOT NULL, "location_id" uuid NOT NULL, "line_id" uuid, "material_id" uuid NOT NULL, "requested_qty" numeric(18,6) NOT NULL, "delivered_qty" numeric(18,6) NOT NULL DEFAULT '0', "available_qty_at_request" numeric(18,6) NOT NULL, "status" character varying(10) NOT NULL DEFAULT 'open', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "closed_at" TIMESTAMP WITH TIME ZONE, "version" integer NOT NULL DEFAULT '1', CONSTRAINT "ck_line_replenishment_quantities" CHECK (requested_qty > 0 AND delivered_qty >= 0), CONSTRAINT "ck_line_replenishment_status" CHECK (status IN ('open', 'delivered', 'short', 'cancelled')), CONSTRAINT "pk_line_replenishment" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_line_replenishment_site_status" ON "line_replenishment"  ("site_id", "status", "created_at") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_line_replenishment_open" ON "line_replenishment"  ("location_id", "material_id") WHERE status = 'open'`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_line_replenishment_code" ON "line_replenishment"  ("site_id", "code") `,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ux_line_replenishment_code"`);
    await queryRunner.query(`DROP INDEX "public"."ux_line_replenishment_open"`);
    await queryRunner.query(`DROP INDEX "public"."ix_line_replenishment_site_status"`);
    await queryRunner.query(`DROP TABLE "line_replenishment"`);
    await queryRunner.query(`DROP INDEX "public"."ix_line_stock_level_site"`);
    await queryRunner.query(`DROP TABLE "line_stock_level"`);
  }
}
