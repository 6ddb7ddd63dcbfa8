import { registerAs } from '@nestjs/config';
import { validateEnvironment } from './env.schema';

/** Validated when each application instance boots (not at import), so a bad value stops that boot. */
export const environment = registerAs('environment', () => validateEnvironment(process.env));
