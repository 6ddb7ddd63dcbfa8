import type { MigrationInterface, QueryRunner } from 'typeorm';

export class MachineData1795344615809 implements MigrationInterface {
  name = 'MachineData1795344615809';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "machine_config" ("equipment_id" uuid NOT NULL, "site_id" uuid NOT NULL, "count_mode" character varying(12) NOT NULL DEFAULT 'cross_check', "tolerance_pct" numeric(6,2) NOT NULL DEFAULT '0', "tolerance_qty" numeric(18,6) NOT NULL DEFAULT '0', "scrap_reason_code" character varying(64), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "version" integer NOT NULL DEFAULT '1', CONSTRAINT "ck_machine_config_tolerance" CHECK (tolerance_pct >= 0 AND tolerance_qty >= 0), CONSTRAINT "ck_machine_config_count_mode" CHECK (count_mode IN ('authority', 'cross_check', 'off')), CONSTRAINT "pk_machine_config" PRIMARY KEY ("equipment_id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "machine_tag" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "site_id" uuid NOT NULL, "equipment_id" uuid NOT NULL, "source" character varying(300) NOT NULL, "metric" character varying(100) NOT NULL, "role" character varying(16) NOT NULL, "parameter_name" character varying(100), "unit" character varying(32), "min_value" numeric(24,9), "max_value" numeric(24,9), "state_map" jsonb, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_machine_tag_limits" CHECK (min_value IS NULL OR max_value IS NULL OR min_value <= max_value), CONSTRAINT "ck_machine_tag_parameter" CHECK ((role = 'parameter') = (parameter_name IS NOT NULL)), CONSTRAINT "ck_machine_tag_role" CHECK (role IN ('state', 'good_count', 'scrap_count', 'cycle_time', 'parameter')), CONSTRAINT "pk_machine_tag" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_machine_tag_equipment_parameter" ON "machine_tag"  ("equipment_id", "parameter_name") WHERE role = 'parameter'`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_machine_tag_equipment_role" ON "machine_tag"  ("equipment_id", "role") WHERE role <> 'parameter'`,
    );
    await queryRunner.query(`CREATE INDEX "ix_machine_tag_equipment" ON "machine_tag"  ("equipment_id") `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_machine_tag_source_metric" ON "machine_tag"  ("source", "metric") `,
    );
    await queryRunner.query(
      `CREATE TABLE "machine_tag_state" ("tag_id" uuid NOT NULL, "last_ts" TIMESTAMP WITH TIME ZONE NOT NULL, "last_value" double precision, "last_text" character varying(200), "counter_value" double precision, "counter_ts" TIMESTAMP WITH TIME ZONE, "alarm_since" TIMESTAMP WITH TIME ZONE, CONSTRAINT "pk_machine_tag_state" PRIMARY KEY ("tag_id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "machine_live_state" ("equipment_id" uuid NOT NULL, "site_id" uuid NOT NULL, "state" character varying(16), "state_since" TIMESTAMP WITH TIME ZONE, "state_ts" TIMESTAMP WITH TIME ZONE, "connection" character varying(8) NOT NULL DEFAULT 'unknown', "connection_since" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "last_seen_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "ck_machine_live_state_connection" CHECK (connection IN ('online', 'offline', 'unknown')), CONSTRAINT "pk_machine_live_state" PRIMARY KEY ("equipment_id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "machine_tag_value" ("tag_id" uuid NOT NULL, "ts" TIMESTAMP WITH TIME ZONE NOT NULL, "value" double precision, "text" character varying(200), "received_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "pk_machine_tag_value" PRIMARY KEY ("tag_id", "ts"))`,
    );
    // Range scans by time (retention) and by arrival (rollups) on an append-only table: BRIN stays tiny.
    await queryRunner.query(
      `CREATE INDEX "bx_machine_tag_value_ts" ON "machine_tag_value" USING brin ("ts") WITH (pages_per_range = 32)`,
    );
    await queryRunner.query(
      `CREATE INDEX "bx_machine_tag_value_received" ON "machine_tag_value" USING brin ("received_at") WITH (pages_per_range = 32)`,
    );
    await queryRunner.query(
      `CREATE TABLE "machine_tag_rollup" ("tag_id" uuid NOT NULL, "grain" character varying(8) NOT NULL, "bucket" TIMESTAMP WITH TIME ZONE NOT NULL, "n" integer NOT NULL, "min" double precision NOT NULL, "max" double precision NOT NULL, "sum" double precision NOT NULL, "first" double precision NOT NULL, "last" double precision NOT NULL, CONSTRAINT "ck_machine_tag_rollup_grain" CHECK (grain IN ('minute', 'hour')), CONSTRAINT "pk_machine_tag_rollup" PRIMARY KEY ("tag_id", "grain", "bucket"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "machine_rollup_cursor" ("name" character varying(32) NOT NULL, "done_until" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "pk_machine_rollup_cursor" PRIMARY KEY ("name"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "machine_unknown_tag" ("source" character varying(300) NOT NULL, "metric" character varying(100) NOT NULL, "site_code" character varying(100), "messages" bigint NOT NULL DEFAULT '0', "first_seen_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "last_seen_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "last_value" character varying(200), CONSTRAINT "pk_machine_unknown_tag" PRIMARY KEY ("source", "metric"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "machine_rejected_message" ("id" BIGSERIAL NOT NULL, "topic" character varying(500) NOT NULL, "reason" character varying(500) NOT NULL, "payload" character varying(500) NOT NULL, "received_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "pk_machine_rejected_message" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_machine_rejected_message_time" ON "machine_rejected_message"  ("received_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "machine_operation_count" ("operation_id" uuid NOT NULL, "equipment_id" uuid NOT NULL, "site_id" uuid NOT NULL, "good_qty" numeric(18,6) NOT NULL DEFAULT '0', "scrap_qty" numeric(18,6) NOT NULL DEFAULT '0', "reported_good_qty" numeric(18,6) NOT NULL DEFAULT '0', "reported_scrap_qty" numeric(18,6) NOT NULL DEFAULT '0', "last_count_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "discrepancy_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "ck_machine_operation_count_quantities" CHECK (good_qty >= 0 AND scrap_qty >= 0), CONSTRAINT "pk_machine_operation_count" PRIMARY KEY ("operation_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_machine_operation_count_equipment" ON "machine_operation_count"  ("equipment_id") `,
    );
    await queryRunner.query(
      `ALTER TABLE "operation_report" ADD "source" character varying(12) NOT NULL DEFAULT 'terminal'`,
    );
    await queryRunner.query(
      `ALTER TABLE "downtime_event" ADD "source" character varying(12) NOT NULL DEFAULT 'operator'`,
    );
    await queryRunner.query(`ALTER TABLE "downtime_event" ADD "machine_state" character varying(16)`);
    await queryRunner.query(`ALTER TABLE "downtime_event" ADD "classified_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "downtime_event" ADD "classified_by" uuid`);
    await queryRunner.query(`ALTER TABLE "operation_report" ALTER COLUMN "operator_id" DROP NOT NULL`);
    await queryRunner.query(`ALTER TABLE "downtime_event" DROP CONSTRAINT "fk_downtime_event_reason_code"`);
    await queryRunner.query(`ALTER TABLE "downtime_event" ALTER COLUMN "reason_code_id" DROP NOT NULL`);
    await queryRunner.query(`ALTER TABLE "downtime_event" ALTER COLUMN "started_by" DROP NOT NULL`);
    await queryRunner.query(
      `ALTER TABLE "operation_report" ADD CONSTRAINT "ck_operation_report_operator" CHECK (source = 'machine' OR operator_id IS NOT NULL)`,
    );
    await queryRunner.query(
      `ALTER TABLE "operation_report" ADD CONSTRAINT "ck_operation_report_source" CHECK (source IN ('terminal', 'machine'))`,
    );
    await queryRunner.query(
      `ALTER TABLE "downtime_event" ADD CONSTRAINT "ck_downtime_event_classified" CHECK (source = 'machine' OR (reason_code_id IS NOT NULL AND started_by IS NOT NULL))`,
    );
    await queryRunner.query(
      `ALTER TABLE "downtime_event" ADD CONSTRAINT "ck_downtime_event_source" CHECK (source IN ('operator', 'machine'))`,
    );
    await queryRunner.query(
      `ALTER TABLE "downtime_event" ADD CONSTRAINT "fk_downtime_event_reason_code" FOREIGN KEY ("reason_code_id") REFERENCES "reason_code"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "machine_config" ADD CONSTRAINT "fk_machine_config_equipment" FOREIGN KEY ("equipment_id") REFERENCES "equipment"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "machine_tag" ADD CONSTRAINT "fk_machine_tag_machine" FOREIGN KEY ("equipment_id") REFERENCES "machine_config"("equipment_id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "machine_tag_state" ADD CONSTRAINT "fk_machine_tag_state_tag" FOREIGN KEY ("tag_id") REFERENCES "machine_tag"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "machine_live_state" ADD CONSTRAINT "fk_machine_live_state_machine" FOREIGN KEY ("equipment_id") REFERENCES "machine_config"("equipment_id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "machine_operation_count" ADD CONSTRAINT "fk_machine_operation_count_operation" FOREIGN KEY ("operation_id") REFERENCES "work_order_operation"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(`ALTER TABLE "maintenance_meter" DROP CONSTRAINT "ck_maintenance_meter_feed"`);
    await queryRunner.query(
      `ALTER TABLE "maintenance_meter" ADD CONSTRAINT "ck_maintenance_meter_feed" CHECK (feed IN ('manual', 'reported_quantity', 'running_time', 'machine_count', 'machine_run_time'))`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "maintenance_meter" DROP CONSTRAINT "ck_maintenance_meter_feed"`);
    await queryRunner.query(
      `ALTER TABLE "maintenance_meter" ADD CONSTRAINT "ck_maintenance_meter_feed" CHECK (feed IN ('manual', 'reported_quantity', 'running_time'))`,
    );
    await queryRunner.query(
      `ALTER TABLE "machine_operation_count" DROP CONSTRAINT "fk_machine_operation_count_operation"`,
    );
    await queryRunner.query(
      `ALTER TABLE "machine_live_state" DROP CONSTRAINT "fk_machine_live_state_machine"`,
    );
    await queryRunner.query(`ALTER TABLE "machine_tag_state" DROP CONSTRAINT "fk_machine_tag_state_tag"`);
    await queryRunner.query(`ALTER TABLE "machine_tag" DROP CONSTRAINT "fk_machine_tag_machine"`);
    await queryRunner.query(`ALTER TABLE "machine_config" DROP CONSTRAINT "fk_machine_config_equipment"`);
    await queryRunner.query(`ALTER TABLE "downtime_event" DROP CONSTRAINT "fk_downtime_event_reason_code"`);
    await queryRunner.query(`ALTER TABLE "downtime_event" DROP CONSTRAINT "ck_downtime_event_source"`);
    await queryRunner.query(`ALTER TABLE "downtime_event" DROP CONSTRAINT "ck_downtime_event_classified"`);
    await queryRunner.query(`ALTER TABLE "operation_report" DROP CONSTRAINT "ck_operation_report_source"`);
    await queryRunner.query(`ALTER TABLE "operation_report" DROP CONSTRAINT "ck_operation_report_operator"`);
    await queryRunner.query(`ALTER TABLE "downtime_event" ALTER COLUMN "started_by" SET NOT NULL`);
    await queryRunner.query(`ALTER TABLE "downtime_event" ALTER COLUMN "reason_code_id" SET NOT NULL`);
    await queryRunner.query(
      `ALTER TABLE "downtime_event" ADD CONSTRAINT "fk_downtime_event_reason_code" FOREIGN KEY ("reason_code_id") REFERENCES "reason_code"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(`ALTER TABLE "operation_report" ALTER COLUMN "operator_id" SET NOT NULL`);
    await queryRunner.query(`ALTER TABLE "downtime_event" DROP COLUMN "classified_by"`);
    await queryRunner.query(`ALTER TABLE "downtime_event" DROP COLUMN "classified_at"`);
    await queryRunner.query(`ALTER TABLE "downtime_event" DROP COLUMN "machine_state"`);
    await queryRunner.query(`ALTER TABLE "downtime_event" DROP COLUMN "source"`);
    await queryRunner.query(`ALTER TABLE "operation_report" DROP COLUMN "source"`);
    await queryRunner.query(`DROP INDEX "public"."ix_machine_operation_count_equipment"`);
    await queryRunner.query(`DROP TABLE "machine_operation_count"`);
    await queryRunner.query(`DROP INDEX "public"."ix_machine_rejected_message_time"`);
    await queryRunner.query(`DROP TABLE "machine_rejected_message"`);
    await queryRunner.query(`DROP TABLE "machine_unknown_tag"`);
    await queryRunner.query(`DROP TABLE "machine_rollup_cursor"`);
    await queryRunner.query(`DROP TABLE "machine_tag_rollup"`);
    await queryRunner.query(`DROP INDEX "bx_machine_tag_value_received"`);
    await queryRunner.query(`DROP INDEX "bx_machine_tag_value_ts"`);
    await queryRunner.query(`DROP TABLE "machine_tag_value"`);
    await queryRunner.query(`DROP TABLE "machine_live_state"`);
    await queryRunner.query(`DROP TABLE "machine_tag_state"`);
    await queryRunner.query(`DROP INDEX "public"."ux_machine_tag_source_metric"`);
    await queryRunner.query(`DROP INDEX "public"."ix_machine_tag_equipment"`);
    await queryRunner.query(`DROP INDEX "public"."ux_machine_tag_equipment_role"`);
    await queryRunner.query(`DROP INDEX "public"."ux_machine_tag_equipment_parameter"`);
    await queryRunner.query(`DROP TABLE "machine_tag"`);
    await queryRunner.query(`DROP TABLE "machine_config"`);
  }
}
