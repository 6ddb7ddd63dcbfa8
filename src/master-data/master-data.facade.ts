import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { CatalogRecord } from './catalog/catalog-record';
import { Equipment } from './hierarchy/equipment.entity';
import { ProductionLine } from './hierarchy/production-line.entity';
import { WorkCenter } from './hierarchy/work-center.entity';
import { Material } from './materials/material.entity';
import { UnitOfMeasure } from './units/unit.entity';

/** What other modules may ask master data. Reads only: changes go through the master-data API. */
@Injectable()
export class MasterDataFacade {
  constructor(private readonly dataSource: DataSource) {}

  material(siteId: string, idOrCode: string): Promise<Material | undefined> {
    return this.find(Material, siteId, idOrCode);
  }

  unit(siteId: string, idOrCode: string): Promise<UnitOfMeasure | undefined> {
    return this.find(UnitOfMeasure, siteId, idOrCode);
  }

  workCenter(siteId: string, idOrCode: string): Promise<WorkCenter | undefined> {
    return this.find(WorkCenter, siteId, idOrCode);
  }

  equipment(siteId: string, idOrCode: string): Promise<Equipment | undefined> {
    return this.find(Equipment, siteId, idOrCode);
  }

  line(siteId: string, idOrCode: string): Promise<ProductionLine | undefined> {
    return this.find(ProductionLine, siteId, idOrCode);
  }

  /** The site a line, work center or equipment belongs to (for access checks), if the id exists. */
  async siteOf(kind: 'line' | 'workcenter' | 'equipment', id: string): Promise<string | undefined> {
    if (!UUID.test(id)) return undefined;
    const entity = kind === 'line' ? ProductionLine : kind === 'workcenter' ? WorkCenter : Equipment;
    const found = await this.dataSource
      .getRepository<CatalogRecord>(entity)
      .findOne({ where: { id }, select: { siteId: true } });
    return found?.siteId;
  }

  private async find<E extends CatalogRecord>(
    entity: new () => E,
    siteId: string,
    idOrCode: string,
  ): Promise<E | undefined> {
    const repo = this.dataSource.getRepository<CatalogRecord>(entity);
    const where = UUID.test(idOrCode) ? { id: idOrCode, siteId } : { code: idOrCode, siteId };
    return ((await repo.findOneBy(where)) as E | null) ?? undefined;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
