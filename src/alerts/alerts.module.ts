import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MasterDataModule } from '../master-data/master-data.module';
import { AlertsPushes } from './alerts-pushes.listener';
import './alerts.events';
import { TodoSourcesListener } from './todo-sources.listener';
import { Todo } from './todos/todo.entity';
import { TodosController } from './todos/todos.controller';
import { TodosService } from './todos/todos.service';

/** Todos (待办) and the pushes that announce them; the rule engine joins here later. */
@Module({
  imports: [MasterDataModule, TypeOrmModule.forFeature([Todo])],
  controllers: [TodosController],
  providers: [TodosService, TodoSourcesListener, AlertsPushes],
})
export class AlertsModule {}
