import { DocumentSequence } from './database/document-sequence';
import { IdempotencyKey } from './idempotency/idempotency-key.entity';
import { IdempotencyService } from './idempotency/idempotency.service';
import { IdempotencyInterceptor } from './idempotency/idempotent.decorator';
import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { ScheduleModule } from '@nestjs/schedule';
import { TerminusModule } from '@nestjs/terminus';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditController } from './audit/api/audit.controller';
import { AuditEntry } from './audit/audit-entry.entity';
import { AuditQueryService } from './audit/audit-query.service';
import { AuditService } from './audit/audit.service';
import { AuthController } from './auth/api/auth.controller';
import { ApiClientsController, TerminalsController } from './auth/api/credentials.controller';
import { ApiClient } from './auth/api-client.entity';
import { ApiNonce } from './auth/api-nonce.entity';
import { AuthFailure } from './auth/auth-failure.entity';
import { AuthService } from './auth/auth.service';
import { AuthenticationGuard, HmacAuthGuard, JwtAuthGuard } from './auth/authentication.guard';
import { CredentialsService } from './auth/credentials.service';
import { FailureThrottle } from './auth/failure-throttle.service';
import { HmacStrategyRegistration, HmacVerifier } from './auth/hmac.strategy';
import { JwtTokenService } from './auth/jwt-token.service';
import { JwtStrategy } from './auth/jwt.strategy';
import { PrincipalLoader } from './auth/principal.loader';
import { Terminal } from './auth/terminal.entity';
import { PlatformConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { HealthController } from './health/health.controller';
import { PlatformHousekeepingJob } from './jobs/platform-housekeeping.job';
import { ScheduledJobState } from './jobs/scheduled-job-state.entity';
import { ScheduledJobs } from './jobs/scheduled-jobs.service';
import { MetricsController } from './metrics/metrics.controller';
import { MetricsService } from './metrics/metrics.service';
import { OutboxController } from './outbox/api/outbox.controller';
import { OutboxAdminService } from './outbox/outbox-admin.service';
import { OutboxMessage } from './outbox/outbox-message.entity';
import { OutboxRelay } from './outbox/outbox-relay.service';
import { OutboxTransportRegistry } from './outbox/outbox-transport';
import { OutboxService } from './outbox/outbox.service';
import { WebhookTransport } from './outbox/webhook.transport';
import { RealtimePublisher } from './realtime/realtime-publisher';
import { RoomAccessRegistry } from './realtime/room-access';
import { RoomSequencer } from './realtime/room-sequencer';
import { ShopFloorGateway } from './realtime/shop-floor.gateway';
import { PlatformChangesListener } from './realtime/platform-changes.listener';
import { SignaturesController } from './signatures/api/signatures.controller';
import { ElectronicSignature } from './signatures/electronic-signature.entity';
import { SignableRecordRegistry } from './signatures/signable-records';
import { SignaturesService } from './signatures/signatures.service';
import { EnterprisesController } from './sites/api/enterprises.controller';
import { SitesController } from './sites/api/sites.controller';
import { Enterprise } from './sites/enterprise.entity';
import { Site } from './sites/site.entity';
import { SitesService } from './sites/sites.service';
import { UsersController } from './users/api/users.controller';
import { User } from './users/user.entity';
import { UsersService } from './users/users.service';

/**
 * Cross-cutting parts every module builds on. Imports no domain module. What domain modules may use is
 * exported: transactions, audit, events, outbox, realtime, jobs, signatures and the auth decorators/guards.
 */
@Global()
@Module({
  imports: [
    PlatformConfigModule,
    DatabaseModule,
    TypeOrmModule.forFeature([
      Site,
      User,
      Terminal,
      ApiClient,
      ApiNonce,
      AuthFailure,
      AuditEntry,
      ElectronicSignature,
      OutboxMessage,
      ScheduledJobState,
      Enterprise,
      IdempotencyKey,
      DocumentSequence,
    ]),
    JwtModule.register({}),
    PassportModule,
    ScheduleModule.forRoot(),
    TerminusModule,
  ],
  controllers: [
    AuthController,
    UsersController,
    SitesController,
    EnterprisesController,
    TerminalsController,
    ApiClientsController,
    AuditController,
    SignaturesController,
    OutboxController,
    HealthController,
    MetricsController,
  ],
  providers: [
    { provide: APP_GUARD, useClass: AuthenticationGuard },
    JwtAuthGuard,
    HmacAuthGuard,
    JwtStrategy,
    JwtTokenService,
    PrincipalLoader,
    HmacVerifier,
    HmacStrategyRegistration,
    FailureThrottle,
    AuthService,
    CredentialsService,
    UsersService,
    SitesService,
    AuditService,
    AuditQueryService,
    SignableRecordRegistry,
    SignaturesService,
    OutboxService,
    OutboxTransportRegistry,
    OutboxRelay,
    OutboxAdminService,
    WebhookTransport,
    RoomSequencer,
    RoomAccessRegistry,
    RealtimePublisher,
    ShopFloorGateway,
    PlatformChangesListener,
    ScheduledJobs,
    PlatformHousekeepingJob,
    MetricsService,
    IdempotencyService,
    IdempotencyInterceptor,
  ],
  exports: [
    IdempotencyService,
    IdempotencyInterceptor,
    DatabaseModule,
    AuditService,
    OutboxService,
    OutboxTransportRegistry,
    RealtimePublisher,
    RoomAccessRegistry,
    ScheduledJobs,
    SignableRecordRegistry,
    SignaturesService,
    JwtTokenService,
    MetricsService,
  ],
})
export class PlatformModule {}
