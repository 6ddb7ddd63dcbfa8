import { Body, Controller, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentPrincipal, Roles } from '../../auth/auth.decorators';
import type { Principal } from '../../auth/principal';
import { PageQueryDto, type Page } from '../../http/pagination';
import { UuidParam } from '../../http/uuid-param';
import { UsersService } from '../users.service';
import { CreateUserDto, ResetPasswordDto, UpdateUserDto, UserResponse } from './user.dto';

@ApiTags('users')
@ApiBearerAuth('bearer')
@Roles('admin')
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @ApiOkResponse({ description: 'Users sharing a site with the caller (page: items, total, limit, offset)' })
  list(@CurrentPrincipal() p: Principal, @Query() q: PageQueryDto): Promise<Page<UserResponse>> {
    return this.users.list(p, q.limit ?? 50, q.offset ?? 0);
  }

  @Get(':id')
  @ApiOkResponse({ type: UserResponse })
  get(@CurrentPrincipal() p: Principal, @UuidParam('id') id: string): Promise<UserResponse> {
    return this.users.get(p, id);
  }

  @Post()
  @ApiCreatedResponse({ type: UserResponse })
  create(@CurrentPrincipal() p: Principal, @Body() dto: CreateUserDto): Promise<UserResponse> {
    return this.users.create(p, dto);
  }

  @Patch(':id')
  @ApiOkResponse({ type: UserResponse })
  update(
    @CurrentPrincipal() p: Principal,
    @UuidParam('id') id: string,
    @Body() dto: UpdateUserDto,
  ): Promise<UserResponse> {
    return this.users.update(p, id, dto);
  }

  @Post(':id/password')
  @HttpCode(204)
  @ApiNoContentResponse({ description: "Password replaced; the user's existing tokens stop working" })
  async resetPassword(
    @CurrentPrincipal() p: Principal,
    @UuidParam('id') id: string,
    @Body() dto: ResetPasswordDto,
  ): Promise<void> {
    await this.users.resetPassword(p, id, dto.password, dto.reason);
  }
}
