import { Body, Controller, Get, HttpCode, Post, Query, Req } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { CurrentPrincipal, Roles } from '../../platform/auth/auth.decorators';
import type { Principal } from '../../platform/auth/principal';
import { assertSiteAccess } from '../../platform/auth/site-access';
import type { Page } from '../../platform/http/pagination';
import { UuidParam } from '../../platform/http/uuid-param';
import { Idempotent } from '../../platform/idempotency/idempotent.decorator';
import { SignaturesService } from '../../platform/signatures/signatures.service';
import {
  CloseNcrDto,
  ContainNcrDto,
  DispositionNcrDto,
  NcrQueryDto,
  OpenNcrDto,
  ReviewNcrDto,
} from './ncr.dto';
import {
  NcrService,
  type ContainmentResult,
  type DispositionResult,
  type NcrDetail,
  type NcrListItem,
} from './ncr.service';

/** Nonconformance reports: raise, review, contain, disposition (e-signed by quality), close. */
@ApiTags('quality: nonconformance')
@Controller('sites/:siteId/quality/ncrs')
export class NcrController {
  constructor(
    private readonly ncrs: NcrService,
    private readonly signatures: SignaturesService,
  ) {}

  @Post()
  @Idempotent()
  @Roles('admin', 'quality', 'operator')
  @ApiCreatedResponse({
    description: 'The new NCR (open) with its lots; operators may raise source terminal only',
  })
  open(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Body() dto: OpenNcrDto,
  ): Promise<NcrDetail> {
    assertSiteAccess(p, siteId);
    return this.ncrs.open(p, siteId, dto);
  }

  @Get()
  @ApiOkResponse({ description: 'NCRs, newest first' })
  list(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Query() q: NcrQueryDto,
  ): Promise<Page<NcrListItem>> {
    assertSiteAccess(p, siteId);
    return this.ncrs.list(siteId, q);
  }

  @Get(':id')
  @ApiOkResponse({
    description:
      'An NCR with its lots (status, on hand), defects, signature(s), rework order and allowed commands',
  })
  get(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @UuidParam('id') id: string,
  ): Promise<NcrDetail> {
    assertSiteAccess(p, siteId);
    return this.ncrs.get(p, siteId, id);
  }

  @Post(':id/review')
  @HttpCode(200)
  @Roles('admin', 'quality')
  @ApiOkResponse({ description: 'The NCR under review; 409 ILLEGAL_TRANSITION with currentState otherwise' })
  review(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @UuidParam('id') id: string,
    @Body() dto: ReviewNcrDto,
  ): Promise<NcrDetail> {
    assertSiteAccess(p, siteId);
    return this.ncrs.review(p, siteId, id, dto);
  }

  @Post(':id/containment')
  @HttpCode(200)
  @Roles('admin', 'quality')
  @ApiOkResponse({
    description: 'The affected lots (reported and made from them) with depth, status before/after and holds',
  })
  contain(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @UuidParam('id') id: string,
    @Body() dto: ContainNcrDto,
  ): Promise<ContainmentResult> {
    assertSiteAccess(p, siteId);
    return this.ncrs.contain(p, siteId, id, dto);
  }

  @Post(':id/disposition')
  @HttpCode(200)
  @Roles('quality')
  @ApiOkResponse({
    description:
      'The dispositioned NCR with its signature and what happened to each lot; 401 INVALID_CREDENTIALS on a wrong password',
  })
  async dispose(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @UuidParam('id') id: string,
    @Body() dto: DispositionNcrDto,
    @Req() req: FastifyRequest,
  ): Promise<DispositionResult> {
    assertSiteAccess(p, siteId);
    // The password is checked before anything is locked or changed (21 CFR 11.200: each signing).
    await this.signatures.verifySigner(p, dto.password, req.ip);
    return this.ncrs.dispose(p, siteId, id, dto);
  }

  @Post(':id/close')
  @HttpCode(200)
  @Roles('admin', 'quality')
  @ApiOkResponse({ description: 'The closed NCR; 409 ILLEGAL_TRANSITION before its disposition' })
  close(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @UuidParam('id') id: string,
    @Body() dto: CloseNcrDto,
  ): Promise<NcrDetail> {
    assertSiteAccess(p, siteId);
    return this.ncrs.close(p, siteId, id, dto);
  }
}
