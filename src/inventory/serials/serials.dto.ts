import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsOptional, Matches } from 'class-validator';

/** An optional list of serial numbers (serial-tracked materials): one per unit, 1-100 of [A-Za-z0-9._-/]. */
export const SerialList = (): PropertyDecorator =>
  applyDecorators(
    ApiPropertyOptional({
      type: [String],
      example: ['MTR-2611-0001', 'MTR-2611-0002'],
      description: 'Serial-tracked materials: the units, one per unit of quantity',
    }),
    IsOptional(),
    IsArray(),
    ArrayMinSize(1),
    ArrayMaxSize(10000),
    Matches(/^[A-Za-z0-9._\-/]{1,100}$/, {
      each: true,
      message: 'each serial number must be 1-100 letters, digits or . _ - /',
    }),
  );
