import type { MigrationInterface, QueryRunner } from 'typeorm';

export class WebhookSubscriptions1795336256853 implements MigrationInterface {
  name = 'WebhookSubscriptions1795336256853';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "webhook_subscription" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "site_id" uuid NOT NULL, "name" character varying(200) NOT NULL, "url" character varying(1000) NOT NULL, "event_types" text array NOT NULL, "secret_ciphertext" text NOT NULL, "active" boolean NOT NULL DEFAULT true, "version" integer NOT NULL DEFAULT '1', "updated_by_name" character varying(200) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_webhook_subscription_url" CHECK (url ~ '^https?://'), CONSTRAINT "ck_webhook_subscription_events" CHECK (cardinality(event_types) >= 1), CONSTRAINT "pk_webhook_subscription" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_webhook_subscription_site_active" ON "webhook_subscription"  ("site_id", "active") `,
    );
    await queryRunner.query(
      `ALTER TABLE "webhook_subscription" ADD CONSTRAINT "fk_webhook_subscription_site" FOREIGN KEY ("site_id") REFERENCES "site"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "webhook_subscription" DROP CONSTRAINT "fk_webhook_subscription_site"`,
    );
    await queryRunner.query(`DROP INDEX "public"."ix_webhook_subscription_site_active"`);
    await queryRunner.query(`DROP TABLE "webhook_subscription"`);
  }
}
