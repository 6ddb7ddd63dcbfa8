import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Maintenance1795329536881 implements MigrationInterface {
  name = 'Maintenance1795329536881';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "maintenance_asset" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "site_id" uuid NOT NULL, "code" character varying(64) NOT NULL, "name" character varying(200) NOT NULL, "kind" character varying(12) NOT NULL, "equipment_id" uuid NOT NULL, "parent_id" uuid, "serial_no" character varying(100), "manufacturer" character varying(100), "model" character varying(100), "install_date" date, "criticality" character(1) NOT NULL DEFAULT 'B', "documents" jsonb NOT NULL DEFAULT '[]', "active" boolean NOT NULL DEFAULT true, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "version" integer NOT NULL DEFAULT '1', CONSTRAINT "ck_maintenance_asset_kind" CHECK ((parent_id IS NULL) = (kind = 'equipment')), CONSTRAINT "ck_maintenance_asset_criticality" CHECK (criticality IN ('A', 'B', 'C')), CONSTRAINT "pk_maintenance_asset" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_maintenance_asset_parent" ON "maintenance_asset"  ("parent_id") WHERE parent_id IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_maintenance_asset_equipment" ON "maintenance_asset"  ("equipment_id") WHERE equipment_id IS NOT NULL AND parent_id IS NULL`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_maintenance_asset_site_code" ON "maintenance_asset"  ("site_id", "code") `,
    );
    await queryRunner.query(
      `CREATE TABLE "maintenance_meter" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "site_id" uuid NOT NULL, "asset_id" uuid NOT NULL, "code" character varying(64) NOT NULL, "kind" character varying(12) NOT NULL, "feed" character varying(20) NOT NULL, "unit" character varying(16) NOT NULL, "offset" numeric(18,3) NOT NULL DEFAULT '0', "since" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_maintenance_meter_offset" CHECK ("offset" >= 0), CONSTRAINT "ck_maintenance_meter_feed" CHECK (feed IN ('manual', 'reported_quantity', 'running_time')), CONSTRAINT "ck_maintenance_meter_kind" CHECK (kind IN ('run_hours', 'cycles', 'strokes', 'other')), CONSTRAINT "pk_maintenance_meter" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_maintenance_meter_asset_code" ON "maintenance_meter"  ("asset_id", "code") `,
    );
    await queryRunner.query(
      `CREATE TABLE "maintenance_meter_reading" ("id" BIGSERIAL NOT NULL, "meter_id" uuid NOT NULL, "value" numeric(18,3) NOT NULL, "read_at" TIMESTAMP WITH TIME ZONE NOT NULL, "source" character varying(12) NOT NULL, "note" character varying(200), "recorded_by" character varying(100) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_maintenance_meter_reading_value" CHECK (value >= 0), CONSTRAINT "pk_maintenance_meter_reading" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_maintenance_meter_reading_meter" ON "maintenance_meter_reading"  ("meter_id", "read_at") `,
    );
    await queryRunner.query(`CREATE TABLE "pm_plan" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "site_id" uuid NOT NULL, "asset_id" uuid NOT NULL, "code" character varying(64) NOT NULL, "name" character varying(200) NOT NULL, "trigger" character varying(10) NOT NULL, "every_n" integer, "every_unit" character varying(8), "basis" character varying(12), "fixed_dates" character varying(5) array NOT NULL DEFAULT '{}', "start_date" date NOT NULL, "lead_days" integer NOT NULL DEFAULT '0', "meter_id" uuid, "meter_interval" numeric(18,3), "lead_units" numeric(18,3) NOT NULL DEFAULT '0', "start_time" character varying(5) NOT NULL DEFAULT '08:00', "estimated_minutes" integer NOT NULL, "checklist" jsonb NOT NULL DEFAULT '[]', "required_parts" jsonb NOT NULL DEFAULT '[]', "skills" character varying(64) array NOT NULL DEFAULT '{}', "signature_required" boolean NOT NULL DEFAULT false, "priority" character varying(8) NOT NULL DEFAULT 'normal', "active" boolean NOT NULL DEFAULT true, "last_due_date" date, "last_done_date" date, "last_done_reading" numeric(18,3), "next_due_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "version" integer NOT NULL DEFAULT '1', CONSTRAINT "ck_pm_plan_lead" CHECK (lead_days >= 0 AND lead_units >= 0), CONSTRAINT "ck_pm_plan_duration" CHECK (estimated_minutes > 0), CONSTRAINT "ck_pm_plan_rule" CHECK ((trigger = 'meter' AND meter_id IS NOT NULL AND meter_interval > 0)
   OR (trigger = 'calendar' AND ((every_n >= 1 AND every_unit IN ('day', 'week', 'month') AND basis IN ('fixed', 'completion'))
        OR cardinality(fixed_dates) > 0))), CONSTRAINT "ck_pm_plan_trigger" CHECK (trigger IN ('calendar', 'meter')), CONSTRAINT "pk_pm_plan" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_pm_plan_asset" ON "pm_plan"  ("asset_id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "ux_pm_plan_site_code" ON "pm_plan"  ("site_id", "code") `);
    await queryRunner.query(`CREATE TABLE "maintenance_ticket" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "site_id" uuid NOT NULL, "code" character varying(64) NOT NULL, "kind" character varying(12) NOT NULL, "status" character varying(12) NOT NULL DEFAULT 'open', "priority" character varying(8) NOT NULL DEFAULT 'normal', "title" character varying(200) NOT NULL, "description" text, "asset_id" uuid NOT NULL, "equipment_id" uuid NOT NULL, "pm_plan_id" uuid, "due_key" character varying(40), "due_at" TIMESTAMP WITH TIME ZONE, "breakdown" boolean NOT NULL DEFAULT false, "andon_id" uuid, "downtime_id" uuid, "operation_id" uuid, "window_start" TIMESTAMP WITH TIME ZONE, "window_end" TIMESTAMP WITH TIME ZONE, "expected_back_at" TIMESTAMP WITH TIME ZONE, "estimated_minutes" integer, "skills" character varying(64) array NOT NULL DEFAULT '{}', "assignee_id" uuid, "assignee_name" character varying(200), "checklist" jsonb NOT NULL DEFAULT '[]', "attachments" jsonb NOT NULL DEFAULT '[]', "failure_code" character varying(64), "cause" character varying(1000), "remedy" character varying(1000), "signature_required" boolean NOT NULL DEFAULT false, "signature_id" uuid, "cancel_reason" character varying(500), "raised_by" uuid, "raised_by_name" character varying(200) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "started_at" TIMESTAMP WITH TIME ZONE, "done_at" TIMESTAMP WITH TIME ZONE, "done_by" uuid, "verified_at" TIMESTAMP WITH TIME ZONE, "verified_by" uuid, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "version" integer NOT NULL DEFAULT '1', CONSTRAINT "ck_maintenance_ticket_closure" CHECK (kind <> 'corrective' OR status NOT IN ('done', 'verified')
   OR (failure_code IS NOT NULL AND cause IS NOT NULL AND remedy IS NOT NULL)), CONSTRAINT "ck_maintenance_ticket_plan" CHECK ((pm_plan_id IS NOT NULL) = (due_key IS NOT NULL)), CONSTRAINT "ck_maintenance_ticket_window" CHECK (window_end IS NULL OR (window_start IS NOT NULL AND window_end > window_start)), CONSTRAINT "ck_maintenance_ticket_priority" CHECK (priority IN ('low', 'normal', 'high', 'urgent')), CONSTRAINT "ck_maintenance_ticket_status" CHECK (status IN ('open', 'assigned', 'in_progress', 'done', 'verified', 'cancelled')), CONSTRAINT "ck_maintenance_ticket_kind" CHECK (kind IN ('preventive', 'corrective', 'improvement')), CONSTRAINT "pk_maintenance_ticket" PRIMARY KEY ("id"))`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_maintenance_ticket_andon" ON "maintenance_ticket"  ("andon_id") WHERE andon_id IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_maintenance_ticket_plan_open" ON "maintenance_ticket"  ("pm_plan_id") WHERE pm_plan_id IS NOT NULL AND status IN ('open', 'assigned', 'in_progress')`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_maintenance_ticket_plan_due" ON "maintenance_ticket"  ("pm_plan_id", "due_key") WHERE pm_plan_id IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_maintenance_ticket_assignee" ON "maintenance_ticket"  ("assignee_id", "status") WHERE assignee_id IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_maintenance_ticket_equipment" ON "maintenance_ticket"  ("equipment_id", "status") `,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_maintenance_ticket_site_status" ON "maintenance_ticket"  ("site_id", "status", "created_at") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_maintenance_ticket_site_code" ON "maintenance_ticket"  ("site_id", "code") `,
    );
    await queryRunner.query(
      `CREATE TABLE "maintenance_labour" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "ticket_id" uuid NOT NULL, "technician_id" uuid NOT NULL, "technician_name" character varying(200) NOT NULL, "started_at" TIMESTAMP WITH TIME ZONE NOT NULL, "ended_at" TIMESTAMP WITH TIME ZONE, "note" character varying(500), CONSTRAINT "ck_maintenance_labour_times" CHECK (ended_at IS NULL OR ended_at >= started_at), CONSTRAINT "pk_maintenance_labour" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_maintenance_labour_open" ON "maintenance_labour"  ("ticket_id", "technician_id") WHERE ended_at IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_maintenance_labour_ticket" ON "maintenance_labour"  ("ticket_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "maintenance_part" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "ticket_id" uuid NOT NULL, "material_id" uuid NOT NULL, "required_qty" numeric(18,6) NOT NULL, "issued_qty" numeric(18,6) NOT NULL DEFAULT '0', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_maintenance_part_quantities" CHECK (required_qty > 0 AND issued_qty >= 0), CONSTRAINT "pk_maintenance_part" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_maintenance_part_ticket_material" ON "maintenance_part"  ("ticket_id", "material_id") `,
    );
    await queryRunner.query(
      `ALTER TABLE "inventory_reservation" ADD "demand" character varying(12) NOT NULL DEFAULT 'work_order'`,
    );
    await queryRunner.query(`ALTER TABLE "andon_call" ADD "machine_down" boolean NOT NULL DEFAULT false`);
    await queryRunner.query(`ALTER TABLE "andon_call" ADD "downtime_id" uuid`);
    await queryRunner.query(
      `CREATE INDEX "ix_operation_report_equipment_time" ON "operation_report"  ("equipment_id", "reported_at") WHERE equipment_id IS NOT NULL`,
    );
    await queryRunner.query(
      `ALTER TABLE "inventory_reservation" ADD CONSTRAINT "ck_inventory_reservation_demand" CHECK (demand IN ('work_order', 'maintenance'))`,
    );
    await queryRunner.query(
      `ALTER TABLE "maintenance_asset" ADD CONSTRAINT "fk_maintenance_asset_site" FOREIGN KEY ("site_id") REFERENCES "site"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "maintenance_asset" ADD CONSTRAINT "fk_maintenance_asset_equipment" FOREIGN KEY ("equipment_id") REFERENCES "equipment"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "maintenance_asset" ADD CONSTRAINT "fk_maintenance_asset_parent" FOREIGN KEY ("parent_id") REFERENCES "maintenance_asset"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "maintenance_meter" ADD CONSTRAINT "fk_maintenance_meter_asset" FOREIGN KEY ("asset_id") REFERENCES "maintenance_asset"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "maintenance_meter_reading" ADD CONSTRAINT "fk_maintenance_meter_reading_meter" FOREIGN KEY ("meter_id") REFERENCES "maintenance_meter"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "pm_plan" ADD CONSTRAINT "fk_pm_plan_asset" FOREIGN KEY ("asset_id") REFERENCES "maintenance_asset"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "pm_plan" ADD CONSTRAINT "fk_pm_plan_meter" FOREIGN KEY ("meter_id") REFERENCES "maintenance_meter"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "maintenance_ticket" ADD CONSTRAINT "fk_maintenance_ticket_site" FOREIGN KEY ("site_id") REFERENCES "site"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "maintenance_ticket" ADD CONSTRAINT "fk_maintenance_ticket_asset" FOREIGN KEY ("asset_id") REFERENCES "maintenance_asset"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "maintenance_ticket" ADD CONSTRAINT "fk_maintenance_ticket_pm_plan" FOREIGN KEY ("pm_plan_id") REFERENCES "pm_plan"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "maintenance_labour" ADD CONSTRAINT "fk_maintenance_labour_ticket" FOREIGN KEY ("ticket_id") REFERENCES "maintenance_ticket"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "maintenance_part" ADD CONSTRAINT "fk_maintenance_part_ticket" FOREIGN KEY ("ticket_id") REFERENCES "maintenance_ticket"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "maintenance_part" ADD CONSTRAINT "fk_maintenance_part_material" FOREIGN KEY ("material_id") REFERENCES "material"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "maintenance_part" DROP CONSTRAINT "fk_maintenance_part_material"`);
    await queryRunner.query(`ALTER TABLE "maintenance_part" DROP CONSTRAINT "fk_maintenance_part_ticket"`);
    await queryRunner.query(
      `ALTER TABLE "maintenance_labour" DROP CONSTRAINT "fk_maintenance_labour_ticket"`,
    );
    await queryRunner.query(
      `ALTER TABLE "maintenance_ticket" DROP CONSTRAINT "fk_maintenance_ticket_pm_plan"`,
    );
    await queryRunner.query(`ALTER TABLE "maintenance_ticket" DROP CONSTRAINT "fk_maintenance_ticket_asset"`);
    await queryRunner.query(`ALTER TABLE "maintenance_ticket" DROP CONSTRAINT "fk_maintenance_ticket_site"`);
    await queryRunner.query(`ALTER TABLE "pm_plan" DROP CONSTRAINT "fk_pm_plan_meter"`);
    await queryRunner.query(`ALTER TABLE "pm_plan" DROP CONSTRAINT "fk_pm_plan_asset"`);
    await queryRunner.query(
      `ALTER TABLE "maintenance_meter_reading" DROP CONSTRAINT "fk_maintenance_meter_reading_meter"`,
    );
    await queryRunner.query(`ALTER TABLE "maintenance_meter" DROP CONSTRAINT "fk_maintenance_meter_asset"`);
    await queryRunner.query(`ALTER TABLE "maintenance_asset" DROP CONSTRAINT "fk_maintenance_asset_parent"`);
    await queryRunner.query(
      `ALTER TABLE "maintenance_asset" DROP CONSTRAINT "fk_maintenance_asset_equipment"`,
    );
    await queryRunner.query(`ALTER TABLE "maintenance_asset" DROP CONSTRAINT "fk_maintenance_asset_site"`);
    await queryRunner.query(
      `ALTER TABLE "inventory_reservation" DROP CONSTRAINT "ck_inventory_reservation_demand"`,
    );
    await queryRunner.query(`DROP INDEX "public"."ix_operation_report_equipment_time"`);
    await queryRunner.query(`ALTER TABLE "andon_call" DROP COLUMN "downtime_id"`);
    await queryRunner.query(`ALTER TABLE "andon_call" DROP COLUMN "machine_down"`);
    await queryRunner.query(`ALTER TABLE "inventory_reservation" DROP COLUMN "demand"`);
    await queryRunner.query(`DROP INDEX "public"."ux_maintenance_part_ticket_material"`);
    await queryRunner.query(`DROP TABLE "maintenance_part"`);
    await queryRunner.query(`DROP INDEX "public"."ix_maintenance_labour_ticket"`);
    await queryRunner.query(`DROP INDEX "public"."ux_maintenance_labour_open"`);
    await queryRunner.query(`DROP TABLE "maintenance_labour"`);
    await queryRunner.query(`DROP INDEX "public"."ux_maintenance_ticket_site_code"`);
    await queryRunner.query(`DROP INDEX "public"."ix_maintenance_ticket_site_status"`);
    await queryRunner.query(`DROP INDEX "public"."ix_maintenance_ticket_equipment"`);
    await queryRunner.query(`DROP INDEX "public"."ix_maintenance_ticket_assignee"`);
    await queryRunner.query(`DROP INDEX "public"."ux_maintenance_ticket_plan_due"`);
    await queryRunner.query(`DROP INDEX "public"."ux_maintenance_ticket_plan_open"`);
    await queryRunner.query(`DROP INDEX "public"."ux_maintenance_ticket_andon"`);
    await queryRunner.query(`DROP TABLE "maintenance_ticket"`);
    await queryRunner.query(`DROP INDEX "public"."ux_pm_plan_site_code"`);
    await queryRunner.query(`DROP INDEX "public"."ix_pm_plan_asset"`);
    await queryRunner.query(`DROP TABLE "pm_plan"`);
    await queryRunner.query(`DROP INDEX "public"."ix_maintenance_meter_reading_meter"`);
    await queryRunner.query(`DROP TABLE "maintenance_meter_reading"`);
    await queryRunner.query(`DROP INDEX "public"."ux_maintenance_meter_asset_code"`);
    await queryRunner.query(`DROP TABLE "maintenance_meter"`);
    await queryRunner.query(`DROP INDEX "public"."ux_maintenance_asset_site_code"`);
    await queryRunner.query(`DROP INDEX "public"."ux_maintenance_asset_equipment"`);
    await queryRunner.query(`DROP INDEX "public"."ix_maintenance_asset_parent"`);
    await queryRunner.query(`DROP TABLE "maintenance_asset"`);
  }
}
