import type { MigrationInterface, QueryRunner } from 'typeorm';

export class MasterDataRoutings1795274107062 implements MigrationInterface {
  name = 'MasterDataRoutings1795274107062';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "routing" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "site_id" uuid NOT NULL, "material_id" uuid NOT NULL, "revision" integer NOT NULL, "valid_from" date NOT NULL, "valid_to" date, "description" character varying(500), "active" boolean NOT NULL DEFAULT true, "version" integer NOT NULL DEFAULT '1', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_routing_validity" CHECK (valid_to IS NULL OR valid_to > valid_from), CONSTRAINT "pk_routing" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_routing_site_material" ON "routing"  ("site_id", "material_id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_routing_material_revision" ON "routing"  ("material_id", "revision") `,
    );
    await queryRunner.query(
      `CREATE TABLE "routing_operation" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "routing_id" uuid NOT NULL, "seq" integer NOT NULL, "name" character varying(200) NOT NULL, "name_zh" character varying(200), "work_center_id" uuid NOT NULL, "min_transfer_qty" numeric(18,6), "instructions" text, "attachments" jsonb NOT NULL DEFAULT '[]', "parameters" jsonb NOT NULL DEFAULT '[]', "inspection_point" boolean NOT NULL DEFAULT false, CONSTRAINT "ck_routing_operation_transfer" CHECK (min_transfer_qty IS NULL OR min_transfer_qty > 0), CONSTRAINT "pk_routing_operation" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_routing_operation_work_center" ON "routing_operation"  ("work_center_id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_routing_operation_seq" ON "routing_operation"  ("routing_id", "seq") `,
    );
    await queryRunner.query(
      `CREATE TABLE "routing_operation_equipment" ("operation_id" uuid NOT NULL, "equipment_id" uuid NOT NULL, "run_time_per_unit_sec" numeric(12,3) NOT NULL, "setup_time_sec" numeric(12,3) NOT NULL DEFAULT '0', "setup_family" character varying(32), CONSTRAINT "ck_routing_operation_equipment_times" CHECK (run_time_per_unit_sec > 0 AND setup_time_sec >= 0), CONSTRAINT "pk_routing_operation_equipment" PRIMARY KEY ("operation_id", "equipment_id"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "routing" ADD CONSTRAINT "fk_routing_site" FOREIGN KEY ("site_id") REFERENCES "site"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "routing" ADD CONSTRAINT "fk_routing_material" FOREIGN KEY ("material_id") REFERENCES "material"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "routing_operation" ADD CONSTRAINT "fk_routing_operation_routing" FOREIGN KEY ("routing_id") REFERENCES "routing"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "routing_operation" ADD CONSTRAINT "fk_routing_operation_work_center" FOREIGN KEY ("work_center_id") REFERENCES "work_center"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "routing_operation_equipment" ADD CONSTRAINT "fk_routing_operation_equipment_operation" FOREIGN KEY ("operation_id") REFERENCES "routing_operation"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "routing_operation_equipment" ADD CONSTRAINT "fk_routing_operation_equipment_equipment" FOREIGN KEY ("equipment_id") REFERENCES "equipment"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "routing_operation_equipment" DROP CONSTRAINT "fk_routing_operation_equipment_equipment"`,
    );
    await queryRunner.query(
      `ALTER TABLE "routing_operation_equipment" DROP CONSTRAINT "fk_routing_operation_equipment_operation"`,
    );
    await queryRunner.query(
      `ALTER TABLE "routing_operation" DROP CONSTRAINT "fk_routing_operation_work_center"`,
    );
    await queryRunner.query(`ALTER TABLE "routing_operation" DROP CONSTRAINT "fk_routing_operation_routing"`);
    await queryRunner.query(`ALTER TABLE "routing" DROP CONSTRAINT "fk_routing_material"`);
    await queryRunner.query(`ALTER TABLE "routing" DROP CONSTRAINT "fk_routing_site"`);
    await queryRunner.query(`DROP TABLE "routing_operation_equipment"`);
    await queryRunner.query(`DROP INDEX "public"."ux_routing_operation_seq"`);
    await queryRunner.query(`DROP INDEX "public"."ix_routing_operation_work_center"`);
    await queryRunner.query(`DROP TABLE "routing_operation"`);
    await queryRunner.query(`DROP INDEX "public"."ux_routing_material_revision"`);
    await queryRunner.query(`DROP INDEX "public"."ix_routing_site_material"`);
    await queryRunner.query(`DROP TABLE "routing"`);
  }
}
