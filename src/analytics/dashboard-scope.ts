import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { MasterDataFacade } from '../master-data/master-data.facade';
import { fieldError, notFound } from '../platform/errors/domain-error';
import { Site } from '../platform/sites/site.entity';

const DAY_MS = 86_400_000;
/** Longest period a dashboard reads (the maintenance performance report's limit too). */
const MAX_DAYS = 400;

/** Where a period defaults to when `from` or `to` is not given, in the site's time zone. */
export type DefaultPeriod =
  /** Today: from the site's last midnight to the next. */
  | 'today'
  /** The last 7 days: from midnight six days ago (today included) until now. */
  | 'last7days';

export interface Period {
  from: Date;
  to: Date;
}

export interface LineRef {
  id: string;
  code: string;
}

/** What every dashboard is about: the site (time zone, currency), a line, a period. */
@Injectable()
export class DashboardScope {
  constructor(
    private readonly dataSource: DataSource,
    private readonly masterData: MasterDataFacade,
  ) {}

  async site(siteId: string): Promise<Site> {
    const site = await this.dataSource.getRepository(Site).findOneBy({ id: siteId });
    if (!site) throw notFound('site', siteId);
    return site;
  }

  /** The line named by id or code, or null when none is named; 400 for one the site does not have. */
  async line(siteId: string, ref: string | undefined): Promise<LineRef | null> {
    if (ref === undefined || ref === '') return null;
    const line = await this.masterData.line(siteId, ref);
    if (!line) throw fieldError('line', `no line ${ref} at this site`);
    return { id: line.id, code: line.code };
  }

  /** The period asked for, each missing end taken from the default in the site's time zone. */
  period(site: Site, q: { from?: string; to?: string }, fallback: DefaultPeriod, now = new Date()): Period {
    const defaults: Period =
      fallback === 'today'
        ? {
            from: this.masterData.localDayStart(site.timeZone, now, 0),
            to: this.masterData.localDayStart(site.timeZone, now, 1),
          }
        : { from: this.masterData.localDayStart(site.timeZone, now, -6), to: now };
    const from = q.from !== undefined ? new Date(q.from) : defaults.from;
    const to = q.to !== undefined ? new Date(q.to) : defaults.to;
    if (to <= from)
      throw fieldError(q.to !== undefined ? 'to' : 'from', 'the period must end after it starts');
    if (to.getTime() - from.getTime() > MAX_DAYS * DAY_MS) throw fieldError('to', `at most ${MAX_DAYS} days`);
    return { from, to };
  }
}
