import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { formatExact, parseDecimal } from '../../platform/engine/decimal';
import { DomainError } from '../../platform/errors/domain-error';
import { Asset } from '../assets/asset.entities';
import { AssetsService, RATE_WINDOW_DAYS } from '../assets/assets.service';
import {
  currentCalendarDue,
  meterDue,
  PmRuleError,
  type CalendarRule,
  type MeterDue,
} from '../engine/pm-schedule';
import { MaintenanceErrorCode } from '../maintenance.errors';
import { PmPlan } from './pm-plan.entity';
import { formatLocalDate, localDateOf, parseLocalDate, zonedInstant } from './zoned-time';

const DAY_MS = 86_400_000;

export interface PmDue {
  /** Due now (within the lead): the job makes its ticket. */
  due: boolean;
  /** The due date (`2026-12-01`) or due reading (`R5000`). */
  dueKey: string;
  /** When it is due: the date's window start, or when the meter reaches the due reading at its rate. */
  dueAt: Date | null;
  /** Calendar plans that fell behind: earlier dates passed without a ticket (skipped, not made up). */
  missed?: number;
  /** Meter plans: the meter now, the reading it is due at, units per day. */
  meter?: MeterDue;
}

/** When a PM plan is next due (calendar: in the site's time zone; meter: from the meter and its rate). */
@Injectable()
export class PmDueCalculator {
  constructor(private readonly assets: AssetsService) {}

  /** When the plan is next due, and whether that is now. */
  async dueOf(m: EntityManager, plan: PmPlan, asset: Asset, timeZone: string, now: Date): Promise<PmDue> {
    try {
      if (plan.trigger === 'calendar') {
        const rule: CalendarRule =
          plan.fixedDates.length > 0
            ? { kind: 'dates', dates: plan.fixedDates }
            : { kind: 'every', every: plan.everyN!, unit: plan.everyUnit!, basis: plan.basis ?? 'fixed' };
        const today = localDateOf(timeZone, now);
        const { due, missed } = currentCalendarDue(
          {
            rule,
            start: parseLocalDate(plan.startDate),
            lastDue: plan.lastDueDate ? parseLocalDate(plan.lastDueDate) : null,
            lastDone: plan.lastDoneDate ? parseLocalDate(plan.lastDoneDate) : null,
          },
          today,
        );
        const horizon = localDateOf(
          timeZone,
          new Date(zonedInstant(timeZone, today, '12:00').getTime() + plan.leadDays * DAY_MS),
        );
        return {
          due: formatLocalDate(due) <= formatLocalDate(horizon),
          dueKey: formatLocalDate(due),
          dueAt: zonedInstant(timeZone, due, plan.startTime),
          missed,
        };
      }
      const meter = await this.assets.meter(m, asset, plan.meterId!);
      const readings = await this.assets.readingsForForecast(m, meter, asset.equipmentId, now);
      const md = meterDue(
        {
          interval: Number(plan.meterInterval),
          lastDoneReading: Number(plan.lastDoneReading ?? meter.offset),
          leadUnits: Number(plan.leadUnits),
        },
        readings,
        RATE_WINDOW_DAYS,
      );
      return {
        due: md.due,
        dueKey: `R${formatExact(parseDecimal(md.dueReading.toFixed(3)))}`,
        dueAt: md.forecastAt === null ? null : new Date(md.forecastAt),
        meter: md,
      };
    } catch (err) {
      if (err instanceof PmRuleError) {
        throw new DomainError('unprocessable', MaintenanceErrorCode.PM_RULE_INVALID, err.message);
      }
      throw err;
    }
  }
}
