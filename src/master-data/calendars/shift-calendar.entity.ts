import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Site } from '../../platform/sites/site.entity';
import { CatalogRecord } from '../catalog/catalog-record';
import { WorkCenter } from '../hierarchy/work-center.entity';
import type { CalendarException, ShiftPattern } from './engine/availability';

export interface Holiday {
  date: string;
  name?: string;
}

/**
 * Working time (班次日历): shift patterns, holidays and exceptions, read in the site's time zone. The one without
 * a work center is the site default; a work center may have its own.
 */
@Entity({ name: 'shift_calendar' })
@Index('ux_shift_calendar_site_code', ['siteId', 'code'], { unique: true })
@Index('ux_shift_calendar_site_default', ['siteId'], {
  unique: true,
  where: 'work_center_id IS NULL AND active',
})
@Index('ux_shift_calendar_work_center', ['workCenterId'], {
  unique: true,
  where: 'work_center_id IS NOT NULL AND active',
})
export class ShiftCalendar extends CatalogRecord {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_shift_calendar' })
  declare id: string;

  @ManyToOne(() => Site, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'site_id', foreignKeyConstraintName: 'fk_shift_calendar_site' })
  site?: Site;

  @ManyToOne(() => WorkCenter, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'work_center_id', foreignKeyConstraintName: 'fk_shift_calendar_work_center' })
  workCenter?: WorkCenter;

  @Column({ type: 'uuid', nullable: true })
  workCenterId: string | null;

  @Column({ type: 'jsonb', default: () => "'[]'" })
  shifts: ShiftPattern[];

  @Column({ type: 'jsonb', default: () => "'[]'" })
  holidays: Holiday[];

  @Column({ type: 'jsonb', default: () => "'[]'" })
  exceptions: CalendarException[];
}
