import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiConflictResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Roles } from '../../auth/auth.decorators';
import { UuidParam } from '../../http/uuid-param';
import { OutboxAdminService } from '../outbox-admin.service';
import {
  OutboxMessageResponse,
  OutboxPageResponse,
  OutboxQueryDto,
  RedriveAllDto,
  RedriveAllResponse,
  RedriveDto,
} from './outbox.dto';

@ApiTags('admin: outbox')
@ApiBearerAuth('bearer')
@Roles('admin')
@Controller('admin/outbox')
export class OutboxController {
  constructor(private readonly outbox: OutboxAdminService) {}

  @Get('messages')
  @ApiOkResponse({
    type: OutboxPageResponse,
    description: 'Newest first; status=dead lists the dead letters',
  })
  list(@Query() q: OutboxQueryDto): Promise<OutboxPageResponse> {
    return this.outbox.list({
      status: q.status,
      destination: q.destination,
      limit: q.limit ?? 50,
      offset: q.offset ?? 0,
    });
  }

  @Get('messages/:id')
  @ApiOkResponse({ type: OutboxMessageResponse })
  get(@UuidParam('id') id: string): Promise<OutboxMessageResponse> {
    return this.outbox.get(id);
  }

  @Post('messages/:id/redrive')
  @HttpCode(200)
  @ApiOkResponse({ type: OutboxMessageResponse })
  @ApiConflictResponse({ description: 'The message is not dead-lettered' })
  redrive(@UuidParam('id') id: string, @Body() dto: RedriveDto): Promise<OutboxMessageResponse> {
    return this.outbox.redrive(id, dto.reason);
  }

  @Post('dead-letters/redrive')
  @HttpCode(200)
  @ApiOkResponse({ type: RedriveAllResponse })
  redriveAll(@Body() dto: RedriveAllDto): Promise<RedriveAllResponse> {
    return this.outbox.redriveAll(dto);
  }
}
