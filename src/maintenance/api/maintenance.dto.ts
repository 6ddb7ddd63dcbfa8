import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsDateString,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { PageQueryDto } from '../../platform/http/pagination';
import { OptionalNotNull } from '../../platform/errors/validation';
import { IsQuantity } from '../../platform/http/quantity';
import {
  CRITICALITIES,
  METER_FEEDS,
  METER_KINDS,
  type Criticality,
  type MeterFeed,
  type MeterKind,
} from '../assets/asset.entities';
import { TICKET_KINDS, TICKET_STATUSES, type TicketKind } from '../engine/ticket-state';
import { TICKET_PRIORITIES, type TicketPriority } from '../tickets/ticket.entities';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export class VersionedDto {
  @ApiPropertyOptional({ description: 'The version you saw; refused with 409 STALE_VERSION when it changed' })
  @IsOptional()
  @IsInt()
  @Min(1)
  expectedVersion?: number;
}

export class DocumentLinkDto {
  @ApiProperty({ example: 'Operating manual' }) @IsString() @MinLength(1) @MaxLength(200) title: string;

  @ApiProperty({ example: 'https://docs.example.com/lathe-1/manual.pdf' })
  @IsUrl({ require_protocol: true, protocols: ['http', 'https'] })
  @MaxLength(2000)
  url: string;
}

export class CreateAssetDto {
  @ApiProperty({ description: 'The machine (equipment id or code) this asset is or is fitted in' })
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  equipment: string;

  @ApiPropertyOptional({
    description: 'A component fitted in this asset (asset id or code); omit for the machine itself',
  })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  parent?: string;

  @ApiPropertyOptional({ description: 'Asset code; the equipment code for the machine itself' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, { message: 'code: letters, digits, dot, dash, underscore' })
  code?: string;

  @ApiPropertyOptional() @IsOptional() @IsString() @MinLength(1) @MaxLength(200) name?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) serialNo?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) manufacturer?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) model?: string;

  @ApiPropertyOptional({ example: '2024-03-15' })
  @IsOptional()
  @Matches(DATE, { message: 'installDate must be YYYY-MM-DD' })
  installDate?: string;

  @ApiPropertyOptional({ enum: CRITICALITIES }) @IsOptional() @IsIn(CRITICALITIES) criticality?: Criticality;

  @ApiPropertyOptional({ type: [DocumentLinkDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => DocumentLinkDto)
  documents?: DocumentLinkDto[];
}

export class UpdateAssetDto extends VersionedDto {
  // name, criticality and active are never null on an asset: null is refused, not stored.
  @ApiPropertyOptional() @OptionalNotNull() @IsString() @MinLength(1) @MaxLength(200) name?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) serialNo?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) manufacturer?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) model?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @Matches(DATE, { message: 'installDate must be YYYY-MM-DD' })
  installDate?: string;

  @ApiPropertyOptional({ enum: CRITICALITIES })
  @OptionalNotNull()
  @IsIn(CRITICALITIES)
  criticality?: Criticality;

  @ApiPropertyOptional() @OptionalNotNull() @IsBoolean() active?: boolean;

  @ApiPropertyOptional({
    type: [DocumentLinkDto],
    description: 'Replaces the list; [] clears it (null is refused)',
  })
  @OptionalNotNull()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => DocumentLinkDto)
  documents?: DocumentLinkDto[];
}

export class CreateMeterDto {
  @ApiProperty({ example: 'HOURS' })
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, { message: 'code: letters, digits, dot, dash, underscore' })
  code: string;

  @ApiProperty({ enum: METER_KINDS }) @IsIn(METER_KINDS) kind: MeterKind;

  @ApiProperty({
    enum: METER_FEEDS,
    description:
      'manual: readings typed in; reported_quantity: good + scrap reported on the machine; running_time: hours it ' +
      'ran operations; machine_count: pieces its counters counted (machine data); machine_run_time: hours it ' +
      'reported itself running (machine data)',
  })
  @IsIn(METER_FEEDS)
  feed: MeterFeed;

  @ApiPropertyOptional({ description: 'h for run hours, pcs for cycles …' })
  @IsOptional()
  @IsString()
  @MaxLength(16)
  unit?: string;

  @ApiPropertyOptional({
    description: 'What the meter shows now (fed meters count on from here)',
    example: '1250',
  })
  @IsOptional()
  @IsQuantity('offset')
  offset?: string;
}

export class MeterReadingDto {
  @ApiProperty({ example: '1312.5' }) @IsQuantity('value') value: string;

  @ApiPropertyOptional({ description: 'When it was read; now by default' })
  @IsOptional()
  @IsDateString({ strict: true })
  at?: string;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) note?: string;
}

export class ChecklistItemDto {
  @ApiProperty({ example: 'Check spindle oil level' }) @IsString() @MinLength(1) @MaxLength(300) text: string;
  @ApiPropertyOptional({ example: '检查主轴油位' }) @IsOptional() @IsString() @MaxLength(300) textZh?: string;
}

