import { Module } from '@nestjs/common';
import { MasterDataModule } from './master-data/master-data.module';
import { PlatformModule } from './platform/platform.module';

@Module({
  imports: [PlatformModule, MasterDataModule],
})
export class AppModule {}
