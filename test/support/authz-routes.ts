import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { MetadataScanner, ModulesContainer, Reflector } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import { IS_PUBLIC, REQUIRED_ROLES } from '../../src/platform/auth/auth.decorators';
import type { Role } from '../../src/platform/auth/roles';

/** One route the server answers, as Fastify serves it, with the access rules its Nest handler declares. */
export interface ServedRoute {
  method: string;
  /** Fastify's pattern, e.g. /api/v1/sites/:siteId/work-orders/:id */
  url: string;
  /** Controller.method of the handler. */
  handler: string;
  isPublic: boolean;
  /** null: any authenticated caller passes the role check. */
  roles: Role[] | null;
}

/** Collects every route Fastify registers from now on; call before `listen`. */
export function recordFastifyRoutes(app: NestFastifyApplication): Array<{ method: string; url: string }> {
  const routes: Array<{ method: string; url: string }> = [];
  const fastify: FastifyInstance = app.getHttpAdapter().getInstance();
  fastify.addHook('onRoute', (r) => {
    for (const method of ([] as string[]).concat(r.method)) {
      if (method !== 'HEAD') routes.push({ method, url: r.url });
    }
  });
  return routes;
}

const asList = (p: string | string[] | undefined): string[] => (Array.isArray(p) ? p : [p ?? '']);
const join = (...parts: string[]): string => {
  const path = `/${parts.join('/')}`.replace(/\/+/g, '/');
  return path.length > 1 ? path.replace(/\/$/, '') : path;
};

/**
 * Pairs each served route with its Nest handler (controller and method path metadata, with or without the
 * global prefix) and that handler's @Public()/@Roles() as the global guard reads them.
 * `unmatched` lists served routes no Nest handler declares (the web pages), `orphans` handlers not served.
 */
export function discoverRoutes(
  app: NestFastifyApplication,
  served: Array<{ method: string; url: string }>,
  prefix: string,
): { routes: ServedRoute[]; unmatched: string[]; orphans: string[] } {
  const reflector = app.get(Reflector);
  const scanner = new MetadataScanner();
  const servedKeys = new Set(served.map((r) => `${r.method} ${r.url}`));
  const byKey = new Map<string, ServedRoute>();
  const orphans: string[] = [];
  for (const mod of app.get(ModulesContainer).values()) {
    for (const wrapper of mod.controllers.values()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      const cls = wrapper.metatype as (new (...args: never[]) => unknown) | null;
      if (!instance || !cls) continue;
      const controllerPaths = asList(Reflect.getMetadata(PATH_METADATA, cls) as string | string[]);
      for (const name of scanner.getAllMethodNames(Object.getPrototypeOf(instance) as object)) {
        const fn = instance[name] as object;
        const methodPaths = Reflect.getMetadata(PATH_METADATA, fn) as string | string[] | undefined;
        if (methodPaths === undefined) continue;
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, fn) as RequestMethod];
        const targets = [fn as () => void, cls];
        const isPublic = reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets) === true;
        const roles = reflector.getAllAndOverride<Role[] | undefined>(REQUIRED_ROLES, targets);
        for (const c of controllerPaths) {
          for (const m of asList(methodPaths)) {
            const key = [join(prefix, c, m), join(c, m)]
              .map((p) => `${method} ${p}`)
              .find((k) => servedKeys.has(k));
            if (!key) {
              orphans.push(`${method} ${join(c, m)} (${cls.name}.${name})`);
              continue;
            }
            byKey.set(key, {
              method,
              url: key.slice(method.length + 1),
              handler: `${cls.name}.${name}`,
              isPublic,
              roles: roles && roles.length > 0 ? roles : null,
            });
          }
        }
      }
    }
  }
  const unmatched = [...servedKeys].filter((k) => !byKey.has(k));
  const routes = [...byKey.values()].sort((a, b) =>
    `${a.url} ${a.method}`.localeCompare(`${b.url} ${b.method}`),
  );
  return { routes, unmatched, orphans };
}

type Schema = {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  example?: unknown;
  default?: unknown;
  minimum?: number;
  minLength?: number;
  minItems?: number;
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
};
export interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: { schemas: Record<string, Schema> };
}
export interface OpenApiOperation {
  parameters?: Array<{ name: string; in: string; required?: boolean; schema?: Schema; example?: unknown }>;
  requestBody?: { content?: Record<string, { schema?: Schema }> };
}

/** The documented operation of a served route (`:param` → `{param}`). */
export function operationOf(doc: OpenApiDocument, route: ServedRoute): OpenApiOperation | undefined {
  const path = route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
  return doc.paths[path]?.[route.method.toLowerCase()];
}

/**
 * A plausible request body from the documented schema: required fields (and, through `pick`, any field that names
 * a record) from the examples, enums and types. It aims to get past validation so that the handler's own checks
 * (site access, record lookups) are reached.
 */
export function sampleBody(
  doc: OpenApiDocument,
  op: OpenApiOperation | undefined,
  pick: (field: string) => string | undefined,
): unknown {
  const schema = op?.requestBody?.content?.['application/json']?.schema;
  if (!schema) return {};
  const resolve = (s: Schema): Schema => {
    if (s.$ref) return resolve(doc.components.schemas[s.$ref.split('/').pop()!] ?? {});
    if (s.allOf?.length) return resolve(s.allOf[0]!);
    if (s.oneOf?.length) return resolve(s.oneOf[0]!);
    if (s.anyOf?.length) return resolve(s.anyOf[0]!);
    return s;
  };
  const value = (raw: Schema, field: string, depth: number): unknown => {
    const s = resolve(raw);
    const named = pick(field);
    if (named !== undefined && (s.type === 'string' || s.type === undefined)) return named;
    if (s.example !== undefined) return s.example;
    if (s.enum?.length) return s.enum[0];
    if (s.default !== undefined) return s.default;
    switch (s.type) {
      case 'string':
        if (s.format === 'uuid') return '00000000-0000-4000-8000-000000000000';
        if (s.format === 'date-time') return new Date().toISOString();
        if (s.format === 'date') return new Date().toISOString().slice(0, 10);
        return 'x'.repeat(Math.max(1, s.minLength ?? 1));
      case 'number':
      case 'integer':
        return s.minimum ?? 1;
      case 'boolean':
        return false;
      case 'array':
        return (s.minItems ?? 0) > 0 && s.items ? [value(s.items, field, depth + 1)] : [];
      default:
        return object(s, depth);
    }
  };
  const object = (s: Schema, depth: number): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    if (depth > 4) return out;
    const required = new Set(s.required ?? []);
    for (const [field, prop] of Object.entries(s.properties ?? {})) {
      if (required.has(field) || pick(field) !== undefined) out[field] = value(prop, field, depth + 1);
    }
    return out;
  };
  return value(schema, '', 0);
}
