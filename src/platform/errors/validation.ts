import { ValidationError, ValidationPipe } from '@nestjs/common';
import { DomainError, FieldError, PlatformErrorCode } from './domain-error';

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
    for (const message of Object.values(e.constraints ?? {}))
      out.push({ field, message: message.replace(/^property /, '') });
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
    validationError: { target: false, value: false },
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
