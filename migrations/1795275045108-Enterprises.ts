import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Enterprises1795275045108 implements MigrationInterface {
  name = 'Enterprises1795275045108';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "enterprise" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "code" character varying(32) NOT NULL, "name" character varying(200) NOT NULL, "name_zh" character varying(200), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "version" integer NOT NULL DEFAULT '1', CONSTRAINT "pk_enterprise" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "ux_enterprise_code" ON "enterprise"  ("code") `);
    await queryRunner.query(`ALTER TABLE "site" ADD "enterprise_id" uuid`);
    await queryRunner.query(
      `ALTER TABLE "site" ADD CONSTRAINT "fk_site_enterprise" FOREIGN KEY ("enterprise_id") REFERENCES "enterprise"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "site" DROP CONSTRAINT "fk_site_enterprise"`);
    await queryRunner.query(`ALTER TABLE "site" DROP COLUMN "enterprise_id"`);
    await queryRunner.query(`DROP INDEX "public"."ux_enterprise_code"`);
    await queryRunner.query(`DROP TABLE "enterprise"`);
  }
}
