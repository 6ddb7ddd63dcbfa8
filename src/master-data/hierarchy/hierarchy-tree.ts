import { Controller, Get, Injectable, Query } from '@nestjs/common';
import { ApiOkResponse, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';
import { DataSource } from 'typeorm';
import { CurrentPrincipal } from '../../platform/auth/auth.decorators';
import type { Principal } from '../../platform/auth/principal';
import { assertSiteAccess } from '../../platform/auth/site-access';
import { UuidParam } from '../../platform/http/uuid-param';
import { Enterprise } from '../../platform/sites/enterprise.entity';
import { Site } from '../../platform/sites/site.entity';
import { Area } from './area.entity';
import { Equipment } from './equipment.entity';
import { ProductionLine } from './production-line.entity';
import { WorkCenter } from './work-center.entity';
import { inTurn } from '../../platform/database/in-turn';

interface Node {
  id: string;
  code: string;
  name: string;
  nameZh: string | null;
  active: boolean;
}

export interface HierarchyTree {
  enterprise: Pick<Enterprise, 'id' | 'code' | 'name' | 'nameZh'> | null;
  site: Pick<Site, 'id' | 'code' | 'name' | 'timeZone'>;
  areas: Array<
    Node & {
      lines: Array<
        Node & {
          workCenters: Array<
            Node & { equipment: Array<Node & Pick<Equipment, 'status' | 'statusSince' | 'capabilities'>> }
          >;
        }
      >;
    }
  >;
}

export class HierarchyQueryDto {
  @ApiPropertyOptional({
    enum: ['true', 'false'],
    default: 'false',
    description: 'Include deactivated records',
  })
  @IsOptional()
  @Matches(/^(true|false)$/, { message: 'includeInactive must be true or false' })
  includeInactive?: string;
}

const node = (r: Node): Node => ({
  id: r.id,
  code: r.code,
  name: r.name,
  nameZh: r.nameZh,
  active: r.active,
});

/** The ISA-95 equipment hierarchy of a site as one tree: enterprise → site → areas → lines → work centers → machines. */
@Injectable()
export class HierarchyTreeService {
  constructor(private readonly dataSource: DataSource) {}

  async tree(p: Principal, siteId: string, includeInactive: boolean): Promise<HierarchyTree> {
    assertSiteAccess(p, siteId);
    const m = this.dataSource.manager;
    const site = await m.getRepository(Site).findOneByOrFail({ id: siteId });
    const enterprise = site.enterpriseId
      ? await m.getRepository(Enterprise).findOneBy({ id: site.enterpriseId })
      : null;
    const where = includeInactive ? { siteId } : { siteId, active: true };
    const order = { code: 'ASC' as const };
    const [areas, lines, workCenters, equipment] = await inTurn(
      () => m.getRepository(Area).find({ where, order }),
      () => m.getRepository(ProductionLine).find({ where, order }),
      () => m.getRepository(WorkCenter).find({ where, order }),
      () => m.getRepository(Equipment).find({ where, order }),
    );
    return {
      enterprise: enterprise && {
        id: enterprise.id,
        code: enterprise.code,
        name: enterprise.name,
        nameZh: enterprise.nameZh,
      },
      site: { id: site.id, code: site.code, name: site.name, timeZone: site.timeZone },
      areas: areas.map((a) => ({
        ...node(a),
        lines: lines
          .filter((l) => l.areaId === a.id)
          .map((l) => ({
            ...node(l),
            workCenters: workCenters
              .filter((w) => w.lineId === l.id)
              .map((w) => ({
                ...node(w),
                equipment: equipment
                  .filter((e) => e.workCenterId === w.id)
                  .map((e) => ({
                    ...node(e),
                    status: e.status,
                    statusSince: e.statusSince,
                    capabilities: e.capabilities,
                  })),
              })),
          })),
      })),
    };
  }
}

@ApiTags('master data: hierarchy')
@Controller('sites/:siteId/hierarchy')
export class HierarchyTreeController {
  constructor(private readonly hierarchy: HierarchyTreeService) {}

  @Get()
  @ApiOkResponse({
    description: 'Enterprise → site → areas → lines → work centers → equipment (with status)',
  })
  tree(
    @CurrentPrincipal() p: Principal,
    @UuidParam('siteId') siteId: string,
    @Query() q: HierarchyQueryDto,
  ): Promise<HierarchyTree> {
    return this.hierarchy.tree(p, siteId, q.includeInactive === 'true');
  }
}
