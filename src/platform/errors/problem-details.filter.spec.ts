import { HttpException, NotFoundException } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { DomainError } from './domain-error';
import { toProblem } from './problem-details.filter';

const pgError = (code: string) =>
  new QueryFailedError('SELECT 1', [], Object.assign(new Error('pg says no: secret detail'), { code }));

describe('toProblem: everything thrown becomes an RFC 9457 document', () => {
  it('maps a domain error by kind, keeping code, field errors and extensions', () => {
    const { problem } = toProblem(
      new DomainError('conflict', 'WORK_ORDER_NOT_RELEASABLE', 'Work order is running', {
        errors: [{ field: 'status', message: 'must be planned' }],
        extensions: { currentState: 'running' },
      }),
      '/api/v1/x',
    );
    expect(problem).toMatchObject({
      type: '/problems/work-order-not-releasable',
      title: 'Conflict',
      status: 409,
      code: 'WORK_ORDER_NOT_RELEASABLE',
      detail: 'Work order is running',
      errors: [{ field: 'status', message: 'must be planned' }],
      currentState: 'running',
      instance: '/api/v1/x',
    });
    expect(problem.correlationId).toEqual(expect.any(String));
  });

  it.each([
    ['unique violation', pgError('23505'), 409, 'ALREADY_EXISTS'],
    ['serialization failure', pgError('40001'), 409, 'CONCURRENT_MODIFICATION'],
    ['lost connection', pgError('57P01'), 503, 'DATABASE_UNAVAILABLE'],
    ['other SQL error', pgError('42P01'), 500, 'INTERNAL'],
  ])('maps a %s without leaking SQL', (_name, err, status, code) => {
    const { problem } = toProblem(err);
    expect(problem).toMatchObject({ status, code });
    expect(JSON.stringify(problem)).not.toMatch(/SELECT|secret detail/);
  });

  it('maps a not-null violation to 400 naming the field, without leaking SQL', () => {
    const err = new QueryFailedError(
      'INSERT INTO site',
      [],
      Object.assign(new Error('null value in column "time_zone" violates not-null constraint'), {
        code: '23502',
        column: 'time_zone',
      }),
    );
    const { problem } = toProblem(err);
    expect(problem).toMatchObject({
      status: 400,
      code: 'VALIDATION_FAILED',
      errors: [{ field: 'timeZone', message: 'timeZone must not be null' }],
    });
    expect(JSON.stringify(problem)).not.toMatch(/INSERT|violates/);
  });

  it('hides internals of unexpected errors', () => {
    const { problem } = toProblem(new TypeError("Cannot read properties of undefined (reading 'id')"));
    expect(problem).toMatchObject({ status: 500, code: 'INTERNAL', detail: 'Internal error' });
    expect(JSON.stringify(problem)).not.toContain('undefined');
  });

  it('maps body-parser failures and framework exceptions', () => {
    const fst = (code: string, statusCode: number) => Object.assign(new Error(code), { code, statusCode });
    expect(toProblem(fst('FST_ERR_CTP_BODY_TOO_LARGE', 413)).problem).toMatchObject({
      status: 413,
      code: 'PAYLOAD_TOO_LARGE',
    });
    expect(toProblem(fst('FST_ERR_CTP_INVALID_JSON_BODY', 400)).problem.code).toBe('MALFORMED_JSON');
    expect(toProblem(fst('FST_ERR_CTP_INVALID_MEDIA_TYPE', 415)).problem).toMatchObject({
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
    });
    expect(toProblem(fst('FST_ERR_CTP_INVALID_CONTENT_LENGTH', 400)).problem).toMatchObject({
      status: 400,
      code: 'VALIDATION_FAILED',
    });
    expect(toProblem(new NotFoundException()).problem).toMatchObject({
      status: 404,
      code: 'ROUTE_NOT_FOUND',
    });
    expect(toProblem(new HttpException('boom', 502)).problem).toMatchObject({
      status: 502,
      detail: 'Internal error',
    });
  });

  it('asks clients to come back later when the database is down', () => {
    expect(
      toProblem(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })).retryAfterSeconds,
    ).toBe(5);
  });
});
