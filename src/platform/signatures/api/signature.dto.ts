import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { SIGNATURE_MEANINGS, type SignatureInvalidCode, type SignatureMeaning } from '../signatures.service';

export class SignRecordDto {
  @ApiProperty({ example: 'site', description: 'Type of the record being signed' })
  @Matches(/^[a-z][a-z0-9_.-]{0,63}$/, { message: 'entityType must be a lower-case record type' })
  entityType: string;

  @ApiProperty({ description: 'Id of the record' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  entityId: string;

  @ApiProperty({ enum: SIGNATURE_MEANINGS })
  @IsIn(SIGNATURE_MEANINGS)
  meaning: SignatureMeaning;

  @ApiProperty({ format: 'password', description: "The signer's password, checked again at signing" })
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  password: string;

  @ApiPropertyOptional({ description: 'Comment recorded with the signature' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  reason?: string;
}

export class SignatureQueryDto {
  @ApiProperty({ example: 'site' })
  @Matches(/^[a-z][a-z0-9_.-]{0,63}$/, { message: 'entityType must be a lower-case record type' })
  entityType: string;

  @ApiProperty()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  entityId: string;
}

export class SignatureResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() entityType: string;
  @ApiProperty() entityId: string;
  @ApiProperty({ enum: SIGNATURE_MEANINGS }) meaning: string;
  @ApiProperty({ nullable: true, type: String }) reason: string | null;
  @ApiProperty({ format: 'uuid' }) signerId: string;
  @ApiProperty() signerName: string;
  @ApiProperty() signerUsername: string;
  @ApiProperty() signedAt: Date;
  @ApiProperty({ description: 'SHA-256 of the canonical JSON of the record at signing' }) recordHash: string;
  @ApiProperty({ description: 'False once the record has changed since it was signed' }) valid: boolean;
  @ApiProperty({ nullable: true, type: String }) currentRecordHash: string | null;
  @ApiProperty({
    nullable: true,
    enum: ['record_changed', 'record_missing', 'signature_altered'],
    description: 'Why the signature is invalid; null while valid',
  })
  invalidCode: SignatureInvalidCode | null;
  @ApiProperty({ nullable: true, type: String, example: 'The record changed after it was signed (quantity)' })
  invalidReason: string | null;
  @ApiProperty({ type: [String], description: 'Fields of the record that differ from what was signed' })
  changedFields: string[];
}
