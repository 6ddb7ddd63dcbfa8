import { Body, Controller, Get, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { CurrentPrincipal } from '../../auth/auth.decorators';
import type { Principal } from '../../auth/principal';
import { UuidParam } from '../../http/uuid-param';
import { SignaturesService } from '../signatures.service';
import { SignatureQueryDto, SignatureResponse, SignRecordDto } from './signature.dto';

@ApiTags('signatures')
@ApiBearerAuth('bearer')
@Controller('signatures')
export class SignaturesController {
  constructor(private readonly signatures: SignaturesService) {}

  @Post()
  @ApiCreatedResponse({ type: SignatureResponse })
  sign(
    @CurrentPrincipal() p: Principal,
    @Body() dto: SignRecordDto,
    @Req() req: FastifyRequest,
  ): Promise<SignatureResponse> {
    return this.signatures.sign(p, dto, req.ip);
  }

  @Get()
  @ApiOkResponse({
    type: [SignatureResponse],
    description: 'Signatures of one record, each with its current validity',
  })
  list(@CurrentPrincipal() p: Principal, @Query() q: SignatureQueryDto): Promise<SignatureResponse[]> {
    return this.signatures.listFor(p, q.entityType, q.entityId);
  }

  @Get(':id')
  @ApiOkResponse({ type: SignatureResponse })
  get(@CurrentPrincipal() p: Principal, @UuidParam('id') id: string): Promise<SignatureResponse> {
    return this.signatures.get(p, id);
  }
}
