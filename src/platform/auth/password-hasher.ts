import * as argon2 from 'argon2';

/** argon2id with the library's defaults (m=64 MiB, t=3, p=4). */
export const PasswordHasher = {
  hash(plain: string): Promise<string> {
    return argon2.hash(plain, { type: argon2.argon2id });
  },
  async verify(hash: string | null | undefined, plain: string): Promise<boolean> {
    if (!hash) {
      // Spend comparable time so a missing account does not answer faster than a wrong password.
      await argon2.hash(plain, { type: argon2.argon2id });
      return false;
    }
    try {
      return await argon2.verify(hash, plain);
    } catch {
      return false;
    }
  },
};
