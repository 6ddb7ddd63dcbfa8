import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { Matches } from 'class-validator';

/**
 * A non-negative quantity as a decimal string (up to 12 integer and 6 fraction digits). JSON numbers are
 * accepted and kept as written; they are never added up as floats.
 */
export const IsQuantity = (field: string): PropertyDecorator =>
  applyDecorators(
    Transform(({ value }: { value: unknown }) =>
      typeof value === 'number' && Number.isFinite(value) ? String(value) : value,
    ),
    Matches(/^\d{1,12}(\.\d{1,6})?$/, {
      message: `${field} must be a non-negative decimal with at most 12 integer and 6 fraction digits`,
    }),
  );
