import { Module } from '@nestjs/common';
import { ProductionModule } from '../production/production.module';
import { ErpTransport } from './erp.transport';
import { OperationsRequestController } from './operations-request.controller';

/** ERP in (B2MML-style operations requests) and out (operations performance through the outbox). */
@Module({
  imports: [ProductionModule],
  controllers: [OperationsRequestController],
  providers: [ErpTransport],
})
export class ErpBridgeModule {}
