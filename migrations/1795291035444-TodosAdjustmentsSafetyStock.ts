import type { MigrationInterface, QueryRunner } from 'typeorm';

export class TodosAdjustmentsSafetyStock1795291035444 implements MigrationInterface {
  name = 'TodosAdjustmentsSafetyStock1795291035444';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "todo" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "site_id" uuid NOT NULL, "kind" character varying(40) NOT NULL, "title" character varying(300) NOT NULL, "title_zh" character varying(300) NOT NULL, "detail" jsonb NOT NULL DEFAULT '{}', "assignee_roles" text array NOT NULL DEFAULT '{}', "assignee_user_id" uuid, "link" character varying(300), "reference_type" character varying(40) NOT NULL, "reference_id" character varying(100) NOT NULL, "dedupe_key" character varying(200) NOT NULL, "status" character varying(10) NOT NULL DEFAULT 'open', "due_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "closed_at" TIMESTAMP WITH TIME ZONE, "closed_by" character varying(200), "close_note" character varying(500), "version" integer NOT NULL DEFAULT '1', CONSTRAINT "ck_todo_assignee" CHECK (cardinality(assignee_roles) >= 1 OR assignee_user_id IS NOT NULL), CONSTRAINT "ck_todo_status" CHECK (status IN ('open', 'done', 'dismissed')), CONSTRAINT "pk_todo" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_todo_reference" ON "todo"  ("reference_type", "reference_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_todo_site_status" ON "todo"  ("site_id", "status", "created_at") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_todo_open_cause" ON "todo"  ("site_id", "dedupe_key") WHERE status = 'open'`,
    );
    await queryRunner.query(
      `CREATE TABLE "stock_adjustment" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "site_id" uuid NOT NULL, "code" character varying(32) NOT NULL, "status" character varying(10) NOT NULL DEFAULT 'pending', "source" character varying(8) NOT NULL, "lot_id" uuid NOT NULL, "lot_code" character varying(64) NOT NULL, "material_id" uuid NOT NULL, "location_id" uuid NOT NULL, "book_qty" numeric(18,6) NOT NULL, "counted_qty" numeric(18,6) NOT NULL, "delta_qty" numeric(18,6) NOT NULL, "note" character varying(500), "requested_by_id" character varying(100) NOT NULL, "requested_by_name" character varying(200) NOT NULL, "requested_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "decided_by_id" character varying(100), "decided_by_name" character varying(200), "decided_at" TIMESTAMP WITH TIME ZONE, "decision_note" character varying(500), "movement_id" bigint, "version" integer NOT NULL DEFAULT '1', CONSTRAINT "ck_stock_adjustment_quantities" CHECK (book_qty >= 0 AND counted_qty >= 0 AND delta_qty <> 0), CONSTRAINT "ck_stock_adjustment_source" CHECK (source IN ('count', 'wms')), CONSTRAINT "ck_stock_adjustment_status" CHECK (status IN ('pending', 'approved', 'rejected')), CONSTRAINT "pk_stock_adjustment" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_stock_adjustment_site_status" ON "stock_adjustment"  ("site_id", "status", "requested_at") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_stock_adjustment_pending" ON "stock_adjustment"  ("lot_id", "location_id") WHERE status = 'pending'`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_stock_adjustment_code" ON "stock_adjustment"  ("site_id", "code") `,
    );
    await queryRunner.query(
      `CREATE TABLE "safety_stock_state" ("site_id" uuid NOT NULL, "material_id" uuid NOT NULL, "below" boolean NOT NULL, "available_qty" numeric(18,6) NOT NULL, "changed_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "pk_safety_stock_state" PRIMARY KEY ("site_id", "material_id"))`,
    );
    await queryRunner.query(`ALTER TABLE "material" ADD "lot_size" numeric(18,6) NOT NULL DEFAULT '0'`);
    // Check constraints are not diffed by the generator: lot size joins the material's, the supervisor role the roles'.
    await queryRunner.query(`ALTER TABLE "material" DROP CONSTRAINT "ck_material_quantities"`);
    await queryRunner.query(
      `ALTER TABLE "material" ADD CONSTRAINT "ck_material_quantities" CHECK (safety_stock >= 0 AND reorder_point >= 0 AND lot_size >= 0)`,
    );
    for (const table of ['app_user', 'api_client']) {
      await queryRunner.query(`ALTER TABLE "${table}" DROP CONSTRAINT "ck_${table}_roles"`);
      await queryRunner.query(
        `ALTER TABLE "${table}" ADD CONSTRAINT "ck_${table}_roles" CHECK (cardinality(roles) >= 1 AND roles <@ ARRAY['admin','planner','operator','quality','maintenance','warehouse','warehouse_supervisor','viewer']::text[])`,
      );
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['app_user', 'api_client']) {
      await queryRunner.query(`ALTER TABLE "${table}" DROP CONSTRAINT "ck_${table}_roles"`);
      await queryRunner.query(
        `ALTER TABLE "${table}" ADD CONSTRAINT "ck_${table}_roles" CHECK (cardinality(roles) >= 1 AND roles <@ ARRAY['admin','planner','operator','quality','maintenance','warehouse','viewer']::text[])`,
      );
    }
    await queryRunner.query(`ALTER TABLE "material" DROP CONSTRAINT "ck_material_quantities"`);
    await queryRunner.query(
      `ALTER TABLE "material" ADD CONSTRAINT "ck_material_quantities" CHECK (safety_stock >= 0 AND reorder_point >= 0)`,
    );
    await queryRunner.query(`ALTER TABLE "material" DROP COLUMN "lot_size"`);
    await queryRunner.query(`DROP TABLE "safety_stock_state"`);
    await queryRunner.query(`DROP INDEX "public"."ux_stock_adjustment_code"`);
    await queryRunner.query(`DROP INDEX "public"."ux_stock_adjustment_pending"`);
    await queryRunner.query(`DROP INDEX "public"."ix_stock_adjustment_site_status"`);
    await queryRunner.query(`DROP TABLE "stock_adjustment"`);
    await queryRunner.query(`DROP INDEX "public"."ux_todo_open_cause"`);
    await queryRunner.query(`DROP INDEX "public"."ix_todo_site_status"`);
    await queryRunner.query(`DROP INDEX "public"."ix_todo_reference"`);
    await queryRunner.query(`DROP TABLE "todo"`);
  }
}
