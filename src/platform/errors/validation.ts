import { ValidationError, ValidationPipe } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { DomainError, type FieldError, PlatformErrorCode } from './domain-error';

/** Flattens class-validator's tree into `{field: "lines[2].qty", message}` entries. */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldError[] {
  const out: FieldError[] = [];
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
    if (e.children?.length) out.push(...flattenValidationErrors(e.children, field));
  }
  return out;
}

export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
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
          errors: fields,
        },
      );
    },
  });
}

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
  const errors = flattenValidationErrors(await validate(value, VALIDATION_OPTIONS));
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
        errors,
      },
    );
  }
  return value;
}
