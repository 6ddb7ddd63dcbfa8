import { Check, Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { UnitOfMeasure } from '../units/unit.entity';
import { Material } from './material.entity';

/** For one material: 1 `unit` = `factor` base units (1 BOX = 12 PCS, 1 ROLL = 50 M). */
@Entity({ name: 'material_unit_conversion' })
@Check('ck_material_unit_conversion_factor', `factor > 0`)
export class MaterialUnitConversion {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_material_unit_conversion' })
  materialId: string;

  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_material_unit_conversion' })
  unitId: string;

  @ManyToOne(() => Material, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'material_id', foreignKeyConstraintName: 'fk_material_unit_conversion_material' })
  material?: Material;

  @ManyToOne(() => UnitOfMeasure, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'unit_id', foreignKeyConstraintName: 'fk_material_unit_conversion_unit' })
  unit?: UnitOfMeasure;

  @Column({ type: 'numeric', precision: 18, scale: 9 })
  factor: string;
}
