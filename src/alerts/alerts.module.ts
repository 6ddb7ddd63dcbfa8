import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { InventoryModule } from '../inventory/inventory.module';
import { MasterDataModule } from '../master-data/master-data.module';
import { ProductionModule } from '../production/production.module';
import { WmsBridgeModule } from '../wms-bridge/wms-bridge.module';
import { AlertsPushes } from './alerts-pushes.listener';
import './alerts.events';
import { RuleActions } from './rules/rule-actions';
import { RuleMetrics } from './rules/rule-metrics';
import { RuleRunner } from './rules/rule-runner';
import { AlertRule, RuleFiring, RuleState } from './rules/rule.entities';
import { RulesController } from './rules/rules.controller';
import { RulesRepository } from './rules/rules.repository';
import { RulesService } from './rules/rules.service';
import { TodoSourcesListener } from './todo-sources.listener';
import { Todo } from './todos/todo.entity';
import { TodosController } from './todos/todos.controller';
import { TodosService } from './todos/todos.service';
import { WebhookSubscription } from './webhooks/webhook-subscription.entity';
import { WebhookSubscriptionTransport } from './webhooks/webhook-subscription.transport';
import { WebhooksController } from './webhooks/webhooks.controller';
import { WebhooksService } from './webhooks/webhooks.service';

/**
 * The rule engine (rules as data, run on events and periodic checks), todos (待办) and their pushes, and
 * webhook subscribers (signed deliveries through the outbox).
 */
@Module({
  imports: [
    MasterDataModule,
    InventoryModule,
    ProductionModule,
    WmsBridgeModule,
    TypeOrmModule.forFeature([Todo, AlertRule, RuleFiring, RuleState, WebhookSubscription]),
  ],
  controllers: [TodosController, RulesController, WebhooksController],
  providers: [
    TodosService,
    TodoSourcesListener,
    AlertsPushes,
    RulesRepository,
    RuleActions,
    RuleMetrics,
    RuleRunner,
    RulesService,
    WebhooksService,
    WebhookSubscriptionTransport,
  ],
})
export class AlertsModule {}
