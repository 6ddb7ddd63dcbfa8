import type { MigrationInterface, QueryRunner } from 'typeorm';

export class BreakdownReplan1795333698348 implements MigrationInterface {
  name = 'BreakdownReplan1795333698348';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "schedule_version" ADD "auto_publish" boolean NOT NULL DEFAULT false`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "schedule_version" DROP COLUMN "auto_publish"`);
  }
}
