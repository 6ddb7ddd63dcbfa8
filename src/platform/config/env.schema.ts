import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  validateSync,
} from 'class-validator';

const toBool = ({ value }: { value: unknown }): unknown => {
  if (typeof value !== 'string') return value;
  const v = value.trim().toLowerCase();
  if (v === '') return undefined;
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  return value;
};
const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value.trim()) : value;
const emptyToUndefined = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

/**
 * Every environment variable the service reads. Defaults make `npm start` work on a bare machine;
 * README's configuration table is written from this class.
 */
export class EnvironmentVariables {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'must be a postgres:// or postgresql:// URL' })
  DATABASE_URL?: string;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(200)
  DATABASE_POOL_SIZE = 10;

  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(600000)
  DATABASE_STATEMENT_TIMEOUT_MS = 30000;

  @IsString()
  @MinLength(1)
  DATA_DIR = '.data';

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'must be at least 32 characters' })
  JWT_SECRET?: string;

  @Transform(toInt)
  @IsInt()
  @Min(60)
  @Max(7 * 24 * 3600)
  JWT_TTL_SECONDS = 12 * 3600;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(300)
  PRINCIPAL_CACHE_SECONDS = 5;

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^[0-9a-fA-F]{64}$/, { message: 'must be 64 hexadecimal characters (32 bytes)' })
  DATA_ENCRYPTION_KEY?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^rediss?:\/\/.+/, { message: 'must be a redis:// or rediss:// URL' })
  REDIS_URL?: string;

  /**
   * Start of every Redis key and Socket.IO channel this deployment uses, so several deployments (or test runs)
   * can share one Redis server without seeing each other's pushes or sequence numbers.
   */
  @Matches(/^[A-Za-z0-9._:-]{1,64}$/, {
    message: 'must be 1-64 letters, digits, dot, colon, underscore or hyphen',
  })
  REDIS_KEY_PREFIX = 'mom';

  /** The MQTT broker machines publish to (mqtt://, mqtts://, ws://); machine data is off without it. */
  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^(mqtts?|wss?):\/\/.+/, { message: 'must be an mqtt://, mqtts://, ws:// or wss:// URL' })
  MQTT_URL?: string;

  /** The broker session's client id (kept across restarts); mom-<hostname> when unset. */
  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^[A-Za-z0-9._-]{1,64}$/, { message: 'must be 1-64 letters, digits, dot, underscore or hyphen' })
  MQTT_CLIENT_ID?: string;

  /** Several instances share the machines' messages through this shared-subscription group. */
  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^[A-Za-z0-9._-]{1,64}$/, { message: 'must be 1-64 letters, digits, dot, underscore or hyphen' })
  MQTT_SHARE_GROUP?: string;

  /** Days raw machine values are kept (minute and hour rollups are kept longer). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(3650)
  MACHINE_DATA_RETENTION_DAYS = 30;

  /** Days minute rollups are kept (hour rollups are kept as long as the machine exists). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(36500)
  MACHINE_DATA_ROLLUP_RETENTION_DAYS = 400;

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^https?:\/\/.+/, { message: 'must be an http:// or https:// URL' })
  ERP_BASE_URL?: string;

  @Matches(/^\/[\x21-\x7E]*$/, { message: 'must be a path starting with /' })
  ERP_PERFORMANCE_PATH = '/operations-performance';

  /** Where purchase requisitions (message `purchaseRequisition`) are POSTed under ERP_BASE_URL. */
  @Matches(/^\/[\x21-\x7E]*$/, { message: 'must be a path starting with /' })
  ERP_REQUISITION_PATH = '/purchase-requisitions';

  /** embedded: the inventory module plays the warehouse; http: an external WMS at WMS_BASE_URL. */
  @IsIn(['embedded', 'http'])
  WMS_MODE: 'embedded' | 'http' = 'embedded';

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^https?:\/\/.+/, { message: 'must be an http:// or https:// URL' })
  WMS_BASE_URL?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  WMS_APP_KEY?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  WMS_APP_SECRET?: string;

  @Matches(/^\/[\x21-\x7E]*$/, { message: 'must be a path starting with /' })
  WMS_PATH_PICK_TASKS = '/pick-tasks';

  @Matches(/^\/[\x21-\x7E]*\{taskId\}[\x21-\x7E]*$/, {
    message: 'must be a path starting with / containing {taskId}',
  })
  WMS_PATH_PICK_PRIORITY = '/pick-tasks/{taskId}/priority';

  @Matches(/^\/[\x21-\x7E]*\{taskId\}[\x21-\x7E]*$/, {
    message: 'must be a path starting with / containing {taskId}',
  })
  WMS_PATH_PICK_CANCEL = '/pick-tasks/{taskId}/cancel';

  @Matches(/^\/[\x21-\x7E]*$/, { message: 'must be a path starting with /' })
  WMS_PATH_PUTAWAYS = '/putaways';

  @Matches(/^\/[\x21-\x7E]*\{lot\}[\x21-\x7E]*$/, {
    message: 'must be a path starting with / containing {lot}',
  })
  WMS_PATH_LOT_FREEZE = '/lots/{lot}/freeze';

  @Matches(/^\/[\x21-\x7E]*\{lot\}[\x21-\x7E]*$/, {
    message: 'must be a path starting with / containing {lot}',
  })
  WMS_PATH_LOT_UNFREEZE = '/lots/{lot}/unfreeze';

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  @Transform(toBool)
  @IsBoolean()
  LOG_PRETTY = false;

  @Matches(/^\d+(kb|mb)$/i, { message: 'must look like 512kb or 1mb' })
  BODY_LIMIT = '1mb';

  @Transform(toInt)
  @IsInt()
  @Min(30)
  @Max(3600)
  HMAC_WINDOW_SECONDS = 300;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  AUTH_MAX_FAILURES = 5;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(86400)
  AUTH_FAILURE_WINDOW_SECONDS = 60;

  @Transform(toBool)
  @IsBoolean()
  OUTBOX_RELAY_ENABLED = true;

  @Transform(toInt)
  @IsInt()
  @Min(10)
  @Max(60000)
  OUTBOX_POLL_INTERVAL_MS = 500;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100)
  OUTBOX_MAX_ATTEMPTS = 10;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(3600000)
  OUTBOX_BACKOFF_BASE_MS = 1000;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(86400000)
  OUTBOX_BACKOFF_CAP_MS = 300000;

  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(300000)
  OUTBOX_HTTP_TIMEOUT_MS = 10000;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  OUTBOX_BATCH_SIZE = 50;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(16)
  OUTBOX_RELAY_WORKERS = 2;

  @Transform(toBool)
  @IsBoolean()
  JOBS_ENABLED = true;

  /** Demo factory on an empty database: on unless false (in production only when true). */
  @Transform(toBool)
  @IsOptional()
  @IsBoolean()
  SEED_DEMO?: boolean;

  /** Password of the demo users (default mom-demo). */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MinLength(8, { message: 'must be at least 8 characters' })
  @MaxLength(256)
  DEMO_PASSWORD?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MaxLength(100)
  INSTANCE_ID?: string;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(600000)
  SHUTDOWN_GRACE_MS = 10000;
}

