import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { AppConfig } from '../config/app-config';
import { Secrets } from '../config/secrets';
import { DomainError, PlatformErrorCode } from '../errors/domain-error';
import type { LoadedUser } from './principal.loader';
import { PrincipalLoader } from './principal.loader';
import type { Principal } from './principal';

export interface AccessTokenClaims {
  sub: string;
  typ: 'user';
  /** Terminal the operator signed in at, if any. */
  trm?: string;
  iat: number;
  exp: number;
}

/** Issues and verifies access tokens; the HTTP guard and the Socket.IO handshake both use it. */
@Injectable()
export class JwtTokenService {
  constructor(
    private readonly jwt: JwtService,
    private readonly secrets: Secrets,
    private readonly config: AppConfig,
    private readonly principals: PrincipalLoader,
  ) {}

  async issue(
    user: { id: string },
    terminalId?: string,
  ): Promise<{ accessToken: string; tokenType: 'Bearer'; expiresIn: number }> {
    const expiresIn = this.config.get('JWT_TTL_SECONDS');
    const payload: Record<string, unknown> = { sub: user.id, typ: 'user' };
    if (terminalId) payload.trm = terminalId;
    const accessToken = await this.jwt.signAsync(payload, {
      secret: this.secrets.jwtSecret,
      expiresIn,
      algorithm: 'HS256',
    });
    return { accessToken, tokenType: 'Bearer', expiresIn };
  }

  /** Verifies signature and expiry, then checks the account is still active and the password unchanged. */
  async principalFromToken(token: string): Promise<Principal> {
    let claims: AccessTokenClaims;
    try {
      claims = await this.jwt.verifyAsync<AccessTokenClaims>(token, {
        // A KeyObject, as the HTTP strategy uses (the option's type says string | Buffer only).
        secret: this.secrets.jwtKey as unknown as Buffer,
        algorithms: ['HS256'],
      });
    } catch {
      throw new DomainError(
        'unauthenticated',
        PlatformErrorCode.TOKEN_INVALID,
        'The access token is invalid or expired',
      );
    }
    return this.principalFromClaims(claims);
  }

  async principalFromClaims(claims: AccessTokenClaims): Promise<Principal> {
    if (claims.typ !== 'user' || typeof claims.sub !== 'string') {
      throw new DomainError(
        'unauthenticated',
        PlatformErrorCode.TOKEN_INVALID,
        'The access token is invalid or expired',
      );
    }
    const user: LoadedUser | undefined = await this.principals.loadUser(claims.sub);
    // Tokens issued before the last password change are void (iat has second resolution).
    if (
      !user ||
      !user.active ||
      claims.iat * 1000 < Math.floor(user.passwordChangedAt.getTime() / 1000) * 1000
    ) {
      throw new DomainError(
        'unauthenticated',
        PlatformErrorCode.TOKEN_INVALID,
        'The access token is no longer valid',
      );
    }
    const { active: _a, passwordChangedAt: _p, ...principal } = user;
    return claims.trm ? { ...principal, terminalId: claims.trm } : principal;
  }
}
