import { Check, Column, Entity, PrimaryColumn } from 'typeorm';

/** Last run of each scheduled job, across all instances. */
@Entity({ name: 'scheduled_job_state' })
@Check(
  'ck_scheduled_job_state_status',
  `last_status IS NULL OR last_status IN ('running', 'succeeded', 'failed')`,
)
export class ScheduledJobState {
  @PrimaryColumn({ type: 'varchar', length: 100, primaryKeyConstraintName: 'pk_scheduled_job_state' })
  name: string;

  @Column({ type: 'timestamptz', nullable: true })
  lastStartedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  lastFinishedAt: Date | null;

  @Column({ type: 'varchar', length: 16, nullable: true })
  lastStatus: 'running' | 'succeeded' | 'failed' | null;

  @Column({ type: 'text', nullable: true })
  lastError: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  lastInstance: string | null;

  @Column({ type: 'int', default: 0 })
  runCount: number;
}
