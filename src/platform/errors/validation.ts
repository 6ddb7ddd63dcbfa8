import { ValidationError, ValidationPipe } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import {
  getMetadataStorage,
  validate,
  ValidateIf,
  ValidationTypes,
  type ValidatorOptions,
} from 'class-validator';
import { DomainError, type FieldError, PlatformErrorCode } from './domain-error';

/**
 * At most this many field errors go into a problem document: a body with 100,000 bad array items would
 * otherwise get an answer of several megabytes. The detail still gives the full count.
 */
export const MAX_FIELD_ERRORS = 100;

/** Flattens class-validator's tree into `{field: "lines[2].qty", message}` entries. */
export function flattenValidationErrors(
  errors: ValidationError[],
  parent = '',
  out: FieldError[] = [],
): FieldError[] {
  for (const e of errors) {
    const field =
      parent === ''
        ? e.property
        : /^\d+$/.test(e.property)
          ? `${parent}[${e.property}]`
          : `${parent}.${e.property}`;
    const messages = Object.values(e.constraints ?? {});
    // A missing value fails every rule of its field; one message says what is wrong.
    const missing = e.value === undefined && messages.length > 0 && !e.constraints?.whitelistValidation;
    if (missing) out.push({ field, message: `${e.property} is required` });
    else for (const message of messages) out.push({ field, message: message.replace(/^property /, '') });
    // Appended in place: spreading a child list of 100,000 items into push() overflows the stack.
    if (e.children?.length) flattenValidationErrors(e.children, field, out);
  }
  return out;
}

/**
 * Nested DTOs that are arrays where an object is due. class-validator's ValidateNested validates an array value
 * item by item, so `lots: [[{…}]]` passes as `lots: [{…}]` (and `plan: [{…}]` as `plan: {…}`), and the service
 * then reads fields off an array: a 500 instead of a 400. Each nested value must be an object, and the items of
 * a nested list objects, as the property's declared type says.
 */
export function nestedShapeErrors(dto: object, depth = 0): ValidationError[] {
  const errors: ValidationError[] = [];
  if (depth > 32) return errors;
  const metadata = getMetadataStorage().getTargetValidationMetadatas(dto.constructor, '', true, false);
  const checked = new Set<string>();
  for (const m of metadata) {
    if (m.type !== ValidationTypes.NESTED_VALIDATION || checked.has(m.propertyName)) continue;
    checked.add(m.propertyName);
    const value = (dto as Record<string, unknown>)[m.propertyName];
    if (value === undefined || value === null) continue;
    const declaredList = Reflect.getMetadata('design:type', dto, m.propertyName) === Array;
    if (!declaredList && Array.isArray(value)) {
      errors.push(shapeError(m.propertyName, value, `${m.propertyName} must be an object, not a list`));
      continue;
    }
    const items: unknown[] = declaredList && Array.isArray(value) ? value : [value];
    const children: ValidationError[] = [];
    items.forEach((item, i) => {
      const name = declaredList ? String(i) : m.propertyName;
      if (Array.isArray(item))
        children.push(shapeError(name, item, 'each item must be an object, not a list'));
      else if (item !== null && typeof item === 'object') {
        const nested = nestedShapeErrors(item, depth + 1);
        if (nested.length) children.push({ property: name, value: item, children: nested });
      }
    });
    if (!declaredList) errors.push(...children);
    else if (children.length) {
      errors.push({ property: m.propertyName, value, children });
    }
  }
  return errors;
}

function shapeError(property: string, value: unknown, message: string): ValidationError {
  return { property, value, constraints: { isObject: message }, children: [] };
}

/** The API's validation pipe: class-validator's checks, then the shape of nested DTOs (nestedShapeErrors). */
class ApiValidationPipe extends ValidationPipe {
  protected override async validate(
    object: object,
    validatorOptions?: ValidatorOptions,
  ): Promise<ValidationError[]> {
    const errors = await super.validate(object, validatorOptions);
    return errors.length ? errors : nestedShapeErrors(object);
  }
}

export function createValidationPipe(): ValidationPipe {
  return new ApiValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    // Values stay on the errors (to tell missing from wrong) but never reach the client.
    validationError: { target: false, value: true },
    stopAtFirstError: false,
    exceptionFactory: (errors) => {
      const fields = flattenValidationErrors(errors);
      return new DomainError(
        'validation',
        PlatformErrorCode.VALIDATION_FAILED,
        `The request has ${fields.length} invalid field(s)`,
        {
          errors: fields.slice(0, MAX_FIELD_ERRORS),
        },
      );
    },
  });
}

/**
 * Optional, but not null: the field may be left out, and when sent it must pass its other rules. For fields
 * whose column cannot hold null — class-validator's IsOptional() lets null through, and null then fails the
 * database statement or a lookup (500) instead of answering 400.
 */
export const OptionalNotNull = (): PropertyDecorator => ValidateIf((_o, value) => value !== undefined);

/** The checks the HTTP pipe applies, for data that arrives another way (imports, generic controllers). */
export const VALIDATION_OPTIONS = {
  whitelist: true,
  forbidNonWhitelisted: true,
  forbidUnknownValues: true,
} as const;

/** Validates plain data against a DTO class; returns the instance or the field errors (never throws for bad data). */
export async function validatePlain<T extends object>(
  cls: new () => T,
  plain: unknown,
): Promise<{ value: T; errors: FieldError[] }> {
  if (typeof plain !== 'object' || plain === null || Array.isArray(plain)) {
    return { value: new cls(), errors: [{ field: '', message: 'must be a JSON object' }] };
  }
  const value = plainToInstance(cls, plain, { enableImplicitConversion: false });
  const found = await validate(value, VALIDATION_OPTIONS);
  const errors = flattenValidationErrors(found.length ? found : nestedShapeErrors(value));
  return { value, errors };
}

/** validatePlain, throwing the usual 400 problem on bad data. */
export async function validatedOrThrow<T extends object>(cls: new () => T, plain: unknown): Promise<T> {
  const { value, errors } = await validatePlain(cls, plain);
  if (errors.length) {
    throw new DomainError(
      'validation',
      PlatformErrorCode.VALIDATION_FAILED,
      `The request has ${errors.length} invalid field(s)`,
      {
        errors: errors.slice(0, MAX_FIELD_ERRORS),
      },
    );
  }
  return value;
}
