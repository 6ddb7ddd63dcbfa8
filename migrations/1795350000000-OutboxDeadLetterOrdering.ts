import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A dead-lettered outbox message now holds back the later messages of its ordering key until it is redriven
 * (otherwise the receiver gets them out of order once it is). The relay looks for such a dead letter before
 * each claim; without this index that look-up reads every dead letter (seconds with a few thousand of them).
 */
export class OutboxDeadLetterOrdering1795350000000 implements MigrationInterface {
  name = 'OutboxDeadLetterOrdering1795350000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "ix_outbox_message_ordering_dead" ON "outbox_message"  ("ordering_key", "seq") WHERE status = 'dead' AND ordering_key IS NOT NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_outbox_message_ordering_dead"`);
  }
}
