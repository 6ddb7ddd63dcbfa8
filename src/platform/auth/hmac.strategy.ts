import { Injectable, OnModuleInit } from '@nestjs/common';
import type { Request } from 'express';
import type { FastifyRequest } from 'fastify';
import passport from 'passport';
import { Strategy } from 'passport-strategy';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AppConfig } from '../config/app-config';
import { Secrets } from '../config/secrets';
import { DomainError, PlatformErrorCode } from '../errors/domain-error';
import { signaturesMatch, signRequest } from './hmac-signature';
import { FailureThrottle } from './failure-throttle.service';
import type { Principal } from './principal';
import { isRole } from './roles';

interface ClientRow {
  id: string;
  name: string;
  roles: string[];
  secret_ciphertext: string;
  site_ids: string[] | null;
}

const NONCE = /^[A-Za-z0-9_-]{8,128}$/;

/** Verifies AppKey + HMAC-SHA256 signed requests from systems (WMS, ERP); see DESIGN.md for the scheme. */
@Injectable()
export class HmacVerifier {
  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly secrets: Secrets,
    private readonly throttle: FailureThrottle,
    private readonly audit: AuditService,
  ) {}

  async verify(req: FastifyRequest): Promise<Principal> {
    const appKey = header(req, 'x-app-key');
    const timestamp = header(req, 'x-timestamp');
    const nonce = header(req, 'x-nonce');
    const signature = header(req, 'x-signature')?.toLowerCase();
    if (!appKey || !timestamp || !nonce || !signature) {
      throw new DomainError(
        'unauthenticated',
        PlatformErrorCode.SIGNATURE_INVALID,
        'Signed requests need X-App-Key, X-Timestamp, X-Nonce and X-Signature',
        {
          errors: [
            ['X-App-Key', appKey],
            ['X-Timestamp', timestamp],
            ['X-Nonce', nonce],
            ['X-Signature', signature],
          ]
            .filter(([, v]) => !v)
            .map(([field]) => ({ field: field!, message: 'header is required' })),
        },
      );
    }
    const throttleKey = `hmac:${appKey.slice(0, 64)}`;
    await this.throttle.assertNotThrottled(throttleKey);
    const fail = async (code: PlatformErrorCode, message: string): Promise<never> => {
      await this.throttle.recordFailure(throttleKey, req.ip);
      await this.audit.recordStandalone({
        entityType: 'api_client',
        entityId: appKey.slice(0, 200),
        action: 'auth.signature_refused',
        after: { code, method: req.method, path: req.originalUrl.slice(0, 500), ip: req.ip },
        actor: { type: 'api_client', id: appKey.slice(0, 100), name: appKey.slice(0, 200) },
      });
      throw new DomainError('unauthenticated', code, message);
    };

    const rows: ClientRow[] = await this.dataSource.query(
      `SELECT c.id, c.name, c.roles, c.secret_ciphertext,
              array_remove(array_agg(cs.site_id ORDER BY cs.site_id), NULL) AS site_ids
         FROM api_client c LEFT JOIN api_client_site cs ON cs.api_client_id = c.id
        WHERE c.app_key = $1 AND c.active GROUP BY c.id`,
      [appKey],
    );
    const client = rows[0];
    if (!client) return fail(PlatformErrorCode.UNKNOWN_APP_KEY, 'Unknown or disabled app key');

    const ts = /^\d{9,11}$/.test(timestamp) ? Number(timestamp) : NaN;
    const skew = Math.abs(Date.now() / 1000 - ts);
    if (!Number.isFinite(ts) || skew > this.config.get('HMAC_WINDOW_SECONDS')) {
      return fail(
        PlatformErrorCode.SIGNATURE_EXPIRED,
        'X-Timestamp is outside the accepted window; check the clock',
      );
    }
    if (!NONCE.test(nonce))
      return fail(PlatformErrorCode.SIGNATURE_INVALID, 'X-Nonce must be 8-128 characters [A-Za-z0-9_-]');

    const expected = signRequest(this.secrets.decrypt(client.secret_ciphertext), {
      method: req.method,
      pathWithQuery: req.originalUrl,
      timestamp,
      nonce,
      body: req.rawBody,
    });
    if (!signaturesMatch(expected, signature))
      return fail(PlatformErrorCode.SIGNATURE_INVALID, 'The request signature does not match');

    // Recorded only after the signature checks out, so nobody can burn another client's nonces.
    const inserted: unknown[] = await this.dataSource.query(
      `INSERT INTO api_nonce (api_client_id, nonce) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING nonce`,
      [client.id, nonce],
    );
    if (inserted.length === 0)
      return fail(PlatformErrorCode.NONCE_REUSED, 'This nonce was already used: replay refused');

    await this.dataSource.query('UPDATE api_client SET last_used_at = now() WHERE id = $1', [client.id]);
    return {
      kind: 'api_client',
      id: client.id,
      name: client.name,
      roles: client.roles.filter(isRole),
      siteIds: client.site_ids ?? [],
    };
  }
}

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

class HmacPassportStrategy extends Strategy {
  name = 'hmac';

  constructor(private readonly verifier: HmacVerifier) {
    super();
  }

  // Passport's types name Express's request; under Fastify it is Fastify's.
  override authenticate(req: Request): void {
    this.verifier.verify(req as unknown as FastifyRequest).then(
      (principal) => this.success(principal),
      (err: unknown) => this.error(err instanceof Error ? err : new Error(String(err))),
    );
  }
}

/** Registers the `hmac` passport strategy. */
@Injectable()
export class HmacStrategyRegistration implements OnModuleInit {
  constructor(private readonly verifier: HmacVerifier) {}

  onModuleInit(): void {
    passport.use(new HmacPassportStrategy(this.verifier));
  }
}
