import type { MigrationInterface, QueryRunner } from 'typeorm';

export class MasterDataBoms1795273929938 implements MigrationInterface {
  name = 'MasterDataBoms1795273929938';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "bom" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "site_id" uuid NOT NULL, "material_id" uuid NOT NULL, "revision" integer NOT NULL, "valid_from" date NOT NULL, "valid_to" date, "base_quantity" numeric(18,6) NOT NULL DEFAULT '1', "description" character varying(500), "active" boolean NOT NULL DEFAULT true, "version" integer NOT NULL DEFAULT '1', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_bom_validity" CHECK (valid_to IS NULL OR valid_to > valid_from), CONSTRAINT "ck_bom_base_quantity" CHECK (base_quantity > 0), CONSTRAINT "pk_bom" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_bom_site_material" ON "bom"  ("site_id", "material_id") `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_bom_material_revision" ON "bom"  ("material_id", "revision") `,
    );
    await queryRunner.query(
      `CREATE TABLE "bom_line" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "bom_id" uuid NOT NULL, "line_no" integer NOT NULL, "component_id" uuid NOT NULL, "quantity_per" numeric(18,6) NOT NULL, "scrap_factor" numeric(7,6) NOT NULL DEFAULT '0', "issue_method" character varying(10) NOT NULL DEFAULT 'manual', "operation_seq" integer, CONSTRAINT "ck_bom_line_issue_method" CHECK (issue_method IN ('manual', 'backflush')), CONSTRAINT "ck_bom_line_scrap" CHECK (scrap_factor >= 0 AND scrap_factor < 1), CONSTRAINT "ck_bom_line_quantity" CHECK (quantity_per > 0), CONSTRAINT "pk_bom_line" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_bom_line_component" ON "bom_line"  ("component_id") `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_bom_line_bom_line_no" ON "bom_line"  ("bom_id", "line_no") `,
    );
    await queryRunner.query(
      `ALTER TABLE "bom" ADD CONSTRAINT "fk_bom_site" FOREIGN KEY ("site_id") REFERENCES "site"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "bom" ADD CONSTRAINT "fk_bom_material" FOREIGN KEY ("material_id") REFERENCES "material"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "bom_line" ADD CONSTRAINT "fk_bom_line_bom" FOREIGN KEY ("bom_id") REFERENCES "bom"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "bom_line" ADD CONSTRAINT "fk_bom_line_component" FOREIGN KEY ("component_id") REFERENCES "material"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "bom_line" DROP CONSTRAINT "fk_bom_line_component"`);
    await queryRunner.query(`ALTER TABLE "bom_line" DROP CONSTRAINT "fk_bom_line_bom"`);
    await queryRunner.query(`ALTER TABLE "bom" DROP CONSTRAINT "fk_bom_material"`);
    await queryRunner.query(`ALTER TABLE "bom" DROP CONSTRAINT "fk_bom_site"`);
    await queryRunner.query(`DROP INDEX "public"."ux_bom_line_bom_line_no"`);
    await queryRunner.query(`DROP INDEX "public"."ix_bom_line_component"`);
    await queryRunner.query(`DROP TABLE "bom_line"`);
    await queryRunner.query(`DROP INDEX "public"."ux_bom_material_revision"`);
    await queryRunner.query(`DROP INDEX "public"."ix_bom_site_material"`);
    await queryRunner.query(`DROP TABLE "bom"`);
  }
}
