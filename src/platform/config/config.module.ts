import { Global, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { AppConfig } from './app-config';
import { environment } from './environment';
import { Secrets } from './secrets';

@Global()
@Module({
  imports: [ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [environment] })],
  providers: [AppConfig, Secrets],
  exports: [AppConfig, Secrets],
})
export class PlatformConfigModule {}