/** The one validator given to ConfigModule: fails the boot with a single message naming each bad variable. */
export function validateEnvironment(raw: Record<string, unknown>): EnvironmentVariables {
  const known = new Set(knownEnvironmentVariables());
  const input: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) if (known.has(k)) input[k] = v;
  const env = plainToInstance(EnvironmentVariables, input, { exposeDefaultValues: true });
  const errors = validateSync(env, { whitelist: true, forbidUnknownValues: false });
  const problems = errors.map((e) => ({
    property: e.property,
    value: input[e.property],
    messages: primaryMessages(e.constraints ?? {}),
  }));
  if (env.NODE_ENV === 'production') {
    for (const secret of ['JWT_SECRET', 'DATA_ENCRYPTION_KEY'] as const) {
      if (!env[secret])
        problems.push({
          property: secret,
          value: undefined,
          messages: ['is required when NODE_ENV=production'],
        });
    }
  }
  if (env.WMS_MODE === 'http') {
    for (const property of ['WMS_BASE_URL', 'WMS_APP_KEY', 'WMS_APP_SECRET'] as const) {
      if (!env[property])
        problems.push({ property, value: undefined, messages: ['is required when WMS_MODE=http'] });
    }
  }
  if (problems.length > 0) {
    const details = problems
      .map((e) => {
        const secret =
          e.property.includes('SECRET') || e.property.includes('KEY') || e.property.includes('URL');
        const shown = e.value === undefined ? '(unset)' : secret ? '(hidden)' : JSON.stringify(e.value);
        return `${e.property}=${shown}: ${e.messages.join('; ')}`;
      })
      .join('\n  ');
    throw new Error(`Invalid configuration — fix these environment variables:\n  ${details}`);
  }
  return env;
}

/** Every variable the service reads (README's configuration table lists exactly these). */
export function knownEnvironmentVariables(): string[] {
  return [...new Set([...Object.keys(new EnvironmentVariables()), ...KNOWN_OPTIONAL])];
}

/** When the value has the wrong type, say only that: its range does not matter yet. */
function primaryMessages(constraints: Record<string, string>): string[] {
  const typeErrors = Object.entries(constraints).filter(([k]) => TYPE_CONSTRAINTS.has(k));
  return (typeErrors.length ? typeErrors : Object.entries(constraints)).map(([, m]) => m);
}

const TYPE_CONSTRAINTS = new Set(['isInt', 'isBoolean', 'isString']);

const KNOWN_OPTIONAL = [
  'DATABASE_URL',
  'JWT_SECRET',
  'DATA_ENCRYPTION_KEY',
  'REDIS_URL',
  'MQTT_URL',
  'MQTT_CLIENT_ID',
  'MQTT_SHARE_GROUP',
  'ERP_BASE_URL',
  'WMS_BASE_URL',
  'WMS_APP_KEY',
  'WMS_APP_SECRET',
  'SEED_DEMO',
  'DEMO_PASSWORD',
  'INSTANCE_ID',
];
