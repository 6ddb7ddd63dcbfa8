import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles } from '../../auth/auth.decorators';
import type { Principal } from '../../auth/principal';
import { AuditQueryService } from '../audit-query.service';
import { AuditPageResponse, AuditQueryDto } from './audit.dto';

@ApiTags('audit')
@ApiBearerAuth('bearer')
@Roles('admin', 'quality')
@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AuditQueryService) {}

  @Get()
  @ApiOkResponse({ type: AuditPageResponse, description: 'Audit entries, newest first unless order=asc' })
  find(@CurrentPrincipal() p: Principal, @Query() q: AuditQueryDto): Promise<AuditPageResponse> {
    return this.audit.find(p, q);
  }
}