export class PartLineDto {
  @ApiProperty({ description: 'Material id or code' })
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  material: string;
  @ApiProperty({ example: '2' }) @IsQuantity('quantity') quantity: string;
}

export class CreatePmPlanDto {
  @ApiProperty({ description: 'Asset id or code (or the equipment code of a machine)' })
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  asset: string;

  @ApiProperty({ example: 'PM-LATHE-1-M' })
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, { message: 'code: letters, digits, dot, dash, underscore' })
  code: string;

  @ApiProperty({ example: 'Monthly lubrication' }) @IsString() @MinLength(1) @MaxLength(200) name: string;

  @ApiProperty({ enum: ['calendar', 'meter'] }) @IsIn(['calendar', 'meter']) trigger: 'calendar' | 'meter';

  @ApiPropertyOptional({ description: 'Calendar: repeat every N units' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  every?: number;

  @ApiPropertyOptional({ enum: ['day', 'week', 'month'] })
  @IsOptional()
  @IsIn(['day', 'week', 'month'])
  unit?: 'day' | 'week' | 'month';

  @ApiPropertyOptional({
    enum: ['fixed', 'completion'],
    description: 'fixed: on a grid from the start date; completion: N after the last one was done',
  })
  @IsOptional()
  @IsIn(['fixed', 'completion'])
  basis?: 'fixed' | 'completion';

  @ApiPropertyOptional({
    description: 'Calendar: fixed dates of each year, MM-DD',
    example: ['01-15', '07-15'],
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(366)
  @Matches(/^\d{2}-\d{2}$/, { each: true, message: 'fixedDates must be MM-DD' })
  fixedDates?: string[];

  @ApiPropertyOptional({ description: 'First date it may fall due (site calendar); today by default' })
  @IsOptional()
  @Matches(DATE, { message: 'startDate must be YYYY-MM-DD' })
  startDate?: string;

  @ApiPropertyOptional({ description: 'Calendar: make the ticket this many days ahead' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(365)
  leadDays?: number;

  @ApiPropertyOptional({ description: 'Meter: the meter code (of the asset) or id' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  meter?: string;

  @ApiPropertyOptional({ description: 'Meter: units between maintenances', example: '500' })
  @IsOptional()
  @IsQuantity('meterInterval')
  meterInterval?: string;

  @ApiPropertyOptional({
    description: 'Meter: make the ticket this many units before it is due',
    example: '25',
  })
  @IsOptional()
  @IsQuantity('leadUnits')
  leadUnits?: string;

  @ApiPropertyOptional({ description: 'Meter: the reading the count starts from (the meter now by default)' })
  @IsOptional()
  @IsQuantity('lastDoneReading')
  lastDoneReading?: string;

  @ApiPropertyOptional({ description: 'Local time the window starts on the due date', example: '08:00' })
  @IsOptional()
  @Matches(/^([01]\d|2[0-3]):[0-5]\d$/, { message: 'startTime must be HH:MM' })
  startTime?: string;

  @ApiProperty({ example: 90, description: 'Estimated minutes (the window reserved on the machine)' })
  @IsInt()
  @Min(1)
  @Max(10080)
  estimatedMinutes: number;

  @ApiPropertyOptional({ type: [ChecklistItemDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => ChecklistItemDto)
  checklist?: ChecklistItemDto[];

  @ApiPropertyOptional({ type: [PartLineDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => PartLineDto)
  parts?: PartLineDto[];

  @ApiPropertyOptional({ example: ['hydraulics'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  skills?: string[];

  @ApiPropertyOptional() @IsOptional() @IsBoolean() signatureRequired?: boolean;

  @ApiPropertyOptional({ enum: ['low', 'normal', 'high'] })
  @IsOptional()
  @IsIn(['low', 'normal', 'high'])
  priority?: 'low' | 'normal' | 'high';
}

export class UpdatePmPlanDto extends VersionedDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MinLength(1) @MaxLength(200) name?: string;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() active?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(1) @Max(10080) estimatedMinutes?: number;
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(0) @Max(365) leadDays?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @Matches(/^([01]\d|2[0-3]):[0-5]\d$/, { message: 'startTime must be HH:MM' })
  startTime?: string;

  @ApiPropertyOptional({ type: [ChecklistItemDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => ChecklistItemDto)
  checklist?: ChecklistItemDto[];
}

export class CreateTicketDto {
  @ApiProperty({ enum: TICKET_KINDS }) @IsIn(TICKET_KINDS) kind: TicketKind;

  @ApiProperty({ description: 'Asset id or code, or the machine’s equipment code' })
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  asset: string;

  @ApiProperty({ example: 'Spindle noise at high speed' })
  @IsString()
  @MaxLength(200)
  @Matches(/\S/, { message: 'title must not be blank' })
  title: string;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(4000) description?: string;
  @ApiPropertyOptional({ enum: TICKET_PRIORITIES })
  @IsOptional()
  @IsIn(TICKET_PRIORITIES)
  priority?: TicketPriority;

  @ApiPropertyOptional({
    description:
      'Corrective: the machine has stopped (its running operations pause, downtime starts, the machine goes down)',
  })
  @IsOptional()
  @IsBoolean()
  machineDown?: boolean;

  @ApiPropertyOptional({ description: 'Downtime reason code for a breakdown (category downtime_unplanned)' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  reasonCode?: string;

  @ApiPropertyOptional({ description: 'A breakdown: when the machine is expected back' })
  @IsOptional()
  @IsDateString({ strict: true })
  expectedBackAt?: string;

  @ApiPropertyOptional({ description: 'Time reserved on the machine (planned work)' })
  @IsOptional()
  @IsDateString({ strict: true })
  windowStart?: string;

  @ApiPropertyOptional() @IsOptional() @IsDateString({ strict: true }) windowEnd?: string;
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(1) @Max(10080) estimatedMinutes?: number;

  @ApiPropertyOptional({ description: 'Technician (user id or username)' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  assignee?: string;

  @ApiPropertyOptional({ type: [ChecklistItemDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => ChecklistItemDto)
  checklist?: ChecklistItemDto[];

  @ApiPropertyOptional()
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  skills?: string[];
}

export class UpdateTicketDto extends VersionedDto {
  // Null is no value for these: the columns hold none (title, priority) or a window cannot be half cleared.
  @ApiPropertyOptional() @OptionalNotNull() @IsString() @MaxLength(200) @Matches(/\S/) title?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(4000) description?: string;
  @ApiPropertyOptional({ enum: TICKET_PRIORITIES })
  @OptionalNotNull()
  @IsIn(TICKET_PRIORITIES)
  priority?: TicketPriority;
  @ApiPropertyOptional() @OptionalNotNull() @IsDateString({ strict: true }) windowStart?: string;
  @ApiPropertyOptional() @OptionalNotNull() @IsDateString({ strict: true }) windowEnd?: string;
  @ApiPropertyOptional() @OptionalNotNull() @IsDateString({ strict: true }) expectedBackAt?: string;
}

export class AssignTicketDto extends VersionedDto {
  @ApiProperty({
    description: 'Technician: user id or username (a user with the maintenance role at the site)',
  })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  technician: string;
}

export class TicketNoteDto extends VersionedDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(500) note?: string;
}

export class TicketReasonDto extends VersionedDto {
  @ApiProperty()
  @IsString()
  @MaxLength(500)
  @Matches(/\S/, { message: 'reason must not be blank' })
  reason: string;
}

export class LabourEntryDto {
  @ApiPropertyOptional({ description: 'Technician (user id or username); you by default' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  technician?: string;

  @ApiProperty() @IsDateString({ strict: true }) startedAt: string;
  @ApiProperty() @IsDateString({ strict: true }) endedAt: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(500) note?: string;
}

export class ChecklistAnswerDto {
  @ApiProperty({ description: 'Item index (0-based)' }) @IsInt() @Min(0) @Max(199) index: number;
  @ApiProperty() @IsBoolean() done: boolean;
  @ApiPropertyOptional({ description: 'What was found or measured' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  note?: string;
}

export class IssuePartDto extends PartLineDto {
  @ApiPropertyOptional({ description: 'Lot id or code to take; FIFO/FEFO from the warehouse by default' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  lot?: string;
}

export class CompleteTicketDto extends VersionedDto {
  @ApiPropertyOptional({ description: 'Corrective: failure code', example: 'BEARING' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  failureCode?: string;

  @ApiPropertyOptional({ description: 'Corrective: cause' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  cause?: string;
  @ApiPropertyOptional({ description: 'Corrective: remedy' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  remedy?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(500) note?: string;
}

export class VerifyTicketDto extends VersionedDto {
  @ApiPropertyOptional({ description: 'Your password, when the ticket needs a signature' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  password?: string;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(500) note?: string;
}

export class TicketQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: TICKET_STATUSES, isArray: true, description: 'Comma-separated statuses' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  status?: string;

  @ApiPropertyOptional({ enum: TICKET_KINDS }) @IsOptional() @IsIn(TICKET_KINDS) kind?: TicketKind;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(64) equipment?: string;
  @ApiPropertyOptional({ description: 'Technician id, or `me`' })
  @IsOptional()
  @IsString()
  // Compared with a uuid column: anything else would fail the query (500) instead of answering 400.
  @Matches(/^(me|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i, {
    message: 'assignee must be a technician id or "me"',
  })
  assignee?: string;
}

export class PeriodQueryDto {
  @ApiProperty({ description: 'Start of the period (ISO 8601)' })
  @IsDateString({ strict: true })
  from: string;
  @ApiProperty({ description: 'End of the period (ISO 8601)' }) @IsDateString({ strict: true }) to: string;
}

export class OeeQueryDto extends PeriodQueryDto {
  @ApiPropertyOptional({ description: 'Machines: equipment ids or codes, comma-separated' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  equipment?: string;

  @ApiPropertyOptional({ description: 'A line (id or code): every machine of it, and the line’s sum' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  line?: string;

  @ApiPropertyOptional({ description: 'Split by shift of the machines’ calendars' })
  @IsOptional()
  @IsIn(['true', 'false'])
  byShift?: 'true' | 'false';
}
