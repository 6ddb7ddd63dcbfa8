import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { nextSequenceValue } from '../../platform/database/document-sequence';
import { localDate } from '../../platform/engine/local-date';
import type { AssignmentRow } from '../model/plan-outcome';
import type { PlanSnapshot } from '../model/plan-snapshot';
import { ScheduleAssignment, ScheduleVersion } from './schedule-version.entity';

/** Queries over schedule versions and their assignments; the services decide what they mean. */
@Injectable()
export class ScheduleVersionsRepository {
  constructor(private readonly dataSource: DataSource) {}

  manager(m?: EntityManager): EntityManager {
    return m ?? this.dataSource.manager;
  }

  find(siteId: string, id: string, m?: EntityManager): Promise<ScheduleVersion | null> {
    return this.manager(m).getRepository(ScheduleVersion).findOneBy({ id, siteId });
  }

  /** The version, row-locked until the caller's transaction ends. */
  lock(m: EntityManager, siteId: string, id: string): Promise<ScheduleVersion | null> {
    return m
      .getRepository(ScheduleVersion)
      .findOne({ where: { id, siteId }, lock: { mode: 'pessimistic_write' } });
  }

  /** The site's live plan (its published version), if any. */
  live(siteId: string, m?: EntityManager, forUpdate = false): Promise<ScheduleVersion | null> {
    return this.manager(m)
      .getRepository(ScheduleVersion)
      .findOne({
        where: { siteId, status: 'published' },
        ...(forUpdate ? { lock: { mode: 'pessimistic_write' as const } } : {}),
      });
  }

  async model(versionId: string, m?: EntityManager): Promise<PlanSnapshot | null> {
    const rows: Array<{ model: PlanSnapshot | null }> = await this.manager(m).query(
      `SELECT model FROM schedule_version WHERE id = $1`,
      [versionId],
    );
    return rows[0]?.model ?? null;
  }

  /** The next number and code of the site's versions (SCH-<local year>-0001), in the caller's transaction. */
  async nextCode(
    m: EntityManager,
    siteId: string,
    timeZone: string,
  ): Promise<{ number: number; code: string }> {
    const number = await nextSequenceValue(m, siteId, 'schedule_version');
    const year = localDate(timeZone, new Date()).slice(0, 4);
    return { number, code: `SCH-${year}-${String(number).padStart(4, '0')}` };
  }

  assignments(versionId: string, m?: EntityManager): Promise<ScheduleAssignment[]> {
    return this.manager(m)
      .getRepository(ScheduleAssignment)
      .find({ where: { versionId }, order: { equipmentId: 'ASC', position: 'ASC' } });
  }

  async insertAssignments(m: EntityManager, versionId: string, rows: AssignmentRow[]): Promise<void> {
    const chunk = 2000;
    for (let i = 0; i < rows.length; i += chunk) {
      const part = rows.slice(i, i + chunk);
      await m.query(
        `INSERT INTO schedule_assignment
                (version_id, operation_id, work_order_id, equipment_id, position, setup_starts_at, starts_at,
                 ends_at, frozen)
         SELECT $1, a.operation_id, a.work_order_id, a.equipment_id, a.position, a.setup_starts_at, a.starts_at,
                a.ends_at, a.frozen
           FROM unnest($2::uuid[], $3::uuid[], $4::uuid[], $5::int[], $6::timestamptz[], $7::timestamptz[],
                       $8::timestamptz[], $9::boolean[])
                AS a(operation_id, work_order_id, equipment_id, position, setup_starts_at, starts_at, ends_at, frozen)`,
        [
          versionId,
          part.map((r) => r.operationId),
          part.map((r) => r.workOrderId),
          part.map((r) => r.equipmentId),
          part.map((r) => r.position),
          part.map((r) => r.setupStartsAt.toISOString()),
          part.map((r) => r.startsAt.toISOString()),
          part.map((r) => r.endsAt.toISOString()),
          part.map((r) => r.frozen),
        ],
      );
    }
  }

  /** Start and end of every work order a version plans. */
  async orderSpans(versionId: string, m?: EntityManager): Promise<Map<string, { start: Date; end: Date }>> {
    const rows: Array<{ work_order_id: string; start: Date; end: Date }> = await this.manager(m).query(
      `SELECT work_order_id, min(setup_starts_at) AS start, max(ends_at) AS end
         FROM schedule_assignment WHERE version_id = $1 GROUP BY work_order_id`,
      [versionId],
    );
    return new Map(rows.map((r) => [r.work_order_id, { start: r.start, end: r.end }]));
  }
}
