import { Global, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { AppConfig } from './app-config';
import { validateEnvironment } from './env.schema';
import { Secrets } from './secrets';

@Global()
@Module({
  imports: [ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, cache: true, validate: validateEnvironment })],
  providers: [AppConfig, Secrets],
  exports: [AppConfig, Secrets],
})
export class PlatformConfigModule {}
