import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { Type } from 'class-transformer';
import { ApiOkResponse, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import {
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';
import { CurrentPrincipal, Roles } from '../../platform/auth/auth.decorators';
import type { Principal } from '../../platform/auth/principal';
import { assertSiteAccess } from '../../platform/auth/site-access';
import { PageQueryDto, type Page } from '../../platform/http/pagination';
import { UuidParam } from '../../platform/http/uuid-param';
import type { Condition } from './engine/rule-engine';
import { FIRING_OUTCOMES } from './rule.entities';
import type { RuleAction, RuleTrigger } from './rule-definition';
import type { EffectiveRule } from './rules.repository';
import { RulesService, type DryRun, type FiringView } from './rules.service';

const CODE = /^[a-z0-9][a-z0-9_.-]{0,63}$/;

export class RuleBodyDto {
  @ApiPropertyOptional({ example: 'Stock below safety level → purchase requisition todo' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ example: '低于安全库存 → 采购请购待办' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  nameZh?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsString()
  @MaxLength(1000)
  description?: string | null;

  @ApiPropertyOptional({ default: true }) @IsOptional() @IsBoolean() enabled?: boolean;

  @ApiPropertyOptional({
    description: 'A domain event with a filter, or a periodic metric check (see GET rules/catalog)',
    example: {
      kind: 'event',
      event: 'inventory.safety_stock.changed',
      filter: { field: 'state', op: 'eq', value: 'below' },
    },
  })
  @IsOptional()
  @IsObject()
  trigger?: RuleTrigger;

  @ApiPropertyOptional({
    description: 'Comparisons on the facts combined with all / any / not; null: always',
    example: { all: [{ field: 'materialCode', op: 'in', value: ['GREASE', 'OIL'] }] },
  })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsObject()
  conditions?: Condition | null;

  @ApiPropertyOptional({
    description: 'notify, todo, wms_priority, hold_lot, hold_work_order, webhook; text fields are templates',
    example: [
      { type: 'todo', kind: 'purchase_requisition', title: 'Buy {{materialCode}}', roles: ['purchasing'] },
    ],
  })
  @IsOptional()
  @IsArray()
  actions?: RuleAction[];

  @ApiPropertyOptional({ description: 'The version you saw; 409 when it changed meanwhile' })
  @IsOptional()
  @IsInt()
  @Min(0)
  expectedVersion?: number;
}

export class CreateRuleDto extends RuleBodyDto {
  @ApiProperty({ example: 'grease-low.notify' })
  @Matches(CODE, { message: 'code must be 1 to 64 of a-z, 0-9, _ . - (starting with a letter or digit)' })
  code: string;
}

export class VersionDto {
  @ApiPropertyOptional()
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  expectedVersion?: number;
}

export class DryRunDto {
  @ApiProperty({
    description: 'Sample facts: an event payload, or a metric subject',
    example: { materialCode: 'GREASE', state: 'below', availableQty: '3', safetyStock: '10' },
  })
  @IsObject()
  sample: Record<string, unknown>;

  @ApiPropertyOptional({ description: 'Try an unsaved rule instead of the stored one (POST rules/dry-run)' })
  @IsOptional()
  @IsObject()
  rule?: RuleBodyDto;
}

export class FiringQueryDto extends PageQueryDto {
  @ApiPropertyOptional() @IsOptional() @Matches(CODE, { message: 'rule must be a rule code' }) rule?: string;
  @ApiPropertyOptional({ enum: FIRING_OUTCOMES }) @IsOptional() @IsIn(FIRING_OUTCOMES) outcome?: string;
}

/** The rule engine's API: rules as data (admins change them), dry runs, and the record of firings. */
@ApiTags('rules')
@Controller('sites/:siteId/rules')
export class RulesController {
  constructor(private readonly rules: RulesService) {}

  @Get()
  @ApiOkResponse({
    description: 'The site’s rules: shipped ones (as they come or as changed here) and its own',
  })
  list(@CurrentPrincipal() p: Principal, @UuidParam('siteId') siteId: string): Promise<EffectiveRule[]> {
    return this.rules.list(p, siteId);
  }

  @Get('catalog')
  @ApiOkResponse({
    description: 'Triggers (events, metrics) with their fields, action types, comparisons, roles',
  })
  catalog(@CurrentPrincipal() p: Principal, @UuidParam('siteId') siteId: string) {
    assertSiteAccess(p, siteId);
    return this.rules.catalog();
  }

  @Get('firings')
  @ApiOkResponse({ description: 'What rules did, newest first: trigger, facts, each action’s outcome' })
  async firings(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Query() q: FiringQueryDto,
  ): Promise<Page<FiringView>> {
    const limit = q.limit ?? 50;
    const offset = q.offset ?? 0;
    const [items, total] = await this.rules.firings(p, siteId, { ...q, limit, offset });
    return { items, total, limit, offset };
  }

  @Post('dry-run')
  @HttpCode(200)
  @Roles('admin')
  @ApiOkResponse({ description: 'What an unsaved rule would do with the sample facts (nothing is done)' })
  tryRule(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Body() dto: DryRunDto,
  ): Promise<DryRun> {
    return this.rules.dryRun(p, siteId, null, dto.rule ?? {}, dto.sample);
  }

  @Get(':code')
  get(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Param('code') code: string,
  ): Promise<EffectiveRule> {
    return this.rules.get(p, siteId, code);
  }

  @Post()
  @Roles('admin')
  create(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Body() dto: CreateRuleDto,
  ): Promise<EffectiveRule> {
    return this.rules.create(p, siteId, dto);
  }

  @Put(':code')
  @Roles('admin')
  @ApiOkResponse({ description: 'The changed rule (a shipped rule becomes this site’s version of it)' })
  update(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Param('code') code: string,
    @Body() dto: RuleBodyDto,
  ): Promise<EffectiveRule> {
    return this.rules.update(p, siteId, code, dto);
  }

  @Post(':code/enable')
  @HttpCode(200)
  @Roles('admin')
  enable(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Param('code') code: string,
    @Body() dto: VersionDto,
  ): Promise<EffectiveRule> {
    return this.rules.setEnabled(p, siteId, code, true, dto.expectedVersion);
  }

  @Post(':code/disable')
  @HttpCode(200)
  @Roles('admin')
  disable(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Param('code') code: string,
    @Body() dto: VersionDto,
  ): Promise<EffectiveRule> {
    return this.rules.setEnabled(p, siteId, code, false, dto.expectedVersion);
  }

  @Delete(':code')
  @Roles('admin')
  @ApiOkResponse({ description: 'Deleted; for a changed shipped rule, the shipped rule as it applies again' })
  async remove(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Param('code') code: string,
    @Query() q: VersionDto,
  ): Promise<{ deleted: string; now: EffectiveRule | null }> {
    return { deleted: code, now: await this.rules.remove(p, siteId, code, q.expectedVersion) };
  }

  @Post(':code/dry-run')
  @HttpCode(200)
  @Roles('admin')
  @ApiOkResponse({ description: 'What the rule would do with the sample facts (nothing is done)' })
  dryRun(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Param('code') code: string,
    @Body() dto: DryRunDto,
  ): Promise<DryRun> {
    return this.rules.dryRun(p, siteId, code, {}, dto.sample);
  }
}
