import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROLES } from '../../src/platform/auth/roles';
import { WORK_ORDER_STATUSES } from '../../src/production/engine/work-order-state';
import { UI_PUBLIC_DIR } from '../../src/ui/ui-static.server';

type Catalogue = Record<string, string>;

/** The pages' label catalogues (browser ES modules, loaded here as jest transpiles them). */
async function catalogue(name: string): Promise<Catalogue> {
  const path = join(UI_PUBLIC_DIR, 'i18n', `${name}.js`);
  const loaded = (await import(path)) as { messages: Catalogue };
  return loaded.messages;
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'i18n' ? [] : sources(path);
    return entry.name.endsWith('.js') ? [readFileSync(path, 'utf8')] : [];
  });
}

describe('ui: every label in zh-CN and English', () => {
  let zh: Catalogue;
  let en: Catalogue;

  beforeAll(async () => {
    [zh, en] = await Promise.all([catalogue('zh-CN'), catalogue('en')]);
  });

  it('has the same keys in both languages, none empty', () => {
    expect(Object.keys(zh).sort()).toEqual(Object.keys(en).sort());
    for (const [key, text] of [...Object.entries(zh), ...Object.entries(en)]) {
      expect([key, text.trim().length > 0]).toEqual([key, true]);
    }
  });

  it('has every label the pages ask for, and the same placeholders in both languages', () => {
    const code = sources(UI_PUBLIC_DIR).join('\n');
    const keys = [...code.matchAll(/\bt\(\s*'([\w.]+)'/g)].map((m) => m[1]!);
    const families = [...code.matchAll(/\btOr\(\s*'([\w.]+)'/g)].map((m) => m[1]!);
    expect(keys.length).toBeGreaterThan(30);
    expect(keys.filter((key) => !(key in en))).toEqual([]);
    expect(families.filter((family) => !Object.keys(en).some((k) => k.startsWith(`${family}.`)))).toEqual([]);
    const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const key of Object.keys(en)) {
      expect([key, placeholders(zh[key]!)]).toEqual([key, placeholders(en[key]!)]);
    }
  });

  it('defines each label once: the per-page catalogues merged into each language never overlap', async () => {
    const main = (lang: string) => readFileSync(join(UI_PUBLIC_DIR, 'i18n', `${lang}.js`), 'utf8');
    for (const lang of ['en', 'zh-CN']) {
      const pages = [...main(lang).matchAll(/from '\.\/([\w-]+)\.(?:en|zh-CN)\.js'/g)].map((m) => m[1]!);
      expect(pages.length).toBeGreaterThanOrEqual(5);
      const own = main(lang).slice(main(lang).indexOf('export const messages'));
      const seen = new Map<string, string>();
      for (const key of [...own.matchAll(/^ {2}'([\w.]+)':/gm)].map((m) => m[1]!)) seen.set(key, lang);
      for (const page of pages) {
        for (const key of Object.keys(await catalogue(`${page}.${lang}`))) {
          expect([lang, key, seen.get(key)]).toEqual([lang, key, undefined]);
          seen.set(key, page);
        }
      }
    }
  });

  it('names every work order status and role the server knows', () => {
    for (const status of WORK_ORDER_STATUSES) expect(en).toHaveProperty([`status.${status}`]);
    for (const role of ROLES) expect(en).toHaveProperty([`role.${role}`]);
  });

  it('speaks Chinese in the Chinese catalogue', () => {
    const chinese = Object.values(zh).filter((text) => /[\u4e00-\u9fff]/.test(text));
    // Only symbols and separators may be without Chinese characters (', ' is '、' in Chinese).
    expect(Object.keys(zh).length - chinese.length).toBeLessThanOrEqual(1);
  });
});
