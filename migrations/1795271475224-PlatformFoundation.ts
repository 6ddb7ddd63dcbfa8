import type { MigrationInterface, QueryRunner } from 'typeorm';

export class PlatformFoundation1795271475224 implements MigrationInterface {
  name = 'PlatformFoundation1795271475224';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "audit_log" ("id" BIGSERIAL NOT NULL, "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT clock_timestamp(), "actor_type" character varying(16) NOT NULL, "actor_id" character varying(100) NOT NULL, "actor_name" character varying(200) NOT NULL, "site_id" uuid, "entity_type" character varying(64) NOT NULL, "entity_id" character varying(200) NOT NULL, "action" character varying(64) NOT NULL, "before" jsonb, "after" jsonb, "reason" text, "correlation_id" character varying(100) NOT NULL, CONSTRAINT "ck_audit_log_actor_type" CHECK (actor_type IN ('user', 'api_client', 'system')), CONSTRAINT "pk_audit_log" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_audit_log_occurred_at" ON "audit_log"  ("occurred_at") `);
    await queryRunner.query(`CREATE INDEX "ix_audit_log_actor" ON "audit_log"  ("actor_id", "occurred_at") `);
    await queryRunner.query(
      `CREATE INDEX "ix_audit_log_entity" ON "audit_log"  ("entity_type", "entity_id", "occurred_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "site" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "code" character varying(32) NOT NULL, "name" character varying(200) NOT NULL, "time_zone" character varying(64) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "version" integer NOT NULL DEFAULT '1', CONSTRAINT "pk_site" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "ux_site_code" ON "site"  ("code") `);
    await queryRunner.query(
      `CREATE TABLE "app_user" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "username" character varying(64) NOT NULL, "display_name" character varying(200) NOT NULL, "password_hash" character varying(255) NOT NULL, "password_changed_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "badge_code" character varying(64), "pin_hash" character varying(255), "roles" text array NOT NULL, "locale" character varying(10) NOT NULL DEFAULT 'zh-CN', "active" boolean NOT NULL DEFAULT true, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "version" integer NOT NULL DEFAULT '1', CONSTRAINT "ck_app_user_roles" CHECK (cardinality(roles) >= 1 AND roles <@ ARRAY['admin','planner','operator','quality','maintenance','warehouse','viewer']::text[]), CONSTRAINT "pk_app_user" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_app_user_badge_code" ON "app_user"  ("badge_code") WHERE badge_code IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE TABLE "auth_failure" ("id" BIGSERIAL NOT NULL, "key" character varying(200) NOT NULL, "ip" character varying(64), "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "pk_auth_failure" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_auth_failure_key_at" ON "auth_failure"  ("key", "occurred_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "terminal" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "code" character varying(64) NOT NULL, "name" character varying(200) NOT NULL, "site_id" uuid NOT NULL, "work_center_id" uuid, "device_key_hash" character(64) NOT NULL, "active" boolean NOT NULL DEFAULT true, "last_sign_in_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "pk_terminal" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "ux_terminal_code" ON "terminal"  ("code") `);
    await queryRunner.query(
      `CREATE TABLE "api_client" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" character varying(200) NOT NULL, "app_key" character varying(64) NOT NULL, "secret_ciphertext" text NOT NULL, "roles" text array NOT NULL, "active" boolean NOT NULL DEFAULT true, "last_used_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_api_client_roles" CHECK (cardinality(roles) >= 1 AND roles <@ ARRAY['admin','planner','operator','quality','maintenance','warehouse','viewer']::text[]), CONSTRAINT "pk_api_client" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "ux_api_client_app_key" ON "api_client"  ("app_key") `);
    await queryRunner.query(
      `CREATE TABLE "api_nonce" ("api_client_id" uuid NOT NULL, "nonce" character varying(128) NOT NULL, "seen_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "pk_api_nonce" PRIMARY KEY ("api_client_id", "nonce"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_api_nonce_seen_at" ON "api_nonce"  ("seen_at") `);
    await queryRunner.query(
      `CREATE TABLE "scheduled_job_state" ("name" character varying(100) NOT NULL, "last_started_at" TIMESTAMP WITH TIME ZONE, "last_finished_at" TIMESTAMP WITH TIME ZONE, "last_status" character varying(16), "last_error" text, "last_instance" character varying(100), "run_count" integer NOT NULL DEFAULT '0', CONSTRAINT "ck_scheduled_job_state_status" CHECK (last_status IS NULL OR last_status IN ('running', 'succeeded', 'failed')), CONSTRAINT "pk_scheduled_job_state" PRIMARY KEY ("name"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "outbox_message" ("id" uuid NOT NULL, "seq" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "ordering_key" character varying(200), "destination" character varying(64) NOT NULL, "message_type" character varying(100) NOT NULL, "payload" jsonb NOT NULL, "target" jsonb NOT NULL DEFAULT '{}', "status" character varying(16) NOT NULL DEFAULT 'pending', "attempts" integer NOT NULL DEFAULT '0', "next_attempt_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "locked_until" TIMESTAMP WITH TIME ZONE, "locked_by" character varying(100), "last_error" text, "last_http_status" integer, "correlation_id" character varying(100) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "delivered_at" TIMESTAMP WITH TIME ZONE, "dead_at" TIMESTAMP WITH TIME ZONE, "redrive_count" integer NOT NULL DEFAULT '0', CONSTRAINT "ck_outbox_message_attempts" CHECK (attempts >= 0), CONSTRAINT "ck_outbox_message_status" CHECK (status IN ('pending', 'delivered', 'dead')), CONSTRAINT "pk_outbox_message" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_outbox_message_ordering" ON "outbox_message"  ("ordering_key", "seq") WHERE status = 'pending' AND ordering_key IS NOT NULL`,
    );
    await queryRunner.query(`CREATE INDEX "ix_outbox_message_created" ON "outbox_message"  ("created_at") `);
    await queryRunner.query(
      `CREATE INDEX "ix_outbox_message_dead" ON "outbox_message"  ("dead_at") WHERE status = 'dead'`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_outbox_message_due" ON "outbox_message"  ("next_attempt_at") WHERE status = 'pending'`,
    );
    await queryRunner.query(
      `CREATE TABLE "electronic_signature" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "entity_type" character varying(64) NOT NULL, "entity_id" character varying(200) NOT NULL, "meaning" character varying(32) NOT NULL, "reason" text, "signer_id" uuid NOT NULL, "signer_name" character varying(200) NOT NULL, "signer_username" character varying(64) NOT NULL, "signed_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT clock_timestamp(), "record_hash" character(64) NOT NULL, "signed_record" jsonb NOT NULL, "correlation_id" character varying(100) NOT NULL, CONSTRAINT "ck_electronic_signature_hash" CHECK (record_hash ~ '^[0-9a-f]{64}$'), CONSTRAINT "pk_electronic_signature" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_electronic_signature_record" ON "electronic_signature"  ("entity_type", "entity_id", "signed_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "user_site" ("user_id" uuid NOT NULL, "site_id" uuid NOT NULL, CONSTRAINT "PK_72b20c37f609d0b79fc0361a3e4" PRIMARY KEY ("user_id", "site_id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_89345e46cca4af1b853024df84" ON "user_site"  ("user_id") `);
    await queryRunner.query(`CREATE INDEX "IDX_7b011ff447eddaaf28de8740e6" ON "user_site"  ("site_id") `);
    await queryRunner.query(
      `CREATE TABLE "api_client_site" ("api_client_id" uuid NOT NULL, "site_id" uuid NOT NULL, CONSTRAINT "PK_13641ecd86112e6df4f9ac8c630" PRIMARY KEY ("api_client_id", "site_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_0225a7341b9f696c27ad3c4a54" ON "api_client_site"  ("api_client_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_6af038beacbd6ebc8e8b673aec" ON "api_client_site"  ("site_id") `,
    );
    await queryRunner.query(
      `ALTER TABLE "terminal" ADD CONSTRAINT "fk_terminal_site" FOREIGN KEY ("site_id") REFERENCES "site"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "electronic_signature" ADD CONSTRAINT "fk_electronic_signature_signer" FOREIGN KEY ("signer_id") REFERENCES "app_user"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "user_site" ADD CONSTRAINT "fk_user_site_user" FOREIGN KEY ("user_id") REFERENCES "app_user"("id") ON DELETE CASCADE ON UPDATE CASCADE`,
    );
    await queryRunner.query(
      `ALTER TABLE "user_site" ADD CONSTRAINT "fk_user_site_site" FOREIGN KEY ("site_id") REFERENCES "site"("id") ON DELETE CASCADE ON UPDATE CASCADE`,
    );
    await queryRunner.query(
      `ALTER TABLE "api_client_site" ADD CONSTRAINT "fk_api_client_site_client" FOREIGN KEY ("api_client_id") REFERENCES "api_client"("id") ON DELETE CASCADE ON UPDATE CASCADE`,
    );
    await queryRunner.query(
      `ALTER TABLE "api_client_site" ADD CONSTRAINT "fk_api_client_site_site" FOREIGN KEY ("site_id") REFERENCES "site"("id") ON DELETE CASCADE ON UPDATE CASCADE`,
    );
    // Hand-written: what the entity metadata cannot express.
    await queryRunner.query(`CREATE UNIQUE INDEX "ux_app_user_username" ON "app_user" (lower("username"))`);
    // The audit trail is append-only for every role, the application's own included.
    await queryRunner.query(`CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await queryRunner.query(
      `CREATE TRIGGER "trg_audit_log_no_update_delete" BEFORE UPDATE OR DELETE ON "audit_log" FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "trg_audit_log_no_truncate" BEFORE TRUNCATE ON "audit_log" FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change()`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "trg_audit_log_no_truncate" ON "audit_log"`);
    await queryRunner.query(`DROP TRIGGER "trg_audit_log_no_update_delete" ON "audit_log"`);
    await queryRunner.query(`DROP FUNCTION audit_log_refuse_change()`);
    await queryRunner.query(`DROP INDEX "public"."ux_app_user_username"`);
    await queryRunner.query(`ALTER TABLE "api_client_site" DROP CONSTRAINT "fk_api_client_site_site"`);
    await queryRunner.query(`ALTER TABLE "api_client_site" DROP CONSTRAINT "fk_api_client_site_client"`);
    await queryRunner.query(`ALTER TABLE "user_site" DROP CONSTRAINT "fk_user_site_site"`);
    await queryRunner.query(`ALTER TABLE "user_site" DROP CONSTRAINT "fk_user_site_user"`);
    await queryRunner.query(
      `ALTER TABLE "electronic_signature" DROP CONSTRAINT "fk_electronic_signature_signer"`,
    );
    await queryRunner.query(`ALTER TABLE "terminal" DROP CONSTRAINT "fk_terminal_site"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_6af038beacbd6ebc8e8b673aec"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_0225a7341b9f696c27ad3c4a54"`);
    await queryRunner.query(`DROP TABLE "api_client_site"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_7b011ff447eddaaf28de8740e6"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_89345e46cca4af1b853024df84"`);
    await queryRunner.query(`DROP TABLE "user_site"`);
    await queryRunner.query(`DROP INDEX "public"."ix_electronic_signature_record"`);
    await queryRunner.query(`DROP TABLE "electronic_signature"`);
    await queryRunner.query(`DROP INDEX "public"."ix_outbox_message_due"`);
    await queryRunner.query(`DROP INDEX "public"."ix_outbox_message_dead"`);
    await queryRunner.query(`DROP INDEX "public"."ix_outbox_message_created"`);
    await queryRunner.query(`DROP INDEX "public"."ix_outbox_message_ordering"`);
    await queryRunner.query(`DROP TABLE "outbox_message"`);
    await queryRunner.query(`DROP TABLE "scheduled_job_state"`);
    await queryRunner.query(`DROP INDEX "public"."ix_api_nonce_seen_at"`);
    await queryRunner.query(`DROP TABLE "api_nonce"`);
    await queryRunner.query(`DROP INDEX "public"."ux_api_client_app_key"`);
    await queryRunner.query(`DROP TABLE "api_client"`);
    await queryRunner.query(`DROP INDEX "public"."ux_terminal_code"`);
    await queryRunner.query(`DROP TABLE "terminal"`);
    await queryRunner.query(`DROP INDEX "public"."ix_auth_failure_key_at"`);
    await queryRunner.query(`DROP TABLE "auth_failure"`);
    await queryRunner.query(`DROP INDEX "public"."ux_app_user_badge_code"`);
    await queryRunner.query(`DROP TABLE "app_user"`);
    await queryRunner.query(`DROP INDEX "public"."ux_site_code"`);
    await queryRunner.query(`DROP TABLE "site"`);
    await queryRunner.query(`DROP INDEX "public"."ix_audit_log_entity"`);
    await queryRunner.query(`DROP INDEX "public"."ix_audit_log_actor"`);
    await queryRunner.query(`DROP INDEX "public"."ix_audit_log_occurred_at"`);
    await queryRunner.query(`DROP TABLE "audit_log"`);
  }
}
