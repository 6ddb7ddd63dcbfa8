import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PrincipalLoader } from './principal.loader';
import { AuditService } from '../audit/audit.service';
import { TransactionRunner } from '../database/transaction-runner';
import { DomainError, PlatformErrorCode } from '../errors/domain-error';
import { User } from '../users/user.entity';
import { FailureThrottle } from './failure-throttle.service';
import { JwtTokenService } from './jwt-token.service';
import { PasswordHasher } from './password-hasher';
import { Terminal } from './terminal.entity';
import { sha256Hex } from './hmac-signature';

export interface IssuedToken {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
}

const invalidCredentials = (): DomainError =>
  new DomainError('unauthenticated', PlatformErrorCode.INVALID_CREDENTIALS, 'Wrong username or password');

@Injectable()
export class AuthService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tx: TransactionRunner,
    private readonly throttle: FailureThrottle,
    private readonly tokens: JwtTokenService,
    private readonly audit: AuditService,
    private readonly principals: PrincipalLoader,
  ) {}

  async login(username: string, password: string, ip: string | undefined): Promise<IssuedToken> {
    const key = `login:${username.toLowerCase()}`;
    return this.throttle.oneAtATime(key, () => this.checkLogin(key, username, password, ip));
  }

  private async checkLogin(
    key: string,
    username: string,
    password: string,
    ip: string | undefined,
  ): Promise<IssuedToken> {
    await this.throttle.assertNotThrottled(key);
    const user = await this.dataSource
      .getRepository(User)
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where('lower(u.username) = lower(:username)', { username })
      .getOne();
    const ok = await PasswordHasher.verify(user?.passwordHash, password);
    if (!user || !ok || !user.active) {
      await this.refuse(
        key,
        ip,
        'user',
        user?.id ?? username,
        username,
        user && ok && !user.active ? 'account disabled' : 'wrong credentials',
      );
      if (user && ok && !user.active) {
        throw new DomainError(
          'unauthenticated',
          PlatformErrorCode.ACCOUNT_DISABLED,
          'This account is disabled',
        );
      }
      throw invalidCredentials();
    }
    await this.throttle.clear(key);
    await this.audit.recordStandalone({
      entityType: 'user',
      entityId: user.id,
      action: 'auth.login',
      after: { ip },
      actor: { type: 'user', id: user.id, name: user.username },
    });
    return this.tokens.issue(user);
  }

  /** Operator sign-in at a registered terminal: the terminal proves itself with its device key. */
  async terminalLogin(
    terminalCode: string,
    deviceKey: string,
    badgeCode: string,
    pin: string,
    ip: string | undefined,
  ): Promise<IssuedToken> {
    const key = `badge:${terminalCode.toLowerCase()}:${badgeCode.toLowerCase()}`;
    return this.throttle.oneAtATime(key, () =>
      this.checkTerminalLogin(key, terminalCode, deviceKey, badgeCode, pin, ip),
    );
  }

  private async checkTerminalLogin(
    key: string,
    terminalCode: string,
    deviceKey: string,
    badgeCode: string,
    pin: string,
    ip: string | undefined,
  ): Promise<IssuedToken> {
    await this.throttle.assertNotThrottled(key);
    const terminal = await this.dataSource
      .getRepository(Terminal)
      .createQueryBuilder('t')
      .addSelect('t.deviceKeyHash')
      .where('t.code = :code AND t.active', { code: terminalCode })
      .getOne();
    if (!terminal || terminal.deviceKeyHash !== sha256Hex(deviceKey)) {
      await this.refuse(
        key,
        ip,
        'terminal',
        terminal?.id ?? terminalCode,
        terminalCode,
        'unknown terminal or wrong device key',
      );
      throw new DomainError(
        'unauthenticated',
        PlatformErrorCode.TERMINAL_UNKNOWN,
        'This terminal is not registered',
      );
    }
    const user = await this.dataSource
      .getRepository(User)
      .createQueryBuilder('u')
      .addSelect('u.pinHash')
      .leftJoin('u.sites', 's')
      .addSelect(['s.id'])
      .where('u.badgeCode = :badgeCode', { badgeCode })
      .getOne();
    const ok = await PasswordHasher.verify(user?.pinHash, pin);
    const atSite = user?.sites.some((s) => s.id === terminal.siteId) ?? false;
    if (!user || !ok || !user.active || !atSite) {
      await this.refuse(
        key,
        ip,
        'user',
        user?.id ?? badgeCode,
        badgeCode,
        !atSite && ok ? 'not assigned to the terminal site' : 'wrong badge or PIN',
      );
      throw new DomainError('unauthenticated', PlatformErrorCode.INVALID_CREDENTIALS, 'Wrong badge or PIN');
    }
    await this.throttle.clear(key);
    await this.tx.run(async (tx) => {
      await tx.manager.update(Terminal, { id: terminal.id }, { lastSignInAt: new Date() });
      await this.audit.record(tx, {
        entityType: 'user',
        entityId: user.id,
        action: 'auth.terminal_login',
        siteId: terminal.siteId,
        after: { terminalId: terminal.id, terminalCode: terminal.code, ip },
        actor: { type: 'user', id: user.id, name: user.username },
      });
    });
    return this.tokens.issue(user, terminal.id);
  }

  /** Re-checks a signed-in user's password (e-signatures); failures count towards the same throttle. */
  async reauthenticate(
    userId: string,
    username: string,
    password: string,
    ip: string | undefined,
  ): Promise<void> {
    const key = `login:${username.toLowerCase()}`;
    await this.throttle.oneAtATime(key, () => this.checkPassword(key, userId, username, password, ip));
  }

  private async checkPassword(
    key: string,
    userId: string,
    username: string,
    password: string,
    ip: string | undefined,
  ): Promise<void> {
    await this.throttle.assertNotThrottled(key);
    const user = await this.dataSource
      .getRepository(User)
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where('u.id = :userId AND u.active', { userId })
      .getOne();
    if (!user || !(await PasswordHasher.verify(user.passwordHash, password))) {
      await this.refuse(key, ip, 'user', userId, username, 'wrong password at signing');
      throw new DomainError(
        'unauthenticated',
        PlatformErrorCode.INVALID_CREDENTIALS,
        'The password is not correct',
      );
    }
  }

  async changeOwnPassword(
    userId: string,
    username: string,
    currentPassword: string,
    newPassword: string,
    ip: string | undefined,
  ): Promise<IssuedToken> {
    await this.reauthenticate(userId, username, currentPassword, ip);
    const hash = await PasswordHasher.hash(newPassword);
    await this.tx.run(async (tx) => {
      // Truncated to the second like a token's iat: earlier tokens stop working, the one issued below does not.
      await tx.manager.query(
        `UPDATE app_user SET password_hash = $2, password_changed_at = date_trunc('second', now()), version = version + 1 WHERE id = $1`,
        [userId, hash],
      );
      await this.audit.record(tx, { entityType: 'user', entityId: userId, action: 'user.password_changed' });
      tx.onCommit(() => this.principals.forget(userId));
    });
    return this.tokens.issue({ id: userId });
  }

  /** Counts the failure towards the throttle and audits the refused attempt. */
  private async refuse(
    key: string,
    ip: string | undefined,
    entityType: string,
    entityId: string,
    actorName: string,
    why: string,
  ): Promise<void> {
    await this.throttle.recordFailure(key, ip);
    await this.audit.recordStandalone({
      entityType,
      entityId: entityId.slice(0, 200),
      action: 'auth.login_refused',
      after: { reason: why, ip },
      actor: { type: 'user', id: entityId.slice(0, 100), name: actorName.slice(0, 200) },
    });
  }
}
