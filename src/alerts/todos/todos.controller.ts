import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, MaxLength, Min } from 'class-validator';
import { CurrentPrincipal } from '../../platform/auth/auth.decorators';
import type { Principal } from '../../platform/auth/principal';
import { PageQueryDto, type Page } from '../../platform/http/pagination';
import { UuidParam } from '../../platform/http/uuid-param';
import { TODO_STATUSES, type TodoStatus } from './todo.entity';
import { TodosService, todoView, type TodoView } from './todos.service';

export class TodoQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: TODO_STATUSES })
  @IsOptional()
  @IsIn(TODO_STATUSES)
  status?: TodoStatus;

  @ApiPropertyOptional({ example: 'pick_shortage' })
  @IsOptional()
  @Matches(/^[a-z_]{1,40}$/, { message: 'kind must be lower-case letters and underscores' })
  kind?: string;

  @ApiPropertyOptional({ description: 'Only todos for my roles or for me' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  mine?: boolean;
}

export class CloseTodoDto {
  @ApiPropertyOptional({ example: 'Ordered 500 pcs from Wuxi Bearing' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  note?: string;

  @ApiPropertyOptional({ description: 'The version you saw; 409 when it changed meanwhile' })
  @IsOptional()
  @IsInt()
  @Min(1)
  expectedVersion?: number;
}

/** Todos (待办) of a site: the list for a role or person, done and dismiss. */
@ApiTags('todos')
@Controller('sites/:siteId/todos')
export class TodosController {
  constructor(private readonly todos: TodosService) {}

  @Get()
  @ApiOkResponse({ description: 'Todos, newest first' })
  async list(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Query() q: TodoQueryDto,
  ): Promise<Page<TodoView>> {
    const limit = q.limit ?? 50;
    const offset = q.offset ?? 0;
    const [rows, total] = await this.todos.list(p, siteId, { ...q, limit, offset });
    return { items: rows.map(todoView), total, limit, offset };
  }

  @Get(':id')
  async get(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @UuidParam('id') id: string,
  ): Promise<TodoView> {
    return todoView(await this.todos.get(p, siteId, id));
  }

  @Post(':id/done')
  @HttpCode(200)
  async done(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @UuidParam('id') id: string,
    @Body() dto: CloseTodoDto,
  ): Promise<TodoView> {
    return todoView(await this.todos.close(p, siteId, id, 'done', dto.note, dto.expectedVersion));
  }

  @Post(':id/dismiss')
  @HttpCode(200)
  async dismiss(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @UuidParam('id') id: string,
    @Body() dto: CloseTodoDto,
  ): Promise<TodoView> {
    return todoView(await this.todos.close(p, siteId, id, 'dismissed', dto.note, dto.expectedVersion));
  }
}
