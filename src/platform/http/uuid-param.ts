import { Param, ParseUUIDPipe } from '@nestjs/common';
import { DomainError, PlatformErrorCode } from '../errors/domain-error';

/** A path parameter that must be a UUID; anything else is a 400 naming the parameter. */
export const UuidParam = (name: string): ParameterDecorator =>
  Param(
    name,
    new ParseUUIDPipe({
      exceptionFactory: () =>
        new DomainError('validation', PlatformErrorCode.VALIDATION_FAILED, `${name} must be a UUID`, {
          errors: [{ field: name, message: 'must be a UUID' }],
        }),
    }),
  );
