import type { MigrationInterface, QueryRunner } from 'typeorm';

export class MasterDataCalendars1795274204729 implements MigrationInterface {
  name = 'MasterDataCalendars1795274204729';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "shift_calendar" ("site_id" uuid NOT NULL, "code" character varying(64) NOT NULL, "name" character varying(200) NOT NULL, "name_zh" character varying(200), "active" boolean NOT NULL DEFAULT true, "version" integer NOT NULL DEFAULT '1', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "id" uuid NOT NULL DEFAULT gen_random_uuid(), "work_center_id" uuid, "shifts" jsonb NOT NULL DEFAULT '[]', "holidays" jsonb NOT NULL DEFAULT '[]', "exceptions" jsonb NOT NULL DEFAULT '[]', CONSTRAINT "pk_shift_calendar" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_shift_calendar_work_center" ON "shift_calendar"  ("work_center_id") WHERE work_center_id IS NOT NULL AND active`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_shift_calendar_site_default" ON "shift_calendar"  ("site_id") WHERE work_center_id IS NULL AND active`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_shift_calendar_site_code" ON "shift_calendar"  ("site_id", "code") `,
    );
    await queryRunner.query(
      `ALTER TABLE "shift_calendar" ADD CONSTRAINT "fk_shift_calendar_site" FOREIGN KEY ("site_id") REFERENCES "site"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "shift_calendar" ADD CONSTRAINT "fk_shift_calendar_work_center" FOREIGN KEY ("work_center_id") REFERENCES "work_center"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "shift_calendar" DROP CONSTRAINT "fk_shift_calendar_work_center"`);
    await queryRunner.query(`ALTER TABLE "shift_calendar" DROP CONSTRAINT "fk_shift_calendar_site"`);
    await queryRunner.query(`DROP INDEX "public"."ux_shift_calendar_site_code"`);
    await queryRunner.query(`DROP INDEX "public"."ux_shift_calendar_site_default"`);
    await queryRunner.query(`DROP INDEX "public"."ux_shift_calendar_work_center"`);
    await queryRunner.query(`DROP TABLE "shift_calendar"`);
  }
}
