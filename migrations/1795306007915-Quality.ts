import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Quality1795306007915 implements MigrationInterface {
  name = 'Quality1795306007915';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Rework orders opened by an NCR disposition.
    await queryRunner.query(`ALTER TABLE "work_order" DROP CONSTRAINT "ck_work_order_source"`);
    await queryRunner.query(
      `ALTER TABLE "work_order" ADD CONSTRAINT "ck_work_order_source" CHECK (source IN ('manual', 'erp', 'rework'))`,
    );
    await queryRunner.query(`CREATE TABLE "inspection_plan" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "site_id" uuid NOT NULL, "code" character varying(64) NOT NULL, "name" character varying(200) NOT NULL, "name_zh" character varying(200), "type" character varying(8) NOT NULL, "material_id" uuid NOT NULL, "operation_seq" integer, "frequency" character varying(8) NOT NULL, "frequency_qty" numeric(18,6), "frequency_minutes" integer, "sample_size" integer NOT NULL, "active" boolean NOT NULL DEFAULT true, "notes" text, "version" integer NOT NULL DEFAULT '1', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_inspection_plan_sample_size" CHECK (sample_size BETWEEN 1 AND 1000), CONSTRAINT "ck_inspection_plan_frequency_value" CHECK ((frequency <> 'count' OR frequency_qty > 0) AND (frequency <> 'time' OR frequency_minutes > 0)), CONSTRAINT "ck_inspection_plan_frequency_fits_type" CHECK ((type = 'ipqc' AND operation_seq IS NOT NULL AND frequency IN ('count', 'time'))
   OR (type <> 'ipqc' AND operation_seq IS NULL AND frequency = 'lot')), CONSTRAINT "ck_inspection_plan_frequency" CHECK (frequency IN ('lot', 'count', 'time')), CONSTRAINT "ck_inspection_plan_type" CHECK (type IN ('iqc', 'ipqc', 'oqc')), CONSTRAINT "pk_inspection_plan" PRIMARY KEY ("id"))`);
    await queryRunner.query(
      `CREATE INDEX "ix_inspection_plan_material" ON "inspection_plan"  ("site_id", "material_id", "type") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_inspection_plan_site_code" ON "inspection_plan"  ("site_id", "code") `,
    );
    await queryRunner.query(`CREATE TABLE "inspection_characteristic" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "plan_id" uuid NOT NULL, "site_id" uuid NOT NULL, "seq" integer NOT NULL, "code" character varying(64) NOT NULL, "name" character varying(200) NOT NULL, "name_zh" character varying(200), "kind" character varying(12) NOT NULL, "attribute_type" character varying(16), "unit" character varying(32), "lsl" numeric(18,6), "usl" numeric(18,6), "target" numeric(18,6), "defect_codes" jsonb NOT NULL DEFAULT '[]', "chart" character varying(8), "rule_set" character varying(8) NOT NULL DEFAULT 'nelson', "n_sigma" numeric(4,2) NOT NULL DEFAULT '3', "violation_opens_ncr" boolean NOT NULL DEFAULT false, "violation_holds_work_order" boolean NOT NULL DEFAULT false, "violation_holds_lots" boolean NOT NULL DEFAULT false, "limits_version" integer, "active" boolean NOT NULL DEFAULT true, "version" integer NOT NULL DEFAULT '1', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_inspection_characteristic_n_sigma" CHECK (n_sigma > 0 AND n_sigma <= 6), CONSTRAINT "ck_inspection_characteristic_rules" CHECK (rule_set IN ('we', 'nelson', 'none')), CONSTRAINT "ck_inspection_characteristic_specs" CHECK (lsl IS NULL OR usl IS NULL OR lsl < usl), CONSTRAINT "ck_inspection_characteristic_chart_type" CHECK (chart IS NULL OR chart IN ('xbar-r', 'xbar-s', 'imr', 'p', 'np', 'c', 'u')), CONSTRAINT "ck_inspection_characteristic_chart" CHECK (chart IS NULL OR (kind = 'variable' AND chart IN ('xbar-r', 'xbar-s', 'imr'))
   OR (attribute_type = 'pass_fail' AND chart IN ('p', 'np'))
   OR (attribute_type = 'defect_count' AND chart IN ('c', 'u'))), CONSTRAINT "ck_inspection_characteristic_attribute_type" CHECK ((kind = 'attribute') = (attribute_type IS NOT NULL) AND (attribute_type IS NULL OR attribute_type IN ('pass_fail', 'defect_count'))), CONSTRAINT "ck_inspection_characteristic_kind" CHECK (kind IN ('variable', 'attribute')), CONSTRAINT "pk_inspection_characteristic" PRIMARY KEY ("id"))`);
    await queryRunner.query(
      `CREATE INDEX "ix_inspection_characteristic_site" ON "inspection_characteristic"  ("site_id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_inspection_characteristic_plan_code" ON "inspection_characteristic"  ("plan_id", "code") `,
    );
    await queryRunner.query(
      `CREATE TABLE "inspection" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "site_id" uuid NOT NULL, "code" character varying(64) NOT NULL, "plan_id" uuid NOT NULL, "type" character varying(8) NOT NULL, "status" character varying(12) NOT NULL DEFAULT 'pending', "trigger" character varying(12) NOT NULL, "material_id" uuid NOT NULL, "lot_id" uuid, "work_order_id" uuid, "operation_id" uuid, "work_center_id" uuid, "equipment_id" uuid, "sequence_no" integer NOT NULL DEFAULT '1', "sample_size" integer NOT NULL, "due_at" TIMESTAMP WITH TIME ZONE NOT NULL, "decided_at" TIMESTAMP WITH TIME ZONE, "decided_by_id" uuid, "decided_by_name" character varying(200), "decision_note" character varying(1000), "lot_outcome" jsonb, "ncr_id" uuid, "version" integer NOT NULL DEFAULT '1', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_inspection_decided" CHECK ((status IN ('passed', 'failed')) = (decided_at IS NOT NULL)), CONSTRAINT "ck_inspection_sample_size" CHECK (sample_size >= 1 AND sequence_no >= 1), CONSTRAINT "ck_inspection_subject" CHECK ((type = 'ipqc' AND operation_id IS NOT NULL) OR (type <> 'ipqc' AND lot_id IS NOT NULL)), CONSTRAINT "ck_inspection_trigger" CHECK ("trigger" IN ('receipt', 'completion', 'count', 'time', 'manual')), CONSTRAINT "ck_inspection_status" CHECK (status IN ('pending', 'in_progress', 'passed', 'failed', 'cancelled')), CONSTRAINT "ck_inspection_type" CHECK (type IN ('iqc', 'ipqc', 'oqc')), CONSTRAINT "pk_inspection" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_inspection_work_order" ON "inspection"  ("work_order_id") WHERE work_order_id IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_inspection_lot" ON "inspection"  ("lot_id") WHERE lot_id IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_inspection_work_center_open" ON "inspection"  ("work_center_id", "due_at") WHERE status IN ('pending', 'in_progress')`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_inspection_plan_created" ON "inspection" ("plan_id", "created_at", "id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_inspection_site_status" ON "inspection"  ("site_id", "status", "due_at") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_inspection_plan_operation_seq" ON "inspection"  ("plan_id", "operation_id", "sequence_no") WHERE operation_id IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_inspection_plan_lot" ON "inspection"  ("plan_id", "lot_id") WHERE lot_id IS NOT NULL AND "trigger" IN ('receipt', 'completion')`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_inspection_site_code" ON "inspection"  ("site_id", "code") `,
    );
    await queryRunner.query(
      `CREATE TABLE "inspection_result" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "inspection_id" uuid NOT NULL, "site_id" uuid NOT NULL, "characteristic_id" uuid NOT NULL, "sample_no" integer NOT NULL, "value" numeric(18,6), "passed" boolean, "defect_count" integer, "defect_codes" jsonb NOT NULL DEFAULT '[]', "note" character varying(500), "recorded_by_id" uuid, "recorded_by_name" character varying(200) NOT NULL, "recorded_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "version" integer NOT NULL DEFAULT '1', CONSTRAINT "ck_inspection_result_defect_count" CHECK (defect_count IS NULL OR defect_count >= 0), CONSTRAINT "ck_inspection_result_one_value" CHECK (num_nonnulls(value, passed, defect_count) = 1), CONSTRAINT "ck_inspection_result_sample_no" CHECK (sample_no >= 1), CONSTRAINT "pk_inspection_result" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_inspection_result_characteristic" ON "inspection_result"  ("characteristic_id", "recorded_at") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_inspection_result_sample" ON "inspection_result"  ("inspection_id", "characteristic_id", "sample_no") `,
    );
    await queryRunner.query(
      `CREATE TABLE "ncr" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "site_id" uuid NOT NULL, "code" character varying(64) NOT NULL, "source" character varying(12) NOT NULL, "status" character varying(16) NOT NULL DEFAULT 'open', "title" character varying(200) NOT NULL, "description" text, "material_id" uuid, "quantity" numeric(18,6), "defect_codes" jsonb NOT NULL DEFAULT '[]', "inspection_id" uuid, "characteristic_id" uuid, "work_order_id" uuid, "operation_id" uuid, "work_center_id" uuid, "supplier_id" uuid, "customer" character varying(200), "reported_by_id" uuid, "reported_by_name" character varying(200) NOT NULL, "reviewer_id" uuid, "reviewer_name" character varying(200), "containment_note" text, "contained_at" TIMESTAMP WITH TIME ZONE, "disposition" character varying(24), "disposition_qty" numeric(18,6), "disposition_note" text, "signature_id" uuid, "dispositioned_at" TIMESTAMP WITH TIME ZONE, "rework_work_order_id" uuid, "closed_at" TIMESTAMP WITH TIME ZONE, "closed_by_name" character varying(200), "close_note" text, "version" integer NOT NULL DEFAULT '1', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_ncr_quantity" CHECK (quantity IS NULL OR quantity > 0), CONSTRAINT "ck_ncr_dispositioned" CHECK ((status IN ('dispositioned', 'closed')) = (disposition IS NOT NULL AND signature_id IS NOT NULL)), CONSTRAINT "ck_ncr_disposition" CHECK (disposition IS NULL OR disposition IN ('use_as_is', 'rework', 'scrap', 'return_to_supplier')), CONSTRAINT "ck_ncr_status" CHECK (status IN ('open', 'under_review', 'dispositioned', 'closed')), CONSTRAINT "ck_ncr_source" CHECK (source IN ('inspection', 'spc', 'terminal', 'supplier', 'customer')), CONSTRAINT "pk_ncr" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_ncr_inspection" ON "ncr"  ("inspection_id") WHERE inspection_id IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_ncr_site_status" ON "ncr"  ("site_id", "status", "created_at") `,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "ux_ncr_site_code" ON "ncr"  ("site_id", "code") `);
    await queryRunner.query(
      `CREATE TABLE "ncr_lot" ("ncr_id" uuid NOT NULL, "lot_id" uuid NOT NULL, "site_id" uuid NOT NULL, "role" character varying(12) NOT NULL, "quantity" numeric(18,6), "held_by_ncr" boolean NOT NULL DEFAULT false, "added_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_ncr_lot_quantity" CHECK (quantity IS NULL OR quantity > 0), CONSTRAINT "ck_ncr_lot_role" CHECK (role IN ('reported', 'affected')), CONSTRAINT "pk_ncr_lot" PRIMARY KEY ("ncr_id", "lot_id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_ncr_lot_lot" ON "ncr_lot"  ("lot_id") `);
    await queryRunner.query(
      `CREATE TABLE "spc_limit_set" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "characteristic_id" uuid NOT NULL, "site_id" uuid NOT NULL, "version" integer NOT NULL, "chart" character varying(8) NOT NULL, "center" double precision NOT NULL, "sigma" double precision NOT NULL, "ucl" double precision, "lcl" double precision, "n_sigma" numeric(4,2) NOT NULL, "secondary" jsonb, "from_inspection_id" uuid NOT NULL, "to_inspection_id" uuid NOT NULL, "points_used" integer NOT NULL, "excluded" jsonb NOT NULL DEFAULT '[]', "reason" character varying(1000), "frozen_by_id" uuid, "frozen_by_name" character varying(200) NOT NULL, "frozen_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_spc_limit_set_sigma" CHECK (sigma >= 0 AND points_used >= 1), CONSTRAINT "ck_spc_limit_set_version" CHECK (version >= 1), CONSTRAINT "pk_spc_limit_set" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_spc_limit_set_version" ON "spc_limit_set"  ("characteristic_id", "version") `,
    );
    await queryRunner.query(
      `CREATE TABLE "spc_exclusion" ("characteristic_id" uuid NOT NULL, "inspection_id" uuid NOT NULL, "site_id" uuid NOT NULL, "reason" character varying(500) NOT NULL, "excluded_by_id" uuid, "excluded_by_name" character varying(200) NOT NULL, "excluded_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "pk_spc_exclusion" PRIMARY KEY ("characteristic_id", "inspection_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_spc_exclusion_inspection" ON "spc_exclusion"  ("inspection_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "spc_signal" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "characteristic_id" uuid NOT NULL, "inspection_id" uuid NOT NULL, "site_id" uuid NOT NULL, "rules" jsonb NOT NULL, "value" double precision NOT NULL, "limits_version" integer, "ncr_id" uuid, "held_work_order_id" uuid, "held_lots" jsonb NOT NULL DEFAULT '[]', "detected_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "pk_spc_signal" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_spc_signal_site" ON "spc_signal"  ("site_id", "detected_at") `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_spc_signal_point" ON "spc_signal"  ("characteristic_id", "inspection_id") `,
    );
    await queryRunner.query(
      `ALTER TABLE "inspection_plan" ADD CONSTRAINT "fk_inspection_plan_site" FOREIGN KEY ("site_id") REFERENCES "site"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "inspection_plan" ADD CONSTRAINT "fk_inspection_plan_material" FOREIGN KEY ("material_id") REFERENCES "material"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "inspection_characteristic" ADD CONSTRAINT "fk_inspection_characteristic_plan" FOREIGN KEY ("plan_id") REFERENCES "inspection_plan"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "inspection" ADD CONSTRAINT "fk_inspection_site" FOREIGN KEY ("site_id") REFERENCES "site"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "inspection" ADD CONSTRAINT "fk_inspection_plan" FOREIGN KEY ("plan_id") REFERENCES "inspection_plan"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "inspection" ADD CONSTRAINT "fk_inspection_material" FOREIGN KEY ("material_id") REFERENCES "material"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "inspection" ADD CONSTRAINT "fk_inspection_lot" FOREIGN KEY ("lot_id") REFERENCES "lot"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "inspection" ADD CONSTRAINT "fk_inspection_work_order" FOREIGN KEY ("work_order_id") REFERENCES "work_order"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "inspection" ADD CONSTRAINT "fk_inspection_operation" FOREIGN KEY ("operation_id") REFERENCES "work_order_operation"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "inspection_result" ADD CONSTRAINT "fk_inspection_result_inspection" FOREIGN KEY ("inspection_id") REFERENCES "inspection"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "inspection_result" ADD CONSTRAINT "fk_inspection_result_characteristic" FOREIGN KEY ("characteristic_id") REFERENCES "inspection_characteristic"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "ncr" ADD CONSTRAINT "fk_ncr_site" FOREIGN KEY ("site_id") REFERENCES "site"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "ncr" ADD CONSTRAINT "fk_ncr_material" FOREIGN KEY ("material_id") REFERENCES "material"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "ncr" ADD CONSTRAINT "fk_ncr_supplier" FOREIGN KEY ("supplier_id") REFERENCES "partner"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "ncr_lot" ADD CONSTRAINT "fk_ncr_lot_ncr" FOREIGN KEY ("ncr_id") REFERENCES "ncr"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "ncr_lot" ADD CONSTRAINT "fk_ncr_lot_lot" FOREIGN KEY ("lot_id") REFERENCES "lot"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "spc_limit_set" ADD CONSTRAINT "fk_spc_limit_set_characteristic" FOREIGN KEY ("characteristic_id") REFERENCES "inspection_characteristic"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "spc_exclusion" ADD CONSTRAINT "fk_spc_exclusion_characteristic" FOREIGN KEY ("characteristic_id") REFERENCES "inspection_characteristic"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "spc_exclusion" ADD CONSTRAINT "fk_spc_exclusion_inspection" FOREIGN KEY ("inspection_id") REFERENCES "inspection"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "spc_signal" ADD CONSTRAINT "fk_spc_signal_characteristic" FOREIGN KEY ("characteristic_id") REFERENCES "inspection_characteristic"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "spc_signal" ADD CONSTRAINT "fk_spc_signal_inspection" FOREIGN KEY ("inspection_id") REFERENCES "inspection"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "work_order" DROP CONSTRAINT "ck_work_order_source"`);
    await queryRunner.query(
      `ALTER TABLE "work_order" ADD CONSTRAINT "ck_work_order_source" CHECK (source IN ('manual', 'erp'))`,
    );
    await queryRunner.query(`ALTER TABLE "spc_signal" DROP CONSTRAINT "fk_spc_signal_inspection"`);
    await queryRunner.query(`ALTER TABLE "spc_signal" DROP CONSTRAINT "fk_spc_signal_characteristic"`);
    await queryRunner.query(`ALTER TABLE "spc_exclusion" DROP CONSTRAINT "fk_spc_exclusion_inspection"`);
    await queryRunner.query(`ALTER TABLE "spc_exclusion" DROP CONSTRAINT "fk_spc_exclusion_characteristic"`);
    await queryRunner.query(`ALTER TABLE "spc_limit_set" DROP CONSTRAINT "fk_spc_limit_set_characteristic"`);
    await queryRunner.query(`ALTER TABLE "ncr_lot" DROP CONSTRAINT "fk_ncr_lot_lot"`);
    await queryRunner.query(`ALTER TABLE "ncr_lot" DROP CONSTRAINT "fk_ncr_lot_ncr"`);
    await queryRunner.query(`ALTER TABLE "ncr" DROP CONSTRAINT "fk_ncr_supplier"`);
    await queryRunner.query(`ALTER TABLE "ncr" DROP CONSTRAINT "fk_ncr_material"`);
    await queryRunner.query(`ALTER TABLE "ncr" DROP CONSTRAINT "fk_ncr_site"`);
    await queryRunner.query(
      `ALTER TABLE "inspection_result" DROP CONSTRAINT "fk_inspection_result_characteristic"`,
    );
    await queryRunner.query(
      `ALTER TABLE "inspection_result" DROP CONSTRAINT "fk_inspection_result_inspection"`,
    );
    await queryRunner.query(`ALTER TABLE "inspection" DROP CONSTRAINT "fk_inspection_operation"`);
    await queryRunner.query(`ALTER TABLE "inspection" DROP CONSTRAINT "fk_inspection_work_order"`);
    await queryRunner.query(`ALTER TABLE "inspection" DROP CONSTRAINT "fk_inspection_lot"`);
    await queryRunner.query(`ALTER TABLE "inspection" DROP CONSTRAINT "fk_inspection_material"`);
    await queryRunner.query(`ALTER TABLE "inspection" DROP CONSTRAINT "fk_inspection_plan"`);
    await queryRunner.query(`ALTER TABLE "inspection" DROP CONSTRAINT "fk_inspection_site"`);
    await queryRunner.query(
      `ALTER TABLE "inspection_characteristic" DROP CONSTRAINT "fk_inspection_characteristic_plan"`,
    );
    await queryRunner.query(`ALTER TABLE "inspection_plan" DROP CONSTRAINT "fk_inspection_plan_material"`);
    await queryRunner.query(`ALTER TABLE "inspection_plan" DROP CONSTRAINT "fk_inspection_plan_site"`);
    await queryRunner.query(`DROP INDEX "public"."ux_spc_signal_point"`);
    await queryRunner.query(`DROP INDEX "public"."ix_spc_signal_site"`);
    await queryRunner.query(`DROP TABLE "spc_signal"`);
    await queryRunner.query(`DROP INDEX "public"."ix_spc_exclusion_inspection"`);
    await queryRunner.query(`DROP TABLE "spc_exclusion"`);
    await queryRunner.query(`DROP INDEX "public"."ux_spc_limit_set_version"`);
    await queryRunner.query(`DROP TABLE "spc_limit_set"`);
    await queryRunner.query(`DROP INDEX "public"."ix_ncr_lot_lot"`);
    await queryRunner.query(`DROP TABLE "ncr_lot"`);
    await queryRunner.query(`DROP INDEX "public"."ux_ncr_site_code"`);
    await queryRunner.query(`DROP INDEX "public"."ix_ncr_site_status"`);
    await queryRunner.query(`DROP INDEX "public"."ix_ncr_inspection"`);
    await queryRunner.query(`DROP TABLE "ncr"`);
    await queryRunner.query(`DROP INDEX "public"."ux_inspection_result_sample"`);
    await queryRunner.query(`DROP INDEX "public"."ix_inspection_result_characteristic"`);
    await queryRunner.query(`DROP TABLE "inspection_result"`);
    await queryRunner.query(`DROP INDEX "public"."ux_inspection_site_code"`);
    await queryRunner.query(`DROP INDEX "public"."ux_inspection_plan_lot"`);
    await queryRunner.query(`DROP INDEX "public"."ux_inspection_plan_operation_seq"`);
    await queryRunner.query(`DROP INDEX "public"."ix_inspection_plan_created"`);
    await queryRunner.query(`DROP INDEX "public"."ix_inspection_site_status"`);
    await queryRunner.query(`DROP INDEX "public"."ix_inspection_work_center_open"`);
    await queryRunner.query(`DROP INDEX "public"."ix_inspection_lot"`);
    await queryRunner.query(`DROP INDEX "public"."ix_inspection_work_order"`);
    await queryRunner.query(`DROP TABLE "inspection"`);
    await queryRunner.query(`DROP INDEX "public"."ux_inspection_characteristic_plan_code"`);
    await queryRunner.query(`DROP INDEX "public"."ix_inspection_characteristic_site"`);
    await queryRunner.query(`DROP TABLE "inspection_characteristic"`);
    await queryRunner.query(`DROP INDEX "public"."ux_inspection_plan_site_code"`);
    await queryRunner.query(`DROP INDEX "public"."ix_inspection_plan_material"`);
    await queryRunner.query(`DROP TABLE "inspection_plan"`);
  }
}
