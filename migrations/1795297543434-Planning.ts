import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Planning1795297543434 implements MigrationInterface {
  name = 'Planning1795297543434';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "schedule_version" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "site_id" uuid NOT NULL, "number" integer NOT NULL, "code" character varying(32) NOT NULL, "kind" character varying(10) NOT NULL, "status" character varying(12) NOT NULL, "name" character varying(200), "notes" character varying(1000), "based_on_id" uuid, "baseline_id" uuid, "rush_work_order_id" uuid, "objective" character varying(32) NOT NULL, "budget_seconds" integer NOT NULL, "seed" integer NOT NULL, "frozen_horizon_minutes" integer NOT NULL DEFAULT '0', "work_order_ids" uuid array, "changes" jsonb NOT NULL DEFAULT '[]', "origin" TIMESTAMP WITH TIME ZONE, "model" jsonb, "progress" jsonb, "kpis" jsonb, "warnings" jsonb NOT NULL DEFAULT '[]', "error" text, "iterations" integer, "elapsed_ms" integer, "runner" character varying(200), "heartbeat_at" TIMESTAMP WITH TIME ZONE, "started_at" TIMESTAMP WITH TIME ZONE, "finished_at" TIMESTAMP WITH TIME ZONE, "created_by_id" character varying(100) NOT NULL, "created_by_name" character varying(200) NOT NULL, "published_at" TIMESTAMP WITH TIME ZONE, "published_by_id" character varying(100), "published_by_name" character varying(200), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_schedule_version_published" CHECK ((published_at IS NOT NULL) = (status IN ('published', 'superseded'))), CONSTRAINT "ck_schedule_version_rush" CHECK (rush_work_order_id IS NULL OR kind = 'live'), CONSTRAINT "ck_schedule_version_frozen_horizon" CHECK (frozen_horizon_minutes >= 0), CONSTRAINT "ck_schedule_version_budget" CHECK (budget_seconds BETWEEN 1 AND 600), CONSTRAINT "ck_schedule_version_objective" CHECK (objective IN ('makespan', 'tardiness', 'tardiness-then-makespan')), CONSTRAINT "ck_schedule_version_status" CHECK (status IN ('draft', 'queued', 'running', 'succeeded', 'failed', 'cancelled', 'published', 'superseded', 'discarded')), CONSTRAINT "ck_schedule_version_kind" CHECK (kind IN ('live', 'scenario')), CONSTRAINT "pk_schedule_version" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_schedule_version_active" ON "schedule_version"  ("status", "heartbeat_at") WHERE status IN ('queued', 'running')`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_schedule_version_site_created" ON "schedule_version"  ("site_id", "created_at") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_schedule_version_site_published" ON "schedule_version"  ("site_id") WHERE status = 'published'`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_schedule_version_site_number" ON "schedule_version"  ("site_id", "number") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_schedule_version_site_code" ON "schedule_version"  ("site_id", "code") `,
    );
    await queryRunner.query(
      `CREATE TABLE "schedule_assignment" ("version_id" uuid NOT NULL, "operation_id" uuid NOT NULL, "work_order_id" uuid NOT NULL, "equipment_id" uuid NOT NULL, "position" integer NOT NULL, "setup_starts_at" TIMESTAMP WITH TIME ZONE NOT NULL, "starts_at" TIMESTAMP WITH TIME ZONE NOT NULL, "ends_at" TIMESTAMP WITH TIME ZONE NOT NULL, "frozen" boolean NOT NULL DEFAULT false, CONSTRAINT "ck_schedule_assignment_position" CHECK (position >= 1), CONSTRAINT "ck_schedule_assignment_times" CHECK (setup_starts_at <= starts_at AND starts_at < ends_at), CONSTRAINT "pk_schedule_assignment" PRIMARY KEY ("version_id", "operation_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_schedule_assignment_operation" ON "schedule_assignment"  ("operation_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_schedule_assignment_version_work_order" ON "schedule_assignment"  ("version_id", "work_order_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_schedule_assignment_version_equipment" ON "schedule_assignment"  ("version_id", "equipment_id", "starts_at") `,
    );
    await queryRunner.query(
      `ALTER TABLE "schedule_version" ADD CONSTRAINT "fk_schedule_version_site" FOREIGN KEY ("site_id") REFERENCES "site"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "schedule_version" ADD CONSTRAINT "fk_schedule_version_based_on" FOREIGN KEY ("based_on_id") REFERENCES "schedule_version"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "schedule_version" ADD CONSTRAINT "fk_schedule_version_baseline" FOREIGN KEY ("baseline_id") REFERENCES "schedule_version"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "schedule_version" ADD CONSTRAINT "fk_schedule_version_rush_work_order" FOREIGN KEY ("rush_work_order_id") REFERENCES "work_order"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "schedule_assignment" ADD CONSTRAINT "fk_schedule_assignment_version" FOREIGN KEY ("version_id") REFERENCES "schedule_version"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "schedule_assignment" ADD CONSTRAINT "fk_schedule_assignment_operation" FOREIGN KEY ("operation_id") REFERENCES "work_order_operation"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "schedule_assignment" ADD CONSTRAINT "fk_schedule_assignment_work_order" FOREIGN KEY ("work_order_id") REFERENCES "work_order"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "schedule_assignment" ADD CONSTRAINT "fk_schedule_assignment_equipment" FOREIGN KEY ("equipment_id") REFERENCES "equipment"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "schedule_assignment" DROP CONSTRAINT "fk_schedule_assignment_equipment"`,
    );
    await queryRunner.query(
      `ALTER TABLE "schedule_assignment" DROP CONSTRAINT "fk_schedule_assignment_work_order"`,
    );
    await queryRunner.query(
      `ALTER TABLE "schedule_assignment" DROP CONSTRAINT "fk_schedule_assignment_operation"`,
    );
    await queryRunner.query(
      `ALTER TABLE "schedule_assignment" DROP CONSTRAINT "fk_schedule_assignment_version"`,
    );
    await queryRunner.query(
      `ALTER TABLE "schedule_version" DROP CONSTRAINT "fk_schedule_version_rush_work_order"`,
    );
    await queryRunner.query(`ALTER TABLE "schedule_version" DROP CONSTRAINT "fk_schedule_version_baseline"`);
    await queryRunner.query(`ALTER TABLE "schedule_version" DROP CONSTRAINT "fk_schedule_version_based_on"`);
    await queryRunner.query(`ALTER TABLE "schedule_version" DROP CONSTRAINT "fk_schedule_version_site"`);
    await queryRunner.query(`DROP INDEX "public"."ix_schedule_assignment_version_equipment"`);
    await queryRunner.query(`DROP INDEX "public"."ix_schedule_assignment_version_work_order"`);
    await queryRunner.query(`DROP INDEX "public"."ix_schedule_assignment_operation"`);
    await queryRunner.query(`DROP TABLE "schedule_assignment"`);
    await queryRunner.query(`DROP INDEX "public"."ux_schedule_version_site_code"`);
    await queryRunner.query(`DROP INDEX "public"."ux_schedule_version_site_number"`);
    await queryRunner.query(`DROP INDEX "public"."ux_schedule_version_site_published"`);
    await queryRunner.query(`DROP INDEX "public"."ix_schedule_version_site_created"`);
    await queryRunner.query(`DROP INDEX "public"."ix_schedule_version_active"`);
    await queryRunner.query(`DROP TABLE "schedule_version"`);
  }
}
