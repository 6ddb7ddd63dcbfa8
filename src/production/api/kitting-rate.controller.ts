import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';
import { CurrentPrincipal } from '../../platform/auth/auth.decorators';
import type { Principal } from '../../platform/auth/principal';
import { UuidParam } from '../../platform/http/uuid-param';
import { KittingRateService, type KittingRateView } from '../work-orders/kitting-rate.service';

export class KittingRateQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'One production line only' })
  @IsOptional()
  @IsUUID()
  lineId?: string;
}

@ApiTags('production: work orders')
@Controller('sites/:siteId/kitting-rate')
export class KittingRateController {
  constructor(private readonly kitting: KittingRateService) {}

  @Get()
  @ApiOkResponse({
    description:
      '齐套率: of the released, not yet started work orders, how many have every material staged at their line; per line and per order with what is missing',
  })
  get(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Query() q: KittingRateQueryDto,
  ): Promise<KittingRateView> {
    return this.kitting.of(p, siteId, q.lineId);
  }
}
