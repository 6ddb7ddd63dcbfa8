import {
  Check,
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  VersionColumn,
} from 'typeorm';
import { sqlList } from '../../platform/database/sql-list';
import { TICKET_KINDS, TICKET_STATUSES, type TicketKind, type TicketStatus } from '../engine/ticket-state';
import { Asset } from '../assets/asset.entities';
import { PmPlan } from '../pm/pm-plan.entity';

export interface TicketChecklistItem {
  text: string;
  textZh?: string;
  done: boolean;
  /** What was found or measured. */
  note?: string | null;
  by?: string | null;
  at?: string | null;
}

export interface TicketAttachment {
  title: string;
  url: string;
  addedBy: string;
  addedAt: string;
}

export const TICKET_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type TicketPriority = (typeof TICKET_PRIORITIES)[number];

/** Tickets still to be worked: they hold their window, their parts and their machine. */
export const ACTIVE_TICKET_STATUSES = ['open', 'assigned', 'in_progress'] as const;

/**
 * A maintenance ticket (维修工单): preventive (from a PM plan, one per due date), corrective (a breakdown, often
 * from an andon at the terminal, with the machine down), or improvement.
 */
@Entity({ name: 'maintenance_ticket' })
@Index('ux_maintenance_ticket_site_code', ['siteId', 'code'], { unique: true })
@Index('ix_maintenance_ticket_site_status', ['siteId', 'status', 'createdAt'])
@Index('ix_maintenance_ticket_equipment', ['equipmentId', 'status'])
@Index('ix_maintenance_ticket_assignee', ['assigneeId', 'status'], { where: 'assignee_id IS NOT NULL' })
// One ticket per due date of a plan, and never two open at once: two instances of the job cannot double it.
@Index('ux_maintenance_ticket_plan_due', ['pmPlanId', 'dueKey'], {
  unique: true,
  where: 'pm_plan_id IS NOT NULL',
})
@Index('ux_maintenance_ticket_plan_open', ['pmPlanId'], {
  unique: true,
  where: `pm_plan_id IS NOT NULL AND status IN ('open', 'assigned', 'in_progress')`,
})
@Index('ux_maintenance_ticket_andon', ['andonId'], { unique: true, where: 'andon_id IS NOT NULL' })
@Check('ck_maintenance_ticket_kind', `kind IN (${sqlList(TICKET_KINDS)})`)
@Check('ck_maintenance_ticket_status', `status IN (${sqlList(TICKET_STATUSES)})`)
@Check('ck_maintenance_ticket_priority', `priority IN (${sqlList(TICKET_PRIORITIES)})`)
@Check(
  'ck_maintenance_ticket_window',
  `window_end IS NULL OR (window_start IS NOT NULL AND window_end > window_start)`,
)
@Check('ck_maintenance_ticket_plan', `(pm_plan_id IS NOT NULL) = (due_key IS NOT NULL)`)
@Check(
  'ck_maintenance_ticket_closure',
  `kind <> 'corrective' OR status NOT IN ('done', 'verified')
   OR (failure_code IS NOT NULL AND cause IS NOT NULL AND remedy IS NOT NULL)`,
)
export class Ticket {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_maintenance_ticket' })
  id: string;

