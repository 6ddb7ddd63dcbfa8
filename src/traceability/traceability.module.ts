import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { InventoryModule } from '../inventory/inventory.module';
import { ProductionModule } from '../production/production.module';
import { QualityModule } from '../quality/quality.module';
import { AsBuiltService } from './as-built/as-built.service';
import { GenealogyRecorder } from './genealogy/genealogy-recorder.listener';
import { GenealogyEdge, SerialLink } from './genealogy/genealogy.entities';
import { GenealogyStore } from './genealogy/genealogy.store';
import { RecallService } from './trace/recall.service';
import { TraceController } from './trace/trace.controller';
import { TraceService } from './trace/trace.service';

/**
 * Traceability: the genealogy graph recorded as production happens (in the transaction of each movement that
 * links lots), forward and backward trace with each lot's documents, recall scope with one hold action, and
 * serial as-built records. Reads other modules through their facades only.
 */
@Module({
  imports: [
    InventoryModule,
    ProductionModule,
    QualityModule,
    TypeOrmModule.forFeature([GenealogyEdge, SerialLink]),
  ],
  controllers: [TraceController],
  providers: [GenealogyStore, GenealogyRecorder, TraceService, RecallService, AsBuiltService],
})
export class TraceabilityModule {}
