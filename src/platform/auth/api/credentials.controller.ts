import { Body, Controller, Get, HttpCode, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { UuidParam } from '../../http/uuid-param';
import { CurrentPrincipal, Roles } from '../auth.decorators';
import { CredentialsService } from '../credentials.service';
import type { Principal } from '../principal';
import {
  ApiClientCredentialsResponse,
  ApiClientResponse,
  CreateApiClientDto,
  RegisteredTerminalResponse,
  RegisterTerminalDto,
  TerminalResponse,
  UpdateTerminalDto,
} from './credentials.dto';

@ApiTags('terminals')
@ApiBearerAuth('bearer')
@Roles('admin')
@Controller('terminals')
export class TerminalsController {
  constructor(private readonly credentials: CredentialsService) {}

  @Post()
  @ApiCreatedResponse({ type: RegisteredTerminalResponse })
  register(
    @CurrentPrincipal() p: Principal,
    @Body() dto: RegisterTerminalDto,
  ): Promise<RegisteredTerminalResponse> {
    return this.credentials.registerTerminal(p, dto);
  }

  @Get()
  @ApiOkResponse({ type: [TerminalResponse] })
  list(@CurrentPrincipal() p: Principal): Promise<TerminalResponse[]> {
    return this.credentials.listTerminals(p);
  }

  @Patch(':id')
  @ApiOkResponse({ type: TerminalResponse, description: 'Renamed or moved to another work center (audited)' })
  update(
    @CurrentPrincipal() p: Principal,
    @UuidParam('id') id: string,
    @Body() dto: UpdateTerminalDto,
  ): Promise<TerminalResponse> {
    return this.credentials.updateTerminal(p, id, dto);
  }

  @Post(':id/disable')
  @HttpCode(200)
  @ApiOkResponse({ type: TerminalResponse })
  disable(@CurrentPrincipal() p: Principal, @UuidParam('id') id: string): Promise<TerminalResponse> {
    return this.credentials.setTerminalActive(p, id, false);
  }

  @Post(':id/enable')
  @HttpCode(200)
  @ApiOkResponse({ type: TerminalResponse })
  enable(@CurrentPrincipal() p: Principal, @UuidParam('id') id: string): Promise<TerminalResponse> {
    return this.credentials.setTerminalActive(p, id, true);
  }
}

@ApiTags('api-clients')
@ApiBearerAuth('bearer')
@Roles('admin')
@Controller('api-clients')
export class ApiClientsController {
  constructor(private readonly credentials: CredentialsService) {}

  @Post()
  @ApiCreatedResponse({ type: ApiClientCredentialsResponse })
  create(
    @CurrentPrincipal() p: Principal,
    @Body() dto: CreateApiClientDto,
  ): Promise<ApiClientCredentialsResponse> {
    return this.credentials.createApiClient(p, dto);
  }

  @Get()
  @ApiOkResponse({ type: [ApiClientResponse] })
  list(@CurrentPrincipal() p: Principal): Promise<ApiClientResponse[]> {
    return this.credentials.listApiClients(p);
  }

  @Post(':id/rotate-secret')
  @HttpCode(200)
  @ApiOkResponse({ type: ApiClientCredentialsResponse })
  rotate(
    @CurrentPrincipal() p: Principal,
    @UuidParam('id') id: string,
  ): Promise<ApiClientCredentialsResponse> {
    return this.credentials.rotateApiClientSecret(p, id);
  }

  @Post(':id/disable')
  @HttpCode(200)
  @ApiOkResponse({ type: ApiClientResponse })
  disable(@CurrentPrincipal() p: Principal, @UuidParam('id') id: string): Promise<ApiClientResponse> {
    return this.credentials.setApiClientActive(p, id, false);
  }
}
