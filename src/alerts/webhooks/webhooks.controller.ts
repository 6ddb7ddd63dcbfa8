import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiOkResponse,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  MaxLength,
  Min,
} from 'class-validator';
import { CurrentPrincipal, Roles } from '../../platform/auth/auth.decorators';
import type { Principal } from '../../platform/auth/principal';
import { assertSiteAccess } from '../../platform/auth/site-access';
import { PageQueryDto, type Page } from '../../platform/http/pagination';
import { UuidParam } from '../../platform/http/uuid-param';
import { WEBHOOK_EVENTS } from './webhook-events';
import { WebhooksService, type DeliveryView, type WebhookView } from './webhooks.service';

const URL_OPTIONS = { protocols: ['http', 'https'], require_protocol: true, require_tld: false };

export class CreateWebhookDto {
  @ApiProperty({ example: 'ERP quality feed' }) @IsString() @MaxLength(200) name: string;

  @ApiProperty({ example: 'https://erp.example.com/hooks/mom' })
  @IsUrl(URL_OPTIONS, { message: 'url must be an http(s) URL' })
  @MaxLength(1000)
  url: string;

  @ApiProperty({ isArray: true, example: ['inventory.lot.status_changed', 'quality.spc.violation'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @IsString({ each: true })
  eventTypes: string[];

  @ApiPropertyOptional({ default: true }) @IsOptional() @IsBoolean() active?: boolean;
}

export class UpdateWebhookDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) name?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsUrl(URL_OPTIONS, { message: 'url must be an http(s) URL' })
  @MaxLength(1000)
  url?: string;

  @ApiPropertyOptional({ isArray: true })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @IsString({ each: true })
  eventTypes?: string[];

  @ApiPropertyOptional() @IsOptional() @IsBoolean() active?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(1) expectedVersion?: number;
}

export class RotateSecretDto {
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(1) expectedVersion?: number;
}

export class DeliveryQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ['pending', 'delivered', 'dead'] })
  @IsOptional()
  @IsIn(['pending', 'delivered', 'dead'])
  status?: string;
}

/** Webhook subscribers of a site (admins): signed deliveries of the events they name, with their history. */
@ApiTags('webhooks')
@Controller('sites/:siteId/webhooks')
@Roles('admin')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Get('events')
  @ApiOkResponse({ description: 'The event types one can subscribe to' })
  events(@CurrentPrincipal() p: Principal, @UuidParam('siteId') siteId: string): string[] {
    assertSiteAccess(p, siteId);
    return [...WEBHOOK_EVENTS];
  }

  @Get()
  list(@CurrentPrincipal() p: Principal, @UuidParam('siteId') siteId: string): Promise<WebhookView[]> {
    return this.webhooks.list(p, siteId);
  }

  @Post()
  @ApiCreatedResponse({ description: 'The subscription with its signing `secret` (shown only now)' })
  create(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Body() dto: CreateWebhookDto,
  ): Promise<WebhookView & { secret: string }> {
    return this.webhooks.create(p, siteId, dto);
  }

  @Get(':id')
  get(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @UuidParam('id') id: string,
  ): Promise<WebhookView> {
    return this.webhooks.get(p, siteId, id);
  }

  @Patch(':id')
  update(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @UuidParam('id') id: string,
    @Body() dto: UpdateWebhookDto,
  ): Promise<WebhookView> {
    return this.webhooks.update(p, siteId, id, dto);
  }

  @Post(':id/rotate-secret')
  @HttpCode(200)
  @ApiOkResponse({ description: 'A new signing `secret` (shown only now); the old one stops working' })
  rotate(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @UuidParam('id') id: string,
    @Body() dto: RotateSecretDto,
  ): Promise<WebhookView & { secret: string }> {
    return this.webhooks.rotateSecret(p, siteId, id, dto.expectedVersion);
  }

  @Post(':id/ping')
  @HttpCode(202)
  ping(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @UuidParam('id') id: string,
  ): Promise<{ deliveryId: string }> {
    return this.webhooks.ping(p, siteId, id);
  }

  @Get(':id/deliveries')
  @ApiOkResponse({
    description: 'Deliveries to this subscriber, newest first, with attempts and the last error',
  })
  async deliveries(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @UuidParam('id') id: string,
    @Query() q: DeliveryQueryDto,
  ): Promise<Page<DeliveryView>> {
    const limit = q.limit ?? 50;
    const offset = q.offset ?? 0;
    const [items, total] = await this.webhooks.deliveries(p, siteId, id, { ...q, limit, offset });
    return { items, total, limit, offset };
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @UuidParam('id') id: string,
  ): Promise<void> {
    await this.webhooks.remove(p, siteId, id);
  }
}
