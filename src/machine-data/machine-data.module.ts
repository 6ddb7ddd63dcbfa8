import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MaintenanceModule } from '../maintenance/maintenance.module';
import { MasterDataModule } from '../master-data/master-data.module';
import { ProductionModule } from '../production/production.module';
import { QualityModule } from '../quality/quality.module';
import { MachineDataAdminController, MachinesController } from './api/machine-data.controller';
import { CountCrossCheck } from './ingest/count-cross-check';
import { IngestWriter } from './ingest/ingest-writer';
import { MachineEffects } from './ingest/machine-effects';
import { MqttIngestService } from './ingest/mqtt-ingest.service';
import {
  MachineConfig,
  MachineLiveState,
  MachineOperationCount,
  MachineRejectedMessage,
  MachineRollupCursor,
  MachineTag,
  MachineTagRollup,
  MachineTagState,
  MachineTagValue,
  MachineUnknownTag,
} from './machine-data.entities';
import './machine-data.events';
import { MachineDataPushes } from './realtime/machine-data-pushes.listener';
import { SeriesService } from './series/series.service';
import { MachineConfigService } from './tags/machine-config.service';
import { TagRegistry } from './tags/tag-registry';

/**
 * Machine data over MQTT (plain JSON and Sparkplug B): tag mapping, the time series with rollups and retention,
 * and what the values drive — downtime, counts, meters, parameter alarms — pushed live.
 */
@Module({
  imports: [
    MasterDataModule,
    ProductionModule,
    MaintenanceModule,
    QualityModule,
    TypeOrmModule.forFeature([
      MachineConfig,
      MachineTag,
      MachineTagState,
      MachineLiveState,
      MachineTagValue,
      MachineTagRollup,
      MachineRollupCursor,
      MachineUnknownTag,
      MachineRejectedMessage,
      MachineOperationCount,
    ]),
  ],
  controllers: [MachinesController, MachineDataAdminController],
  providers: [
    TagRegistry,
    MachineEffects,
    IngestWriter,
    MqttIngestService,
    MachineConfigService,
    SeriesService,
    CountCrossCheck,
    MachineDataPushes,
  ],
})
export class MachineDataModule {}
