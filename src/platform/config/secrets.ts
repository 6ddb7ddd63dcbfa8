import { Injectable, Logger } from '@nestjs/common';
import { createCipheriv, createDecipheriv, createSecretKey, type KeyObject, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AppConfig } from './app-config';

interface StoredSecrets {
  jwtSecret: string;
  dataEncryptionKey: string;
}

/**
 * The JWT signing secret and the key that encrypts API-client secrets. Production must set both; on a
 * development machine they are generated once and kept under DATA_DIR so tokens survive a restart.
 */
@Injectable()
export class Secrets {
  private readonly logger = new Logger(Secrets.name);
  readonly jwtSecret: string;
  /**
   * The same secret as a KeyObject: jsonwebtoken otherwise tries (and fails) to parse a string secret as a
   * public key on every verification, which costs more than the HMAC itself.
   */
  readonly jwtKey: KeyObject;
  private readonly dataKey: Buffer;

  constructor(config: AppConfig) {
    const jwt = config.get('JWT_SECRET');
    const key = config.get('DATA_ENCRYPTION_KEY');
    const stored = jwt && key ? undefined : this.loadOrCreate(config.get('DATA_DIR'));
    this.jwtSecret = jwt ?? stored!.jwtSecret;
    this.jwtKey = createSecretKey(Buffer.from(this.jwtSecret, 'utf8'));
    this.dataKey = Buffer.from(key ?? stored!.dataEncryptionKey, 'hex');
  }

  encrypt(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.dataKey, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [
      'v1',
      iv.toString('base64'),
      cipher.getAuthTag().toString('base64'),
      body.toString('base64'),
    ].join('.');
  }

  decrypt(token: string): string {
    const [version, iv, tag, body] = token.split('.');
    if (version !== 'v1' || !iv || !tag || !body) throw new Error('unknown ciphertext format');
    const decipher = createDecipheriv('aes-256-gcm', this.dataKey, Buffer.from(iv, 'base64'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8');
  }

  private loadOrCreate(dataDir: string): StoredSecrets {
    if (dataDir.startsWith('memory://')) {
      return {
        jwtSecret: randomBytes(48).toString('base64url'),
        dataEncryptionKey: randomBytes(32).toString('hex'),
      };
    }
    const dir = resolve(dataDir);
    const file = join(dir, 'secrets.json');
    if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as StoredSecrets;
    mkdirSync(dir, { recursive: true });
    const created: StoredSecrets = {
      jwtSecret: randomBytes(48).toString('base64url'),
      dataEncryptionKey: randomBytes(32).toString('hex'),
    };
    writeFileSync(file, JSON.stringify(created), { mode: 0o600 });
    this.logger.warn(`JWT_SECRET / DATA_ENCRYPTION_KEY not set: generated development secrets in ${file}`);
    return created;
  }
}
