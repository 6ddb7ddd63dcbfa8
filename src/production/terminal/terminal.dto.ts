import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsDateString,
  IsBoolean,
  IsIn,
  IsNumber,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
  Matches,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { IsQuantity } from '../../platform/http/quantity';
import { ANDON_KINDS, type AndonKind } from '../shop-floor/shop-floor.entities';

export class StartOperationDto {
  @ApiPropertyOptional({
    description: 'Machine id or code; the scheduled or only eligible machine when omitted',
  })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  equipment?: string;
}

export class PauseOperationDto {
  @ApiProperty({ description: 'Reason code id or code (category pause or downtime)', example: 'P-BREAK' })
  @IsString()
  @MaxLength(64)
  reasonCode: string;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(500) note?: string;
}

export class ReportQuantityDto {
  @ApiPropertyOptional({ example: '5', description: 'Good quantity made since the last report (decimal)' })
  @IsOptional()
  @IsQuantity('goodQty')
  goodQty?: string;

  @ApiPropertyOptional({ example: '1', description: 'Scrap quantity since the last report (decimal)' })
  @IsOptional()
  @IsQuantity('scrapQty')
  scrapQty?: string;

  @ApiPropertyOptional({ description: 'Scrap reason code id or code; required with scrap', example: 'S-DIM' })
  @ValidateIf((o: ReportQuantityDto) => o.scrapQty !== undefined && !/^0*(\.0*)?$/.test(o.scrapQty))
  @IsString({ message: 'scrapReasonCode is required when scrap is reported' })
  @MaxLength(64)
  scrapReasonCode?: string;
}

export class CompleteOperationDto extends ReportQuantityDto {}

export class ConsumeMaterialDto {
  @ApiProperty({ description: 'Scanned lot code (or lot id)', example: 'BRG-6205-261120-001' })
  @IsString()
  @MaxLength(64)
  lot: string;

  @ApiProperty({ example: '4' })
  @IsQuantity('quantity')
  quantity: string;

  @ApiPropertyOptional({ description: 'Line-side location id or code; found from the lot when omitted' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  location?: string;

  @ApiPropertyOptional({
    type: [String],
    description: 'Serial-tracked materials: the scanned units, one per unit of quantity',
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10000)
  @Matches(/^[A-Za-z0-9._\-/]{1,100}$/, {
    each: true,
    message: 'each serial number must be 1-100 letters, digits or . _ - /',
  })
  serials?: string[];
}

export class ReadingDto {
  @ApiProperty({ example: 'Tightening torque' }) @IsString() @MaxLength(100) name: string;
  @ApiProperty({ example: 42.5 }) @IsNumber({ allowNaN: false, allowInfinity: false }) value: number;
  @ApiPropertyOptional({ example: 'Nm' }) @IsOptional() @IsString() @MaxLength(32) unit?: string;
  @ApiPropertyOptional({ description: 'When measured; now when omitted' })
  @IsOptional()
  @IsDateString({ strict: true })
  at?: string;
  @ApiPropertyOptional({ description: 'Machine id or code that measured it' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  equipment?: string;
}

export class RecordReadingsDto {
  @ApiProperty({ type: [ReadingDto] })
  @ValidateNested({ each: true })
  @Type(() => ReadingDto)
  @ArrayMinSize(1)
  @ArrayMaxSize(200)
  readings: ReadingDto[];
}

export class StartDowntimeDto {
  @ApiProperty({ description: 'Reason code id or code (downtime category)', example: 'D-BREAKDOWN' })
  @IsString()
  @MaxLength(64)
  reasonCode: string;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(500) note?: string;
}

export class RaiseAndonDto {
  @ApiProperty({ enum: ANDON_KINDS }) @IsIn(ANDON_KINDS) kind: AndonKind;

  @ApiPropertyOptional({
    description: 'Work center id; the terminal work center or the operation one by default',
  })
  @IsOptional()
  @IsUUID()
  workCenterId?: string;

  @ApiPropertyOptional() @IsOptional() @IsUUID() equipmentId?: string;
  @ApiPropertyOptional() @IsOptional() @IsUUID() operationId?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(500) message?: string;

  @ApiPropertyOptional({
    description:
      'A maintenance call for a machine that has stopped (breakdown): the machine goes down, its running operations pause, downtime starts and maintenance gets a corrective ticket',
  })
  @IsOptional()
  @IsBoolean()
  machineDown?: boolean;

  @ApiPropertyOptional({
    description:
      'Downtime reason code (category downtime_unplanned) for a breakdown; the site’s first one by default',
  })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  reasonCode?: string;
}

export class AndonActionDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(500) note?: string;
}
