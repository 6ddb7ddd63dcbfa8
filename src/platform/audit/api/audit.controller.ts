import { Controller, Get, Query, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Readable } from 'node:stream';
import { CurrentPrincipal, Roles } from '../../auth/auth.decorators';
import type { Principal } from '../../auth/principal';
import { csvRow } from '../../http/csv';
import type { AuditEntry } from '../audit-entry.entity';
import { AuditQueryService } from '../audit-query.service';
import { AuditEntryResponse, AuditExportQueryDto, AuditPageResponse, AuditQueryDto } from './audit.dto';

/** Columns of the CSV export, in order; before/after are the entry's JSON snapshots as text. */
export const AUDIT_EXPORT_COLUMNS = [
  'id',
  'occurredAt',
  'actorType',
  'actorId',
  'actorName',
  'siteId',
  'entityType',
  'entityId',
  'action',
  'reason',
  'correlationId',
  'before',
  'after',
] as const;

@ApiTags('audit')
@ApiBearerAuth('bearer')
@Roles('admin', 'quality')
@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AuditQueryService) {}

  @Get()
  @ApiOkResponse({ type: AuditPageResponse, description: 'Audit entries, newest first unless order=asc' })
  find(@CurrentPrincipal() p: Principal, @Query() q: AuditQueryDto): Promise<AuditPageResponse> {
    return this.audit.find(p, q);
  }

  @Get('export')
  @ApiOperation({
    summary: 'Export the audit trail',
    description:
      'Every entry matching the filters (as for GET /audit), oldest first, streamed as a download: CSV (UTF-8, ' +
      'RFC 4180, a header row, before/after as JSON text) or a JSON array of entries. Covers the entries ' +
      'written before the export started.',
  })
  @ApiProduces('text/csv', 'application/json')
  @ApiOkResponse({ description: 'The matching entries, oldest first', type: [AuditEntryResponse] })
  async export(@CurrentPrincipal() p: Principal, @Query() q: AuditExportQueryDto): Promise<StreamableFile> {
    const { format = 'csv', ...filter } = q;
    const batches = await this.audit.exportBatches(p, filter);
    const stamp = new Date()
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d+Z$/, 'Z');
    const name = `audit-${stamp}.${format}`;
    const body = format === 'csv' ? csvLines(batches) : jsonArray(batches);
    return new StreamableFile(Readable.from(body, { objectMode: false }), {
      type: format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8',
      disposition: `attachment; filename="${name}"`,
    });
  }
}

async function* csvLines(batches: AsyncIterable<AuditEntry[]>): AsyncGenerator<string> {
  yield csvRow(AUDIT_EXPORT_COLUMNS);
  for await (const rows of batches) {
    yield rows
      .map((e) =>
        csvRow([
          e.id,
          e.occurredAt.toISOString(),
          e.actorType,
          e.actorId,
          e.actorName,
          e.siteId,
          e.entityType,
          e.entityId,
          e.action,
          e.reason,
          e.correlationId,
          e.before === null ? null : JSON.stringify(e.before),
          e.after === null ? null : JSON.stringify(e.after),
        ]),
      )
      .join('');
  }
}

async function* jsonArray(batches: AsyncIterable<AuditEntry[]>): AsyncGenerator<string> {
  yield '[';
  let first = true;
  for await (const rows of batches) {
    yield rows.map((e, i) => `${first && i === 0 ? '\n' : ',\n'}${JSON.stringify(e)}`).join('');
    first = false;
  }
  yield first ? ']\n' : '\n]\n';
}
