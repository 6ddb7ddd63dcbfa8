import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ProductionExecution1795278335579 implements MigrationInterface {
  name = 'ProductionExecution1795278335579';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "lot" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "site_id" uuid NOT NULL, "code" character varying(64) NOT NULL, "material_id" uuid NOT NULL, "unit_id" uuid NOT NULL, "status" character varying(12) NOT NULL, "status_reason" character varying(500), "origin" character varying(12) NOT NULL, "initial_qty" numeric(18,6) NOT NULL, "work_order_id" uuid, "supplier_id" uuid, "supplier_lot" character varying(64), "expiry_date" date, "received_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "version" integer NOT NULL DEFAULT '1', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_lot_initial_qty" CHECK (initial_qty > 0), CONSTRAINT "ck_lot_origin" CHECK (origin IN ('receipt', 'production')), CONSTRAINT "ck_lot_status" CHECK (status IN ('quarantine', 'available', 'hold', 'rejected', 'consumed', 'expired')), CONSTRAINT "pk_lot" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_lot_work_order" ON "lot"  ("work_order_id") WHERE work_order_id IS NOT NULL`,
    );
    await queryRunner.query(`CREATE INDEX "ix_lot_material_status" ON "lot"  ("material_id", "status") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "ux_lot_site_code" ON "lot"  ("site_id", "code") `);
    await queryRunner.query(
      `CREATE TABLE "inventory_movement" ("id" BIGSERIAL NOT NULL, "site_id" uuid NOT NULL, "movement_type" character varying(20) NOT NULL, "lot_id" uuid NOT NULL, "material_id" uuid NOT NULL, "quantity" numeric(18,6) NOT NULL, "from_location_id" uuid, "to_location_id" uuid, "work_order_id" uuid, "operation_id" uuid, "reference" character varying(200), "actor_type" character varying(16) NOT NULL, "actor_id" character varying(100) NOT NULL, "actor_name" character varying(200) NOT NULL, "correlation_id" character varying(100) NOT NULL, "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT clock_timestamp(), CONSTRAINT "ck_inventory_movement_locations" CHECK (from_location_id IS NOT NULL OR to_location_id IS NOT NULL), CONSTRAINT "ck_inventory_movement_quantity" CHECK (quantity > 0), CONSTRAINT "ck_inventory_movement_type" CHECK (movement_type IN ('receipt', 'production_receipt', 'issue', 'transfer', 'return', 'scrap', 'adjustment')), CONSTRAINT "pk_inventory_movement" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_inventory_movement_work_order" ON "inventory_movement"  ("work_order_id") WHERE work_order_id IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_inventory_movement_site_time" ON "inventory_movement"  ("site_id", "occurred_at") `,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_inventory_movement_lot" ON "inventory_movement"  ("lot_id", "occurred_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "document_sequence" ("site_id" uuid NOT NULL, "scope" character varying(240) NOT NULL, "last_value" integer NOT NULL, CONSTRAINT "pk_document_sequence" PRIMARY KEY ("site_id", "scope"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "stock_balance" ("lot_id" uuid NOT NULL, "location_id" uuid NOT NULL, "site_id" uuid NOT NULL, "material_id" uuid NOT NULL, "quantity" numeric(18,6) NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_stock_balance_quantity" CHECK (quantity >= 0), CONSTRAINT "pk_stock_balance" PRIMARY KEY ("lot_id", "location_id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_stock_balance_location" ON "stock_balance"  ("location_id") `);
    await queryRunner.query(
      `CREATE INDEX "ix_stock_balance_site_material" ON "stock_balance"  ("site_id", "material_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "work_order" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "site_id" uuid NOT NULL, "code" character varying(64) NOT NULL, "material_id" uuid NOT NULL, "unit_id" uuid NOT NULL, "quantity" numeric(18,6) NOT NULL, "good_qty" numeric(18,6) NOT NULL DEFAULT '0', "scrap_qty" numeric(18,6) NOT NULL DEFAULT '0', "due_at" TIMESTAMP WITH TIME ZONE NOT NULL, "planned_start" TIMESTAMP WITH TIME ZONE, "planned_end" TIMESTAMP WITH TIME ZONE, "priority" character varying(8) NOT NULL DEFAULT 'normal', "status" character varying(12) NOT NULL, "held_from" character varying(12), "hold_reason" character varying(500), "source" character varying(8) NOT NULL DEFAULT 'manual', "erp_order_id" character varying(64), "erp_segment_id" character varying(64), "bom_id" uuid, "bom_revision" integer, "routing_id" uuid NOT NULL, "routing_revision" integer NOT NULL, "line_id" uuid NOT NULL, "released_with_shortage" boolean NOT NULL DEFAULT false, "released_at" TIMESTAMP WITH TIME ZONE, "started_at" TIMESTAMP WITH TIME ZONE, "completed_at" TIMESTAMP WITH TIME ZONE, "closed_at" TIMESTAMP WITH TIME ZONE, "cancelled_at" TIMESTAMP WITH TIME ZONE, "notes" text, "version" integer NOT NULL DEFAULT '1', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_work_order_quantities" CHECK (quantity > 0 AND good_qty >= 0 AND scrap_qty >= 0), CONSTRAINT "ck_work_order_source" CHECK (source IN ('manual', 'erp')), CONSTRAINT "ck_work_order_priority" CHECK (priority IN ('normal', 'rush')), CONSTRAINT "ck_work_order_held_from" CHECK (held_from IS NULL OR held_from IN ('draft', 'planned', 'released', 'kitting', 'ready', 'running', 'held', 'completed', 'closed', 'cancelled')), CONSTRAINT "ck_work_order_status" CHECK (status IN ('draft', 'planned', 'released', 'kitting', 'ready', 'running', 'held', 'completed', 'closed', 'cancelled')), CONSTRAINT "pk_work_order" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_work_order_material" ON "work_order"  ("material_id") `);
    await queryRunner.query(
      `CREATE INDEX "ix_work_order_site_status_due" ON "work_order"  ("site_id", "status", "due_at") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_work_order_erp" ON "work_order"  ("site_id", "erp_order_id", "erp_segment_id") WHERE erp_order_id IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_work_order_site_code" ON "work_order"  ("site_id", "code") `,
    );
    await queryRunner.query(
      `CREATE TABLE "work_order_material" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "work_order_id" uuid NOT NULL, "line_no" integer NOT NULL, "material_id" uuid NOT NULL, "unit_id" uuid NOT NULL, "required_qty" numeric(18,6) NOT NULL, "issued_qty" numeric(18,6) NOT NULL DEFAULT '0', "operation_seq" integer, "issue_method" character varying(10) NOT NULL, "short_qty_at_release" numeric(18,6), CONSTRAINT "ck_work_order_material_issue_method" CHECK (issue_method IN ('manual', 'backflush')), CONSTRAINT "ck_work_order_material_quantities" CHECK (required_qty > 0 AND issued_qty >= 0), CONSTRAINT "pk_work_order_material" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_work_order_material_material" ON "work_order_material"  ("material_id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_work_order_material_line" ON "work_order_material"  ("work_order_id", "line_no") `,
    );
    await queryRunner.query(
      `CREATE TABLE "work_order_operation" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "work_order_id" uuid NOT NULL, "site_id" uuid NOT NULL, "seq" integer NOT NULL, "name" character varying(200) NOT NULL, "name_zh" character varying(200), "work_center_id" uuid NOT NULL, "predecessor_id" uuid, "status" character varying(12) NOT NULL, "planned_qty" numeric(18,6) NOT NULL, "max_qty" numeric(18,6) NOT NULL, "good_qty" numeric(18,6) NOT NULL DEFAULT '0', "scrap_qty" numeric(18,6) NOT NULL DEFAULT '0', "min_transfer_qty" numeric(18,6), "instructions" text, "parameters" jsonb NOT NULL DEFAULT '[]', "attachments" jsonb NOT NULL DEFAULT '[]', "inspection_point" boolean NOT NULL DEFAULT false, "equipment_options" jsonb NOT NULL DEFAULT '[]', "equipment_id" uuid, "scheduled_equipment_id" uuid, "scheduled_start" TIMESTAMP WITH TIME ZONE, "scheduled_end" TIMESTAMP WITH TIME ZONE, "started_at" TIMESTAMP WITH TIME ZONE, "completed_at" TIMESTAMP WITH TIME ZONE, "last_report_at" TIMESTAMP WITH TIME ZONE, "version" integer NOT NULL DEFAULT '1', CONSTRAINT "ck_work_order_operation_quantities" CHECK (planned_qty > 0 AND good_qty >= 0 AND scrap_qty >= 0 AND good_qty + scrap_qty <= max_qty), CONSTRAINT "ck_work_order_operation_status" CHECK (status IN ('waiting', 'ready', 'running', 'paused', 'completed')), CONSTRAINT "pk_work_order_operation" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_work_order_operation_site_status" ON "work_order_operation"  ("site_id", "status") `,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_work_order_operation_work_center_status" ON "work_order_operation"  ("work_center_id", "status") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_work_order_operation_seq" ON "work_order_operation"  ("work_order_id", "seq") `,
    );
    await queryRunner.query(
      `CREATE TABLE "operation_labor" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "operation_id" uuid NOT NULL, "operator_id" uuid NOT NULL, "operator_name" character varying(200) NOT NULL, "terminal_id" uuid, "started_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "ended_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "ck_operation_labor_times" CHECK (ended_at IS NULL OR ended_at >= started_at), CONSTRAINT "pk_operation_labor" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_operation_labor_operation" ON "operation_labor"  ("operation_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_operation_labor_operator_open" ON "operation_labor"  ("operator_id") WHERE ended_at IS NULL`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_operation_labor_open" ON "operation_labor"  ("operation_id", "operator_id") WHERE ended_at IS NULL`,
    );
    await queryRunner.query(
      `CREATE TABLE "operation_pause" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "operation_id" uuid NOT NULL, "reason_code_id" uuid NOT NULL, "note" character varying(500), "started_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "ended_at" TIMESTAMP WITH TIME ZONE, "paused_by" uuid NOT NULL, CONSTRAINT "ck_operation_pause_times" CHECK (ended_at IS NULL OR ended_at >= started_at), CONSTRAINT "pk_operation_pause" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_operation_pause_open" ON "operation_pause"  ("operation_id") WHERE ended_at IS NULL`,
    );
    await queryRunner.query(
      `CREATE TABLE "operation_report" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "operation_id" uuid NOT NULL, "work_order_id" uuid NOT NULL, "site_id" uuid NOT NULL, "good_qty" numeric(18,6) NOT NULL, "scrap_qty" numeric(18,6) NOT NULL, "scrap_reason_code_id" uuid, "equipment_id" uuid, "operator_id" uuid NOT NULL, "terminal_id" uuid, "reported_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_operation_report_scrap_reason" CHECK (scrap_qty = 0 OR scrap_reason_code_id IS NOT NULL), CONSTRAINT "ck_operation_report_quantities" CHECK (good_qty >= 0 AND scrap_qty >= 0 AND good_qty + scrap_qty > 0), CONSTRAINT "pk_operation_report" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_operation_report_site_time" ON "operation_report"  ("site_id", "reported_at") `,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_operation_report_operation" ON "operation_report"  ("operation_id", "reported_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "material_consumption" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "site_id" uuid NOT NULL, "work_order_id" uuid NOT NULL, "operation_id" uuid NOT NULL, "requirement_id" uuid, "material_id" uuid NOT NULL, "lot_id" uuid NOT NULL, "lot_code" character varying(64) NOT NULL, "location_id" uuid NOT NULL, "quantity" numeric(18,6) NOT NULL, "method" character varying(10) NOT NULL, "operator_id" uuid, "consumed_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_material_consumption_method" CHECK (method IN ('scan', 'backflush')), CONSTRAINT "ck_material_consumption_quantity" CHECK (quantity > 0), CONSTRAINT "pk_material_consumption" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_material_consumption_lot" ON "material_consumption"  ("lot_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_material_consumption_work_order" ON "material_consumption"  ("work_order_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_material_consumption_operation" ON "material_consumption"  ("operation_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "production_settings" ("site_id" uuid NOT NULL, "over_report_tolerance" numeric(7,6) NOT NULL DEFAULT '0', "allow_multiple_operators" boolean NOT NULL DEFAULT true, "allow_concurrent_operations" boolean NOT NULL DEFAULT false, "backflush_strategy" character varying(4) NOT NULL DEFAULT 'fifo', "default_lot_code_pattern" character varying(64) NOT NULL DEFAULT '{MAT}-{YYMMDD}-{SEQ:3}', "version" integer NOT NULL DEFAULT '1', "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_production_settings_backflush" CHECK (backflush_strategy IN ('fifo', 'fefo')), CONSTRAINT "ck_production_settings_tolerance" CHECK (over_report_tolerance >= 0 AND over_report_tolerance <= 1), CONSTRAINT "pk_production_settings" PRIMARY KEY ("site_id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "process_reading" ("id" BIGSERIAL NOT NULL, "site_id" uuid NOT NULL, "operation_id" uuid NOT NULL, "work_order_id" uuid NOT NULL, "equipment_id" uuid, "operator_id" uuid, "name" character varying(100) NOT NULL, "value" numeric(24,9) NOT NULL, "unit" character varying(32), "min_value" numeric(24,9), "max_value" numeric(24,9), "in_range" boolean NOT NULL, "recorded_at" TIMESTAMP WITH TIME ZONE NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "pk_process_reading" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_process_reading_equipment" ON "process_reading"  ("equipment_id", "recorded_at") WHERE equipment_id IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_process_reading_operation" ON "process_reading"  ("operation_id", "recorded_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "downtime_event" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "site_id" uuid NOT NULL, "equipment_id" uuid NOT NULL, "work_center_id" uuid NOT NULL, "reason_code_id" uuid NOT NULL, "category" character varying(24) NOT NULL, "note" character varying(500), "previous_equipment_status" character varying(16) NOT NULL, "started_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "started_by" uuid NOT NULL, "ended_at" TIMESTAMP WITH TIME ZONE, "ended_by" uuid, CONSTRAINT "ck_downtime_event_times" CHECK (ended_at IS NULL OR ended_at >= started_at), CONSTRAINT "pk_downtime_event" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_downtime_event_site_time" ON "downtime_event"  ("site_id", "started_at") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_downtime_event_open" ON "downtime_event"  ("equipment_id") WHERE ended_at IS NULL`,
    );
    await queryRunner.query(
      `CREATE TABLE "andon_call" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "site_id" uuid NOT NULL, "kind" character varying(12) NOT NULL, "state" character varying(12) NOT NULL, "work_center_id" uuid NOT NULL, "line_id" uuid NOT NULL, "equipment_id" uuid, "operation_id" uuid, "work_order_id" uuid, "message" character varying(500), "raised_by" uuid NOT NULL, "raised_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "acknowledged_by" uuid, "acknowledged_at" TIMESTAMP WITH TIME ZONE, "resolved_by" uuid, "resolved_at" TIMESTAMP WITH TIME ZONE, "resolution" character varying(500), CONSTRAINT "ck_andon_call_state" CHECK (state IN ('raised', 'acknowledged', 'resolved')), CONSTRAINT "ck_andon_call_kind" CHECK (kind IN ('material', 'quality', 'maintenance', 'help')), CONSTRAINT "pk_andon_call" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_andon_call_work_center" ON "andon_call"  ("work_center_id", "raised_at") `,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_andon_call_site_state" ON "andon_call"  ("site_id", "state", "raised_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "idempotency_key" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "scope" character varying(120) NOT NULL, "key" character varying(200) NOT NULL, "request_hash" character(64) NOT NULL, "method" character varying(8) NOT NULL, "path" character varying(500) NOT NULL, "state" character varying(12) NOT NULL, "locked_until" TIMESTAMP WITH TIME ZONE NOT NULL, "response_status" integer, "response_body" json, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "completed_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "ck_idempotency_key_state" CHECK (state IN ('in_progress', 'completed')), CONSTRAINT "pk_idempotency_key" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_idempotency_key_created_at" ON "idempotency_key"  ("created_at") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_idempotency_key_scope_key" ON "idempotency_key"  ("scope", "key") `,
    );
    await queryRunner.query(`ALTER TABLE "material" ADD "lot_code_pattern" character varying(64)`);
    await queryRunner.query(
      `ALTER TABLE "lot" ADD CONSTRAINT "fk_lot_site" FOREIGN KEY ("site_id") REFERENCES "site"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "lot" ADD CONSTRAINT "fk_lot_material" FOREIGN KEY ("material_id") REFERENCES "material"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "lot" ADD CONSTRAINT "fk_lot_unit" FOREIGN KEY ("unit_id") REFERENCES "unit_of_measure"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "lot" ADD CONSTRAINT "fk_lot_supplier" FOREIGN KEY ("supplier_id") REFERENCES "partner"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "inventory_movement" ADD CONSTRAINT "fk_inventory_movement_lot" FOREIGN KEY ("lot_id") REFERENCES "lot"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "stock_balance" ADD CONSTRAINT "fk_stock_balance_lot" FOREIGN KEY ("lot_id") REFERENCES "lot"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "stock_balance" ADD CONSTRAINT "fk_stock_balance_location" FOREIGN KEY ("location_id") REFERENCES "storage_location"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "stock_balance" ADD CONSTRAINT "fk_stock_balance_material" FOREIGN KEY ("material_id") REFERENCES "material"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "work_order" ADD CONSTRAINT "fk_work_order_site" FOREIGN KEY ("site_id") REFERENCES "site"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "work_order" ADD CONSTRAINT "fk_work_order_material" FOREIGN KEY ("material_id") REFERENCES "material"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "work_order" ADD CONSTRAINT "fk_work_order_unit" FOREIGN KEY ("unit_id") REFERENCES "unit_of_measure"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "work_order" ADD CONSTRAINT "fk_work_order_bom" FOREIGN KEY ("bom_id") REFERENCES "bom"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "work_order" ADD CONSTRAINT "fk_work_order_routing" FOREIGN KEY ("routing_id") REFERENCES "routing"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "work_order" ADD CONSTRAINT "fk_work_order_line" FOREIGN KEY ("line_id") REFERENCES "production_line"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "work_order_material" ADD CONSTRAINT "fk_work_order_material_work_order" FOREIGN KEY ("work_order_id") REFERENCES "work_order"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "work_order_material" ADD CONSTRAINT "fk_work_order_material_material" FOREIGN KEY ("material_id") REFERENCES "material"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "work_order_operation" ADD CONSTRAINT "fk_work_order_operation_work_order" FOREIGN KEY ("work_order_id") REFERENCES "work_order"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "work_order_operation" ADD CONSTRAINT "fk_work_order_operation_work_center" FOREIGN KEY ("work_center_id") REFERENCES "work_center"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "work_order_operation" ADD CONSTRAINT "fk_work_order_operation_equipment" FOREIGN KEY ("equipment_id") REFERENCES "equipment"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "operation_labor" ADD CONSTRAINT "fk_operation_labor_operation" FOREIGN KEY ("operation_id") REFERENCES "work_order_operation"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "operation_labor" ADD CONSTRAINT "fk_operation_labor_operator" FOREIGN KEY ("operator_id") REFERENCES "app_user"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "operation_pause" ADD CONSTRAINT "fk_operation_pause_operation" FOREIGN KEY ("operation_id") REFERENCES "work_order_operation"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "operation_pause" ADD CONSTRAINT "fk_operation_pause_reason_code" FOREIGN KEY ("reason_code_id") REFERENCES "reason_code"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "operation_report" ADD CONSTRAINT "fk_operation_report_operation" FOREIGN KEY ("operation_id") REFERENCES "work_order_operation"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "operation_report" ADD CONSTRAINT "fk_operation_report_scrap_reason" FOREIGN KEY ("scrap_reason_code_id") REFERENCES "reason_code"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "material_consumption" ADD CONSTRAINT "fk_material_consumption_work_order" FOREIGN KEY ("work_order_id") REFERENCES "work_order"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "material_consumption" ADD CONSTRAINT "fk_material_consumption_operation" FOREIGN KEY ("operation_id") REFERENCES "work_order_operation"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "material_consumption" ADD CONSTRAINT "fk_material_consumption_lot" FOREIGN KEY ("lot_id") REFERENCES "lot"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "production_settings" ADD CONSTRAINT "fk_production_settings_site" FOREIGN KEY ("site_id") REFERENCES "site"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "process_reading" ADD CONSTRAINT "fk_process_reading_operation" FOREIGN KEY ("operation_id") REFERENCES "work_order_operation"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "downtime_event" ADD CONSTRAINT "fk_downtime_event_equipment" FOREIGN KEY ("equipment_id") REFERENCES "equipment"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "downtime_event" ADD CONSTRAINT "fk_downtime_event_reason_code" FOREIGN KEY ("reason_code_id") REFERENCES "reason_code"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "andon_call" ADD CONSTRAINT "fk_andon_call_work_center" FOREIGN KEY ("work_center_id") REFERENCES "work_center"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    // The stock ledger is append-only, like the audit trail: corrections are new movements.
    await queryRunner.query(`CREATE FUNCTION inventory_movement_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'inventory_movement is append-only'; END $$`);
    await queryRunner.query(
      `CREATE TRIGGER "trg_inventory_movement_no_update_delete" BEFORE UPDATE OR DELETE ON "inventory_movement" FOR EACH ROW EXECUTE FUNCTION inventory_movement_refuse_change()`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "trg_inventory_movement_no_update_delete" ON "inventory_movement"`);
    await queryRunner.query(`DROP FUNCTION inventory_movement_refuse_change()`);
    await queryRunner.query(`ALTER TABLE "andon_call" DROP CONSTRAINT "fk_andon_call_work_center"`);
    await queryRunner.query(`ALTER TABLE "downtime_event" DROP CONSTRAINT "fk_downtime_event_reason_code"`);
    await queryRunner.query(`ALTER TABLE "downtime_event" DROP CONSTRAINT "fk_downtime_event_equipment"`);
    await queryRunner.query(`ALTER TABLE "process_reading" DROP CONSTRAINT "fk_process_reading_operation"`);
    await queryRunner.query(
      `ALTER TABLE "production_settings" DROP CONSTRAINT "fk_production_settings_site"`,
    );
    await queryRunner.query(
      `ALTER TABLE "material_consumption" DROP CONSTRAINT "fk_material_consumption_lot"`,
    );
    await queryRunner.query(
      `ALTER TABLE "material_consumption" DROP CONSTRAINT "fk_material_consumption_operation"`,
    );
    await queryRunner.query(
      `ALTER TABLE "material_consumption" DROP CONSTRAINT "fk_material_consumption_work_order"`,
    );
    await queryRunner.query(
      `ALTER TABLE "operation_report" DROP CONSTRAINT "fk_operation_report_scrap_reason"`,
    );
    await queryRunner.query(`ALTER TABLE "operation_report" DROP CONSTRAINT "fk_operation_report_operation"`);
    await queryRunner.query(`ALTER TABLE "operation_pause" DROP CONSTRAINT "fk_operation_pause_reason_code"`);
    await queryRunner.query(`ALTER TABLE "operation_pause" DROP CONSTRAINT "fk_operation_pause_operation"`);
    await queryRunner.query(`ALTER TABLE "operation_labor" DROP CONSTRAINT "fk_operation_labor_operator"`);
    await queryRunner.query(`ALTER TABLE "operation_labor" DROP CONSTRAINT "fk_operation_labor_operation"`);
    await queryRunner.query(
      `ALTER TABLE "work_order_operation" DROP CONSTRAINT "fk_work_order_operation_equipment"`,
    );
    await queryRunner.query(
      `ALTER TABLE "work_order_operation" DROP CONSTRAINT "fk_work_order_operation_work_center"`,
    );
    await queryRunner.query(
      `ALTER TABLE "work_order_operation" DROP CONSTRAINT "fk_work_order_operation_work_order"`,
    );
    await queryRunner.query(
      `ALTER TABLE "work_order_material" DROP CONSTRAINT "fk_work_order_material_material"`,
    );
    await queryRunner.query(
      `ALTER TABLE "work_order_material" DROP CONSTRAINT "fk_work_order_material_work_order"`,
    );
    await queryRunner.query(`ALTER TABLE "work_order" DROP CONSTRAINT "fk_work_order_line"`);
    await queryRunner.query(`ALTER TABLE "work_order" DROP CONSTRAINT "fk_work_order_routing"`);
    await queryRunner.query(`ALTER TABLE "work_order" DROP CONSTRAINT "fk_work_order_bom"`);
    await queryRunner.query(`ALTER TABLE "work_order" DROP CONSTRAINT "fk_work_order_unit"`);
    await queryRunner.query(`ALTER TABLE "work_order" DROP CONSTRAINT "fk_work_order_material"`);
    await queryRunner.query(`ALTER TABLE "work_order" DROP CONSTRAINT "fk_work_order_site"`);
    await queryRunner.query(`ALTER TABLE "stock_balance" DROP CONSTRAINT "fk_stock_balance_material"`);
    await queryRunner.query(`ALTER TABLE "stock_balance" DROP CONSTRAINT "fk_stock_balance_location"`);
    await queryRunner.query(`ALTER TABLE "stock_balance" DROP CONSTRAINT "fk_stock_balance_lot"`);
    await queryRunner.query(`ALTER TABLE "inventory_movement" DROP CONSTRAINT "fk_inventory_movement_lot"`);
    await queryRunner.query(`ALTER TABLE "lot" DROP CONSTRAINT "fk_lot_supplier"`);
    await queryRunner.query(`ALTER TABLE "lot" DROP CONSTRAINT "fk_lot_unit"`);
    await queryRunner.query(`ALTER TABLE "lot" DROP CONSTRAINT "fk_lot_material"`);
    await queryRunner.query(`ALTER TABLE "lot" DROP CONSTRAINT "fk_lot_site"`);
    await queryRunner.query(`ALTER TABLE "material" DROP COLUMN "lot_code_pattern"`);
    await queryRunner.query(`DROP INDEX "public"."ux_idempotency_key_scope_key"`);
    await queryRunner.query(`DROP INDEX "public"."ix_idempotency_key_created_at"`);
    await queryRunner.query(`DROP TABLE "idempotency_key"`);
    await queryRunner.query(`DROP INDEX "public"."ix_andon_call_site_state"`);
    await queryRunner.query(`DROP INDEX "public"."ix_andon_call_work_center"`);
    await queryRunner.query(`DROP TABLE "andon_call"`);
    await queryRunner.query(`DROP INDEX "public"."ux_downtime_event_open"`);
    await queryRunner.query(`DROP INDEX "public"."ix_downtime_event_site_time"`);
    await queryRunner.query(`DROP TABLE "downtime_event"`);
    await queryRunner.query(`DROP INDEX "public"."ix_process_reading_operation"`);
    await queryRunner.query(`DROP INDEX "public"."ix_process_reading_equipment"`);
    await queryRunner.query(`DROP TABLE "process_reading"`);
    await queryRunner.query(`DROP TABLE "production_settings"`);
    await queryRunner.query(`DROP INDEX "public"."ix_material_consumption_operation"`);
    await queryRunner.query(`DROP INDEX "public"."ix_material_consumption_work_order"`);
    await queryRunner.query(`DROP INDEX "public"."ix_material_consumption_lot"`);
    await queryRunner.query(`DROP TABLE "material_consumption"`);
    await queryRunner.query(`DROP INDEX "public"."ix_operation_report_operation"`);
    await queryRunner.query(`DROP INDEX "public"."ix_operation_report_site_time"`);
    await queryRunner.query(`DROP TABLE "operation_report"`);
    await queryRunner.query(`DROP INDEX "public"."ux_operation_pause_open"`);
    await queryRunner.query(`DROP TABLE "operation_pause"`);
    await queryRunner.query(`DROP INDEX "public"."ux_operation_labor_open"`);
    await queryRunner.query(`DROP INDEX "public"."ix_operation_labor_operator_open"`);
    await queryRunner.query(`DROP INDEX "public"."ix_operation_labor_operation"`);
    await queryRunner.query(`DROP TABLE "operation_labor"`);
    await queryRunner.query(`DROP INDEX "public"."ux_work_order_operation_seq"`);
    await queryRunner.query(`DROP INDEX "public"."ix_work_order_operation_work_center_status"`);
    await queryRunner.query(`DROP INDEX "public"."ix_work_order_operation_site_status"`);
    await queryRunner.query(`DROP TABLE "work_order_operation"`);
    await queryRunner.query(`DROP INDEX "public"."ux_work_order_material_line"`);
    await queryRunner.query(`DROP INDEX "public"."ix_work_order_material_material"`);
    await queryRunner.query(`DROP TABLE "work_order_material"`);
    await queryRunner.query(`DROP INDEX "public"."ux_work_order_site_code"`);
    await queryRunner.query(`DROP INDEX "public"."ux_work_order_erp"`);
    await queryRunner.query(`DROP INDEX "public"."ix_work_order_site_status_due"`);
    await queryRunner.query(`DROP INDEX "public"."ix_work_order_material"`);
    await queryRunner.query(`DROP TABLE "work_order"`);
    await queryRunner.query(`DROP INDEX "public"."ix_stock_balance_site_material"`);
    await queryRunner.query(`DROP INDEX "public"."ix_stock_balance_location"`);
    await queryRunner.query(`DROP TABLE "stock_balance"`);
    await queryRunner.query(`DROP TABLE "document_sequence"`);
    await queryRunner.query(`DROP INDEX "public"."ix_inventory_movement_lot"`);
    await queryRunner.query(`DROP INDEX "public"."ix_inventory_movement_site_time"`);
    await queryRunner.query(`DROP INDEX "public"."ix_inventory_movement_work_order"`);
    await queryRunner.query(`DROP TABLE "inventory_movement"`);
    await queryRunner.query(`DROP INDEX "public"."ux_lot_site_code"`);
    await queryRunner.query(`DROP INDEX "public"."ix_lot_material_status"`);
    await queryRunner.query(`DROP INDEX "public"."ix_lot_work_order"`);
    await queryRunner.query(`DROP TABLE "lot"`);
  }
}