  @ManyToOne('site', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'site_id', foreignKeyConstraintName: 'fk_maintenance_ticket_site' })
  site?: object;

  @Column({ type: 'uuid' })
  siteId: string;

  @Column({ type: 'varchar', length: 64 })
  code: string;

  @Column({ type: 'varchar', length: 12 })
  kind: TicketKind;

  @Column({ type: 'varchar', length: 12, default: 'open' })
  status: TicketStatus;

  @Column({ type: 'varchar', length: 8, default: 'normal' })
  priority: TicketPriority;

  @Column({ type: 'varchar', length: 200 })
  title: string;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  @ManyToOne(() => Asset, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'asset_id', foreignKeyConstraintName: 'fk_maintenance_ticket_asset' })
  asset?: Asset;

  @Column({ type: 'uuid' })
  assetId: string;

  @Column({ type: 'uuid' })
  equipmentId: string;

  @ManyToOne(() => PmPlan, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'pm_plan_id', foreignKeyConstraintName: 'fk_maintenance_ticket_pm_plan' })
  pmPlan?: PmPlan;

  @Column({ type: 'uuid', nullable: true })
  pmPlanId: string | null;

  /** The due date (`2026-12-01`) or due reading (`R5000`) the plan made it for. */
  @Column({ type: 'varchar', length: 40, nullable: true })
  dueKey: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  dueAt: Date | null;

  /** The machine stopped: a breakdown (machine `down`, downtime running until the ticket is done). */
  @Column({ type: 'boolean', default: false })
  breakdown: boolean;

  @Column({ type: 'uuid', nullable: true })
  andonId: string | null;

  @Column({ type: 'uuid', nullable: true })
  downtimeId: string | null;

  /** The operation that was running when the machine broke down. */
  @Column({ type: 'uuid', nullable: true })
  operationId: string | null;

  /** The time reserved on the machine (planned unavailable for the APS while the ticket is active). */
  @Column({ type: 'timestamptz', nullable: true })
  windowStart: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  windowEnd: Date | null;

  /** A breakdown: when the technician expects the machine back (the plan keeps it free until then). */
  @Column({ type: 'timestamptz', nullable: true })
  expectedBackAt: Date | null;

  @Column({ type: 'int', nullable: true })
  estimatedMinutes: number | null;

  @Column({ type: 'varchar', length: 64, array: true, default: () => "'{}'" })
  skills: string[];

  @Column({ type: 'uuid', nullable: true })
  assigneeId: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  assigneeName: string | null;

  @Column({ type: 'jsonb', default: () => "'[]'" })
  checklist: TicketChecklistItem[];

  @Column({ type: 'jsonb', default: () => "'[]'" })
  attachments: TicketAttachment[];

  @Column({ type: 'varchar', length: 64, nullable: true })
  failureCode: string | null;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  cause: string | null;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  remedy: string | null;

  @Column({ type: 'boolean', default: false })
  signatureRequired: boolean;

  @Column({ type: 'uuid', nullable: true })
  signatureId: string | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  cancelReason: string | null;

  /** Who raised it; null for the PM schedule. */
  @Column({ type: 'uuid', nullable: true })
  raisedBy: string | null;

  @Column({ type: 'varchar', length: 200 })
  raisedByName: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  startedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  doneAt: Date | null;

  @Column({ type: 'uuid', nullable: true })
  doneBy: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  verifiedAt: Date | null;

  @Column({ type: 'uuid', nullable: true })
  verifiedBy: string | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;

  @VersionColumn({ default: 1 })
  version: number;
}

/** Time a technician spent on a ticket (open while they work). */
@Entity({ name: 'maintenance_labour' })
@Index('ix_maintenance_labour_ticket', ['ticketId'])
@Index('ux_maintenance_labour_open', ['ticketId', 'technicianId'], {
  unique: true,
  where: 'ended_at IS NULL',
})
@Check('ck_maintenance_labour_times', `ended_at IS NULL OR ended_at >= started_at`)
export class TicketLabour {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_maintenance_labour' })
  id: string;

  @ManyToOne(() => Ticket, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'ticket_id', foreignKeyConstraintName: 'fk_maintenance_labour_ticket' })
  ticket?: Ticket;

  @Column({ type: 'uuid' })
  ticketId: string;

  @Column({ type: 'uuid' })
  technicianId: string;

  @Column({ type: 'varchar', length: 200 })
  technicianName: string;

  @Column({ type: 'timestamptz' })
  startedAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  endedAt: Date | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  note: string | null;
}

/** A spare part a ticket needs: reserved from stock, then issued (lots and locations in the stock ledger). */
@Entity({ name: 'maintenance_part' })
@Index('ux_maintenance_part_ticket_material', ['ticketId', 'materialId'], { unique: true })
@Check('ck_maintenance_part_quantities', `required_qty > 0 AND issued_qty >= 0`)
export class TicketPart {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_maintenance_part' })
  id: string;

  @ManyToOne(() => Ticket, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'ticket_id', foreignKeyConstraintName: 'fk_maintenance_part_ticket' })
  ticket?: Ticket;

  @Column({ type: 'uuid' })
  ticketId: string;

  @ManyToOne('material', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'material_id', foreignKeyConstraintName: 'fk_maintenance_part_material' })
  material?: object;

  @Column({ type: 'uuid' })
  materialId: string;

  @Column({ type: 'numeric', precision: 18, scale: 6 })
  requiredQty: string;

  @Column({ type: 'numeric', precision: 18, scale: 6, default: 0 })
  issuedQty: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}
