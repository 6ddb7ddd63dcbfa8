import type { MigrationInterface, QueryRunner } from 'typeorm';

export class MasterDataLocationsPartnersReasons1795273730313 implements MigrationInterface {
  name = 'MasterDataLocationsPartnersReasons1795273730313';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "partner" ("site_id" uuid NOT NULL, "code" character varying(64) NOT NULL, "name" character varying(200) NOT NULL, "name_zh" character varying(200), "active" boolean NOT NULL DEFAULT true, "version" integer NOT NULL DEFAULT '1', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "id" uuid NOT NULL DEFAULT gen_random_uuid(), "is_supplier" boolean NOT NULL DEFAULT false, "is_customer" boolean NOT NULL DEFAULT false, "contact_name" character varying(100), "phone" character varying(50), "email" character varying(200), "address" character varying(500), "country" character(2), CONSTRAINT "ck_partner_role" CHECK (is_supplier OR is_customer), CONSTRAINT "pk_partner" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "ux_partner_site_code" ON "partner"  ("site_id", "code") `);
    await queryRunner.query(
      `CREATE TABLE "storage_location" ("site_id" uuid NOT NULL, "code" character varying(64) NOT NULL, "name" character varying(200) NOT NULL, "name_zh" character varying(200), "active" boolean NOT NULL DEFAULT true, "version" integer NOT NULL DEFAULT '1', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "id" uuid NOT NULL DEFAULT gen_random_uuid(), "location_type" character varying(16) NOT NULL, "parent_id" uuid, "line_id" uuid, "work_center_id" uuid, "partner_id" uuid, "capacity" numeric(18,6), "capacity_unit_id" uuid, CONSTRAINT "ck_storage_location_capacity" CHECK (capacity IS NULL OR capacity > 0), CONSTRAINT "ck_storage_location_type" CHECK (location_type IN ('warehouse', 'zone', 'bin', 'line_side', 'wip', 'quarantine', 'scrap', 'supplier')), CONSTRAINT "pk_storage_location" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_storage_location_parent" ON "storage_location"  ("parent_id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_storage_location_site_code" ON "storage_location"  ("site_id", "code") `,
    );
    await queryRunner.query(
      `CREATE TABLE "reason_code" ("site_id" uuid NOT NULL, "code" character varying(64) NOT NULL, "name" character varying(200) NOT NULL, "name_zh" character varying(200), "active" boolean NOT NULL DEFAULT true, "version" integer NOT NULL DEFAULT '1', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "id" uuid NOT NULL DEFAULT gen_random_uuid(), "category" character varying(24) NOT NULL, CONSTRAINT "ck_reason_code_category" CHECK (category IN ('scrap', 'pause', 'downtime_planned', 'downtime_unplanned', 'defect', 'failure')), CONSTRAINT "pk_reason_code" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_reason_code_category" ON "reason_code"  ("site_id", "category") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_reason_code_site_code" ON "reason_code"  ("site_id", "code") `,
    );
    await queryRunner.query(`ALTER TABLE "material" ADD "default_location_id" uuid`);
    await queryRunner.query(
      `ALTER TABLE "partner" ADD CONSTRAINT "fk_partner_site" FOREIGN KEY ("site_id") REFERENCES "site"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "storage_location" ADD CONSTRAINT "fk_storage_location_site" FOREIGN KEY ("site_id") REFERENCES "site"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "storage_location" ADD CONSTRAINT "fk_storage_location_parent" FOREIGN KEY ("parent_id") REFERENCES "storage_location"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "storage_location" ADD CONSTRAINT "fk_storage_location_line" FOREIGN KEY ("line_id") REFERENCES "production_line"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "storage_location" ADD CONSTRAINT "fk_storage_location_work_center" FOREIGN KEY ("work_center_id") REFERENCES "work_center"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "storage_location" ADD CONSTRAINT "fk_storage_location_partner" FOREIGN KEY ("partner_id") REFERENCES "partner"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "storage_location" ADD CONSTRAINT "fk_storage_location_capacity_unit" FOREIGN KEY ("capacity_unit_id") REFERENCES "unit_of_measure"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "material" ADD CONSTRAINT "fk_material_default_location" FOREIGN KEY ("default_location_id") REFERENCES "storage_location"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "reason_code" ADD CONSTRAINT "fk_reason_code_site" FOREIGN KEY ("site_id") REFERENCES "site"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "reason_code" DROP CONSTRAINT "fk_reason_code_site"`);
    await queryRunner.query(`ALTER TABLE "material" DROP CONSTRAINT "fk_material_default_location"`);
    await queryRunner.query(
      `ALTER TABLE "storage_location" DROP CONSTRAINT "fk_storage_location_capacity_unit"`,
    );
    await queryRunner.query(`ALTER TABLE "storage_location" DROP CONSTRAINT "fk_storage_location_partner"`);
    await queryRunner.query(
      `ALTER TABLE "storage_location" DROP CONSTRAINT "fk_storage_location_work_center"`,
    );
    await queryRunner.query(`ALTER TABLE "storage_location" DROP CONSTRAINT "fk_storage_location_line"`);
    await queryRunner.query(`ALTER TABLE "storage_location" DROP CONSTRAINT "fk_storage_location_parent"`);
    await queryRunner.query(`ALTER TABLE "storage_location" DROP CONSTRAINT "fk_storage_location_site"`);
    await queryRunner.query(`ALTER TABLE "partner" DROP CONSTRAINT "fk_partner_site"`);
    await queryRunner.query(`ALTER TABLE "material" DROP COLUMN "default_location_id"`);
    await queryRunner.query(`DROP INDEX "public"."ux_reason_code_site_code"`);
    await queryRunner.query(`DROP INDEX "public"."ix_reason_code_category"`);
    await queryRunner.query(`DROP TABLE "reason_code"`);
    await queryRunner.query(`DROP INDEX "public"."ux_storage_location_site_code"`);
    await queryRunner.query(`DROP INDEX "public"."ix_storage_location_parent"`);
    await queryRunner.query(`DROP TABLE "storage_location"`);
    await queryRunner.query(`DROP INDEX "public"."ux_partner_site_code"`);
    await queryRunner.query(`DROP TABLE "partner"`);
  }
}
