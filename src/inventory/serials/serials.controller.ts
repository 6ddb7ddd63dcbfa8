import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { CurrentPrincipal } from '../../platform/auth/auth.decorators';
import type { Principal } from '../../platform/auth/principal';
import { assertSiteAccess } from '../../platform/auth/site-access';
import { notFound } from '../../platform/errors/domain-error';
import { UuidParam } from '../../platform/http/uuid-param';
import { StockService } from '../lots/stock.service';
import type { SerialNumber } from './serial-number.entity';
import { SerialsService } from './serials.service';

const serialView = (s: SerialNumber, lotCode?: string) => ({
  serial: s.serial,
  materialId: s.materialId,
  lotId: s.lotId,
  ...(lotCode ? { lotCode } : {}),
  status: s.status,
  locationId: s.locationId,
  workOrderId: s.workOrderId,
  createdAt: s.createdAt.toISOString(),
  updatedAt: s.updatedAt.toISOString(),
});

/** Serial numbers (序列号): a unit's lot, place and fate; a lot's units. */
@ApiTags('inventory')
@Controller('sites/:siteId')
export class SerialsController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly serials: SerialsService,
    private readonly stock: StockService,
  ) {}

  @Get('serials/:serial')
  @ApiOkResponse({ description: 'The unit(s) with this serial number (one per material)' })
  async find(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Param('serial') serial: string,
  ): Promise<Array<ReturnType<typeof serialView>>> {
    assertSiteAccess(p, siteId);
    const found = await this.serials.find(this.dataSource.manager, siteId, serial);
    if (found.length === 0) throw notFound('serial number', serial);
    const lots = await Promise.all(
      found.map((s) => this.stock.findLot(this.dataSource.manager, siteId, s.lotId)),
    );
    return found.map((s, i) => serialView(s, lots[i]?.code));
  }

  @Get('lots/:idOrCode/serials')
  @ApiOkResponse({ description: 'The units of a lot, in serial order' })
  async ofLot(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Param('idOrCode') idOrCode: string,
  ): Promise<Array<ReturnType<typeof serialView>>> {
    assertSiteAccess(p, siteId);
    const lot = await this.stock.findLot(this.dataSource.manager, siteId, idOrCode);
    if (!lot) throw notFound('lot', idOrCode);
    return (await this.serials.ofLot(this.dataSource.manager, lot.id)).map((s) => serialView(s));
  }
}
