import { ArgumentMetadata } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsInt, ValidateNested, type ValidationError } from 'class-validator';
import { DomainError } from './domain-error';
import { createValidationPipe, flattenValidationErrors, MAX_FIELD_ERRORS } from './validation';

class Line {
  @IsInt() qty: number;
}
class Lines {
  @ValidateNested({ each: true })
  @Type(() => Line)
  lines: Line[];
}
class Order {
  @ValidateNested()
  @Type(() => Line)
  line: Line;

  @ValidateNested({ each: true })
  @Type(() => Lines)
  groups: Lines[];
}

const meta = (metatype: ArgumentMetadata['metatype']): ArgumentMetadata => ({ type: 'body', metatype });
const fieldErrors = (
  pipe: ReturnType<typeof createValidationPipe>,
  body: unknown,
  metatype: ArgumentMetadata['metatype'],
) =>
  pipe
    .transform(body, meta(metatype))
    .then(() => [])
    .catch((e: DomainError) => e.errors);

describe('validation errors', () => {
  it('flattens 200,000 item errors without overflowing the stack', () => {
    const children: ValidationError[] = Array.from({ length: 200_000 }, (_, i) => ({
      property: String(i),
      children: [{ property: 'qty', value: 'x', constraints: { isInt: 'qty must be an integer number' } }],
    }));
    const fields = flattenValidationErrors([{ property: 'lines', value: [], children }]);
    expect(fields).toHaveLength(200_000);
    expect(fields[199_999]).toEqual({ field: 'lines[199999].qty', message: 'qty must be an integer number' });
  });

  it('answers at most MAX_FIELD_ERRORS field errors, counting them all in the detail', async () => {
    const pipe = createValidationPipe();
    const meta: ArgumentMetadata = { type: 'body', metatype: Lines };
    const error = await pipe
      .transform({ lines: Array.from({ length: 5000 }, () => ({ qty: 'x' })) }, meta)
      .then(() => null)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).errors).toHaveLength(MAX_FIELD_ERRORS);
    expect((error as DomainError).message).toBe('The request has 5000 invalid field(s)');
  });

  it('refuses a list where a nested object is due, at any depth (it reached the services: 500)', async () => {
    const pipe = createValidationPipe();
    expect(await fieldErrors(pipe, { lines: [{ qty: 1 }, { qty: 2 }] }, Lines)).toEqual([]);
    expect(await fieldErrors(pipe, { lines: [[{ qty: 1 }], { qty: 2 }] }, Lines)).toEqual([
      { field: 'lines[0]', message: 'each item must be an object, not a list' },
    ]);
    expect(await fieldErrors(pipe, { line: [{ qty: 1 }], groups: [] }, Order)).toEqual([
      { field: 'line', message: 'line must be an object, not a list' },
    ]);
    expect(
      await fieldErrors(pipe, { line: { qty: 1 }, groups: [{ lines: [{ qty: 1 }, [{ qty: 2 }]] }] }, Order),
    ).toEqual([{ field: 'groups[0].lines[1]', message: 'each item must be an object, not a list' }]);
  });
});
