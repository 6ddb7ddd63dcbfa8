import type { MigrationInterface, QueryRunner } from 'typeorm';

export class MasterDataHierarchyMaterials1795273478486 implements MigrationInterface {
  name = 'MasterDataHierarchyMaterials1795273478486';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "area" ("site_id" uuid NOT NULL, "code" character varying(64) NOT NULL, "name" character varying(200) NOT NULL, "name_zh" character varying(200), "active" boolean NOT NULL DEFAULT true, "version" integer NOT NULL DEFAULT '1', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "id" uuid NOT NULL DEFAULT gen_random_uuid(), CONSTRAINT "pk_area" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "ux_area_site_code" ON "area"  ("site_id", "code") `);
    await queryRunner.query(
      `CREATE TABLE "production_line" ("site_id" uuid NOT NULL, "code" character varying(64) NOT NULL, "name" character varying(200) NOT NULL, "name_zh" character varying(200), "active" boolean NOT NULL DEFAULT true, "version" integer NOT NULL DEFAULT '1', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "id" uuid NOT NULL DEFAULT gen_random_uuid(), "area_id" uuid NOT NULL, CONSTRAINT "pk_production_line" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_production_line_area" ON "production_line"  ("area_id") `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_production_line_site_code" ON "production_line"  ("site_id", "code") `,
    );
    await queryRunner.query(
      `CREATE TABLE "work_center" ("site_id" uuid NOT NULL, "code" character varying(64) NOT NULL, "name" character varying(200) NOT NULL, "name_zh" character varying(200), "active" boolean NOT NULL DEFAULT true, "version" integer NOT NULL DEFAULT '1', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "id" uuid NOT NULL DEFAULT gen_random_uuid(), "line_id" uuid NOT NULL, CONSTRAINT "pk_work_center" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_work_center_line" ON "work_center"  ("line_id") `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_work_center_site_code" ON "work_center"  ("site_id", "code") `,
    );
    await queryRunner.query(
      `CREATE TABLE "equipment" ("site_id" uuid NOT NULL, "code" character varying(64) NOT NULL, "name" character varying(200) NOT NULL, "name_zh" character varying(200), "active" boolean NOT NULL DEFAULT true, "version" integer NOT NULL DEFAULT '1', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "id" uuid NOT NULL DEFAULT gen_random_uuid(), "work_center_id" uuid NOT NULL, "status" character varying(16) NOT NULL DEFAULT 'idle', "status_since" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "capabilities" text array NOT NULL DEFAULT '{}', "manufacturer" character varying(100), "model" character varying(100), "serial_number" character varying(100), CONSTRAINT "ck_equipment_status" CHECK (status IN ('running', 'idle', 'down', 'maintenance', 'setup', 'off')), CONSTRAINT "pk_equipment" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_equipment_work_center" ON "equipment"  ("work_center_id") `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_equipment_site_code" ON "equipment"  ("site_id", "code") `,
    );
    await queryRunner.query(
      `CREATE TABLE "unit_of_measure" ("site_id" uuid NOT NULL, "code" character varying(64) NOT NULL, "name" character varying(200) NOT NULL, "name_zh" character varying(200), "active" boolean NOT NULL DEFAULT true, "version" integer NOT NULL DEFAULT '1', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "id" uuid NOT NULL DEFAULT gen_random_uuid(), "dimension" character varying(16) NOT NULL, "decimals" smallint NOT NULL DEFAULT '0', CONSTRAINT "ck_unit_of_measure_decimals" CHECK (decimals BETWEEN 0 AND 6), CONSTRAINT "pk_unit_of_measure" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_unit_of_measure_site_code" ON "unit_of_measure"  ("site_id", "code") `,
    );
    await queryRunner.query(
      `CREATE TABLE "material" ("site_id" uuid NOT NULL, "code" character varying(64) NOT NULL, "name" character varying(200) NOT NULL, "name_zh" character varying(200), "active" boolean NOT NULL DEFAULT true, "version" integer NOT NULL DEFAULT '1', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "id" uuid NOT NULL DEFAULT gen_random_uuid(), "specification" character varying(500), "material_class" character varying(16) NOT NULL, "base_unit_id" uuid NOT NULL, "lot_tracked" boolean NOT NULL DEFAULT false, "serial_tracked" boolean NOT NULL DEFAULT false, "shelf_life_days" integer, "inspection_required" boolean NOT NULL DEFAULT false, "safety_stock" numeric(18,6) NOT NULL DEFAULT '0', "reorder_point" numeric(18,6) NOT NULL DEFAULT '0', "barcode" character varying(100), CONSTRAINT "ck_material_shelf_life" CHECK (shelf_life_days IS NULL OR shelf_life_days > 0), CONSTRAINT "ck_material_quantities" CHECK (safety_stock >= 0 AND reorder_point >= 0), CONSTRAINT "ck_material_class" CHECK (material_class IN ('raw', 'semi_finished', 'finished', 'consumable', 'spare_part')), CONSTRAINT "pk_material" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_material_site_barcode" ON "material"  ("site_id", "barcode") WHERE barcode IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_material_site_code" ON "material"  ("site_id", "code") `,
    );
    await queryRunner.query(
      `ALTER TABLE "area" ADD CONSTRAINT "fk_area_site" FOREIGN KEY ("site_id") REFERENCES "site"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "production_line" ADD CONSTRAINT "fk_production_line_site" FOREIGN KEY ("site_id") REFERENCES "site"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "production_line" ADD CONSTRAINT "fk_production_line_area" FOREIGN KEY ("area_id") REFERENCES "area"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "work_center" ADD CONSTRAINT "fk_work_center_site" FOREIGN KEY ("site_id") REFERENCES "site"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "work_center" ADD CONSTRAINT "fk_work_center_line" FOREIGN KEY ("line_id") REFERENCES "production_line"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "equipment" ADD CONSTRAINT "fk_equipment_site" FOREIGN KEY ("site_id") REFERENCES "site"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "equipment" ADD CONSTRAINT "fk_equipment_work_center" FOREIGN KEY ("work_center_id") REFERENCES "work_center"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "unit_of_measure" ADD CONSTRAINT "fk_unit_of_measure_site" FOREIGN KEY ("site_id") REFERENCES "site"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "material" ADD CONSTRAINT "fk_material_site" FOREIGN KEY ("site_id") REFERENCES "site"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "material" ADD CONSTRAINT "fk_material_base_unit" FOREIGN KEY ("base_unit_id") REFERENCES "unit_of_measure"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "material" DROP CONSTRAINT "fk_material_base_unit"`);
    await queryRunner.query(`ALTER TABLE "material" DROP CONSTRAINT "fk_material_site"`);
    await queryRunner.query(`ALTER TABLE "unit_of_measure" DROP CONSTRAINT "fk_unit_of_measure_site"`);
    await queryRunner.query(`ALTER TABLE "equipment" DROP CONSTRAINT "fk_equipment_work_center"`);
    await queryRunner.query(`ALTER TABLE "equipment" DROP CONSTRAINT "fk_equipment_site"`);
    await queryRunner.query(`ALTER TABLE "work_center" DROP CONSTRAINT "fk_work_center_line"`);
    await queryRunner.query(`ALTER TABLE "work_center" DROP CONSTRAINT "fk_work_center_site"`);
    await queryRunner.query(`ALTER TABLE "production_line" DROP CONSTRAINT "fk_production_line_area"`);
    await queryRunner.query(`ALTER TABLE "production_line" DROP CONSTRAINT "fk_production_line_site"`);
    await queryRunner.query(`ALTER TABLE "area" DROP CONSTRAINT "fk_area_site"`);
    await queryRunner.query(`DROP INDEX "public"."ux_material_site_code"`);
    await queryRunner.query(`DROP INDEX "public"."ix_material_site_barcode"`);
    await queryRunner.query(`DROP TABLE "material"`);
    await queryRunner.query(`DROP INDEX "public"."ux_unit_of_measure_site_code"`);
    await queryRunner.query(`DROP TABLE "unit_of_measure"`);
    await queryRunner.query(`DROP INDEX "public"."ux_equipment_site_code"`);
    await queryRunner.query(`DROP INDEX "public"."ix_equipment_work_center"`);
    await queryRunner.query(`DROP TABLE "equipment"`);
    await queryRunner.query(`DROP INDEX "public"."ux_work_center_site_code"`);
    await queryRunner.query(`DROP INDEX "public"."ix_work_center_line"`);
    await queryRunner.query(`DROP TABLE "work_center"`);
    await queryRunner.query(`DROP INDEX "public"."ux_production_line_site_code"`);
    await queryRunner.query(`DROP INDEX "public"."ix_production_line_area"`);
    await queryRunner.query(`DROP TABLE "production_line"`);
    await queryRunner.query(`DROP INDEX "public"."ux_area_site_code"`);
    await queryRunner.query(`DROP TABLE "area"`);
  }
}
