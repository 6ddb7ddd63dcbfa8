import type { MigrationInterface, QueryRunner } from 'typeorm';

export class RulesAndRoles1795335077430 implements MigrationInterface {
  name = 'RulesAndRoles1795335077430';

  async up(queryRunner: QueryRunner): Promise<void> {
    // New roles: purchasing (采购) and maintenance lead (设备主管).
    for (const table of ['app_user', 'api_client']) {
      await queryRunner.query(`ALTER TABLE "${table}" DROP CONSTRAINT "ck_${table}_roles"`);
      await queryRunner.query(
        `ALTER TABLE "${table}" ADD CONSTRAINT "ck_${table}_roles" CHECK (cardinality(roles) >= 1 AND roles <@ ARRAY['admin','planner','operator','quality','maintenance','warehouse','warehouse_supervisor','purchasing','maintenance_lead','viewer']::text[])`,
      );
    }
    await queryRunner.query(
      `CREATE TABLE "alert_rule" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "site_id" uuid NOT NULL, "code" character varying(64) NOT NULL, "name" character varying(200) NOT NULL, "name_zh" character varying(200) NOT NULL, "description" character varying(1000), "enabled" boolean NOT NULL DEFAULT true, "builtin" boolean NOT NULL DEFAULT false, "trigger" jsonb NOT NULL, "event_type" character varying(100), "metric" character varying(100), "conditions" jsonb, "actions" jsonb NOT NULL, "version" integer NOT NULL DEFAULT '1', "updated_by_name" character varying(200) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_alert_rule_trigger" CHECK ((event_type IS NULL) <> (metric IS NULL)), CONSTRAINT "ck_alert_rule_code" CHECK (code ~ '^[a-z0-9][a-z0-9_.-]{0,63}$'), CONSTRAINT "pk_alert_rule" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_alert_rule_site_event" ON "alert_rule"  ("site_id", "event_type") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_alert_rule_site_code" ON "alert_rule"  ("site_id", "code") `,
    );
    await queryRunner.query(
      `CREATE TABLE "alert_rule_firing" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "site_id" uuid NOT NULL, "rule_code" character varying(64) NOT NULL, "rule_version" integer NOT NULL, "trigger_kind" character varying(10) NOT NULL, "trigger" character varying(100) NOT NULL, "trigger_key" character varying(300) NOT NULL, "facts" jsonb NOT NULL, "actions" jsonb NOT NULL, "outcome" character varying(10) NOT NULL, "fired_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_alert_rule_firing_outcome" CHECK (outcome IN ('done', 'partial', 'failed')), CONSTRAINT "pk_alert_rule_firing" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_alert_rule_firing_site_time" ON "alert_rule_firing"  ("site_id", "fired_at") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_alert_rule_firing_trigger" ON "alert_rule_firing"  ("site_id", "rule_code", "trigger_key") `,
    );
    await queryRunner.query(
      `CREATE TABLE "alert_rule_state" ("site_id" uuid NOT NULL, "rule_code" character varying(64) NOT NULL, "subject_key" character varying(200) NOT NULL, "since" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "pk_alert_rule_state" PRIMARY KEY ("site_id", "rule_code", "subject_key"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "alert_rule" ADD CONSTRAINT "fk_alert_rule_site" FOREIGN KEY ("site_id") REFERENCES "site"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "alert_rule_firing" ADD CONSTRAINT "fk_alert_rule_firing_site" FOREIGN KEY ("site_id") REFERENCES "site"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['app_user', 'api_client']) {
      await queryRunner.query(`ALTER TABLE "${table}" DROP CONSTRAINT "ck_${table}_roles"`);
      await queryRunner.query(
        `ALTER TABLE "${table}" ADD CONSTRAINT "ck_${table}_roles" CHECK (cardinality(roles) >= 1 AND roles <@ ARRAY['admin','planner','operator','quality','maintenance','warehouse','warehouse_supervisor','viewer']::text[])`,
      );
    }
    await queryRunner.query(`ALTER TABLE "alert_rule_firing" DROP CONSTRAINT "fk_alert_rule_firing_site"`);
    await queryRunner.query(`ALTER TABLE "alert_rule" DROP CONSTRAINT "fk_alert_rule_site"`);
    await queryRunner.query(`DROP TABLE "alert_rule_state"`);
    await queryRunner.query(`DROP INDEX "public"."ux_alert_rule_firing_trigger"`);
    await queryRunner.query(`DROP INDEX "public"."ix_alert_rule_firing_site_time"`);
    await queryRunner.query(`DROP TABLE "alert_rule_firing"`);
    await queryRunner.query(`DROP INDEX "public"."ux_alert_rule_site_code"`);
    await queryRunner.query(`DROP INDEX "public"."ix_alert_rule_site_event"`);
    await queryRunner.query(`DROP TABLE "alert_rule"`);
  }
}
