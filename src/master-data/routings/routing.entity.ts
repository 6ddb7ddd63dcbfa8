import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';
import { Site } from '../../platform/sites/site.entity';
import { Equipment } from '../hierarchy/equipment.entity';
import { WorkCenter } from '../hierarchy/work-center.entity';
import { Material } from '../materials/material.entity';

/** A revision of how a material is made (工艺路线): operations in sequence, valid from a date. */
@Entity({ name: 'routing' })
@Index('ux_routing_material_revision', ['materialId', 'revision'], { unique: true })
@Index('ix_routing_site_material', ['siteId', 'materialId'])
@Check('ck_routing_validity', `valid_to IS NULL OR valid_to > valid_from`)
export class Routing {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_routing' })
  id: string;

  @ManyToOne(() => Site, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'site_id', foreignKeyConstraintName: 'fk_routing_site' })
  site?: Site;

  @Column({ type: 'uuid' })
  siteId: string;

  @ManyToOne(() => Material, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'material_id', foreignKeyConstraintName: 'fk_routing_material' })
  material?: Material;

  @Column({ type: 'uuid' })
  materialId: string;

  @Column({ type: 'int' })
  revision: number;

  @Column({ type: 'date' })
  validFrom: string;

  @Column({ type: 'date', nullable: true })
  validTo: string | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  description: string | null;

  @Column({ type: 'boolean', default: true })
  active: boolean;

  @VersionColumn({ default: 1 })
  version: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}

export interface ProcessParameter {
  name: string;
  unit?: string;
  min?: number;
  max?: number;
}

export interface Attachment {
  title: string;
  url: string;
}

/** One step (工序) of a routing, done at a work center on one of its eligible machines. */
@Entity({ name: 'routing_operation' })
@Index('ux_routing_operation_seq', ['routingId', 'seq'], { unique: true })
@Index('ix_routing_operation_work_center', ['workCenterId'])
@Check('ck_routing_operation_transfer', `min_transfer_qty IS NULL OR min_transfer_qty > 0`)
export class RoutingOperation {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_routing_operation' })
  id: string;

  @ManyToOne(() => Routing, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'routing_id', foreignKeyConstraintName: 'fk_routing_operation_routing' })
  routing?: Routing;

  @Column({ type: 'uuid' })
  routingId: string;

  /** 10, 20, 30 ...: the order of the steps. */
  @Column({ type: 'int' })
  seq: number;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Column({ type: 'varchar', length: 200, nullable: true })
  nameZh: string | null;

  @ManyToOne(() => WorkCenter, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'work_center_id', foreignKeyConstraintName: 'fk_routing_operation_work_center' })
  workCenter?: WorkCenter;

  @Column({ type: 'uuid' })
  workCenterId: string;

  /** The next step may start once this many units are done (overlapping operations); whole lot when null. */
  @Column({ type: 'numeric', precision: 18, scale: 6, nullable: true })
  minTransferQty: string | null;

  /** Work instructions (作业指导) in Markdown. */
  @Column({ type: 'text', nullable: true })
  instructions: string | null;

  @Column({ type: 'jsonb', default: () => "'[]'" })
  attachments: Attachment[];

  /** Values the operator or the machine records (temperature, torque ...), with limits. */
  @Column({ type: 'jsonb', default: () => "'[]'" })
  parameters: ProcessParameter[];

  /** In-process inspection (IPQC) happens at this step. */
  @Column({ type: 'boolean', default: false })
  inspectionPoint: boolean;
}

/** A machine that can do an operation, with its own times and setup family. */
@Entity({ name: 'routing_operation_equipment' })
@Check('ck_routing_operation_equipment_times', `run_time_per_unit_sec > 0 AND setup_time_sec >= 0`)
export class RoutingOperationEquipment {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_routing_operation_equipment' })
  operationId: string;

  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_routing_operation_equipment' })
  equipmentId: string;

  @ManyToOne(() => RoutingOperation, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'operation_id', foreignKeyConstraintName: 'fk_routing_operation_equipment_operation' })
  operation?: RoutingOperation;

  @ManyToOne(() => Equipment, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'equipment_id', foreignKeyConstraintName: 'fk_routing_operation_equipment_equipment' })
  equipment?: Equipment;

  @Column({ type: 'numeric', precision: 12, scale: 3 })
  runTimePerUnitSec: string;

  @Column({ type: 'numeric', precision: 12, scale: 3, default: 0 })
  setupTimeSec: string;

  /** Setups between jobs of the same family are shorter (sequence-dependent setups in the APS). */
  @Column({ type: 'varchar', length: 32, nullable: true })
  setupFamily: string | null;
}
