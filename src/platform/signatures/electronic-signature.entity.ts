import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { User } from '../users/user.entity';

/**
 * An electronic signature (21 CFR Part 11 §11.50/§11.70): who, when, what it means, bound to the SHA-256
 * of the signed record's canonical JSON so any later change to the record shows the signature invalid.
 */
@Entity({ name: 'electronic_signature' })
@Check('ck_electronic_signature_hash', `record_hash ~ '^[0-9a-f]{64}$'`)
@Index('ix_electronic_signature_record', ['entityType', 'entityId', 'signedAt'])
export class ElectronicSignature {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_electronic_signature' })
  id: string;

  @Column({ type: 'varchar', length: 64 })
  entityType: string;

  @Column({ type: 'varchar', length: 200 })
  entityId: string;

  @Column({ type: 'varchar', length: 32 })
  meaning: string;

  @Column({ type: 'text', nullable: true })
  reason: string | null;

  @ManyToOne(() => User, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'signer_id', foreignKeyConstraintName: 'fk_electronic_signature_signer' })
  signer: User;

  @Column({ type: 'uuid' })
  signerId: string;

  /** Printed name and username at the time of signing, as the manifestation requires. */
  @Column({ type: 'varchar', length: 200 })
  signerName: string;

  @Column({ type: 'varchar', length: 64 })
  signerUsername: string;

  @Column({ type: 'timestamptz', default: () => 'clock_timestamp()' })
  signedAt: Date;

  @Column({ type: 'char', length: 64 })
  recordHash: string;

  /** The canonical record that was signed, kept so a reviewer can see what changed since. */
  @Column({ type: 'jsonb' })
  signedRecord: unknown;

  @Column({ type: 'varchar', length: 100 })
  correlationId: string;
}
