import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiProduces,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal, Roles } from '../../platform/auth/auth.decorators';
import type { Principal } from '../../platform/auth/principal';
import { csvDocument } from '../../platform/http/csv';
import { Idempotent } from '../../platform/idempotency/idempotent.decorator';
import { AsBuiltService, type FittedComponent, type SerialTraceView } from '../as-built/as-built.service';
import type { SerialRef } from '../../inventory/inventory.facade';
import { type RecallHoldResult, RecallService, type RecallView } from './recall.service';
import {
  FitComponentsDto,
  RECALL_PAGE,
  RecallDto,
  RecallHoldDto,
  RemoveComponentDto,
  SerialQueryDto,
  TraceQueryDto,
} from './trace.dto';
import { type Direction, TraceService, type TraceView } from './trace.service';

/**
 * Traceability (追溯): type or scan a lot and see where it came from (backward) and everywhere it went
 * (forward), with the documents of every lot; the recall scope of a lot and one action to hold it; serial
 * as-built records. Lots of sites the user has no access to are never shown.
 */
@ApiTags('traceability')
@Controller('trace')
export class TraceController {
  constructor(
    private readonly traces: TraceService,
    private readonly recalls: RecallService,
    private readonly asBuilt: AsBuiltService,
  ) {}

  @Get('lots/:lotCode/backward')
  @ApiOkResponse({
    description:
      'Where the lot came from: every lot that went into it, to any depth (nodes with depth, edges parent → child with quantity, kind and work order), the work orders with operations, operators, machines and parameters, and per lot its locations, consumption, shipments, inspections, NCRs and movements',
  })
  @ApiNotFoundResponse({ description: 'LOT_NOT_FOUND: no such lot at your sites' })
  @ApiConflictResponse({ description: 'LOT_AMBIGUOUS: the code exists at several of your sites; pass site' })
  backward(
    @CurrentPrincipal() p: Principal,
    @Param('lotCode') lotCode: string,
    @Query() q: TraceQueryDto,
  ): Promise<TraceView> {
    return this.trace(p, lotCode, 'backward', q);
  }

  @Get('lots/:lotCode/forward')
  @ApiOkResponse({
    description: 'Everywhere the lot went: every lot made from it, to any depth, with the same documents',
  })
  @ApiNotFoundResponse({ description: 'LOT_NOT_FOUND: no such lot at your sites' })
  forward(
    @CurrentPrincipal() p: Principal,
    @Param('lotCode') lotCode: string,
    @Query() q: TraceQueryDto,
  ): Promise<TraceView> {
    return this.trace(p, lotCode, 'forward', q);
  }

  @Get('lots/:lotCode/backward.csv')
  @ApiProduces('text/csv')
  @ApiOkResponse({ description: 'The backward trace as CSV: one row per lot' })
  backwardCsv(
    @CurrentPrincipal() p: Principal,
    @Param('lotCode') lotCode: string,
    @Query() q: TraceQueryDto,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<string> {
    return this.traceCsv(p, lotCode, 'backward', q, res);
  }

  @Get('lots/:lotCode/forward.csv')
  @ApiProduces('text/csv')
  @ApiOkResponse({ description: 'The forward trace as CSV: one row per lot' })
  forwardCsv(
    @CurrentPrincipal() p: Principal,
    @Param('lotCode') lotCode: string,
    @Query() q: TraceQueryDto,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<string> {
    return this.traceCsv(p, lotCode, 'forward', q, res);
  }

  @Post('recall')
  @HttpCode(200)
  @ApiOkResponse({
    description:
      'Every lot downstream of the given lot with where it is now: stock by location and status, work in progress (unfinished work orders that consumed it), shipments by customer; and how many lots a hold would stop. The summary, work orders and customers cover the whole scope; the lots come a page at a time (offset, limit), by depth then code',
  })
  @ApiNotFoundResponse({ description: 'LOT_NOT_FOUND: no such lot at your sites' })
  recall(@CurrentPrincipal() p: Principal, @Body() dto: RecallDto): Promise<RecallView> {
    return this.recalls.scope(p, { ...dto, limit: dto.limit ?? RECALL_PAGE });
  }

  @Post('recall.csv')
  @HttpCode(200)
  @ApiProduces('text/csv')
  @ApiOkResponse({
    description: 'The recall scope as CSV: one row per lot and place (location, work order or shipment)',
  })
  async recallCsv(
    @CurrentPrincipal() p: Principal,
    @Body() dto: RecallDto,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<string> {
    const view = await this.recalls.scope(p, dto);
    const rows: Array<Array<string | number | null>> = [];
    for (const l of view.lots) {
      const base = [
        l.code,
        l.depth,
        l.materialCode,
        l.status,
        l.onHand,
        l.unit,
        l.supplierCode,
        l.supplierLot,
      ];
      for (const loc of l.locations) rows.push([...base, 'stock', loc.code, loc.quantity, null, null]);
      for (const w of l.wip) rows.push([...base, 'wip', w.workOrderCode, w.quantity, w.status, null]);
      for (const s of l.shipments)
        rows.push([...base, 'shipped', s.customerCode, s.quantity, s.shipmentCode, s.shippedAt]);
      if (l.locations.length + l.wip.length + l.shipments.length === 0)
        rows.push([...base, 'used', null, null, null, null]);
    }
    void res
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${fileName(view.source.code)}-recall.csv"`);
    return csvDocument(
      [
        'lot',
        'depth',
        'material',
        'status',
        'on_hand',
        'unit',
        'supplier',
        'supplier_lot',
        'where',
        'place',
        'quantity',
        'detail',
        'shipped_at',
      ],
      rows,
    );
  }

  @Post('recall/hold')
  @HttpCode(200)
  @Idempotent()
  @Roles('admin', 'quality')
  @ApiOkResponse({
    description:
      'Holds (冻结) every affected lot still in our hands (available or quarantine with stock): the WMS freezes them; optionally holds the unfinished work orders that consumed them',
  })
  @ApiUnprocessableEntityResponse({
    description: 'RECALL_SCOPE_TRUNCATED: the scope is too large for one action',
  })
  hold(@CurrentPrincipal() p: Principal, @Body() dto: RecallHoldDto): Promise<RecallHoldResult> {
    return this.recalls.hold(p, dto);
  }

  @Post('as-built')
  @HttpCode(200)
  @Idempotent()
  @Roles('admin', 'quality', 'operator')
  @ApiOkResponse({ description: 'The unit with every component now fitted into it' })
  @ApiConflictResponse({
    description:
      'UNIT_NOT_PRODUCED, COMPONENT_NOT_CONSUMED (not consumed by the unit’s work order), COMPONENT_ALREADY_FITTED',
  })
  fit(
    @CurrentPrincipal() p: Principal,
    @Body() dto: FitComponentsDto,
  ): Promise<{ unit: SerialRef; components: FittedComponent[] }> {
    return this.asBuilt.fit(p, dto);
  }

  @Post('as-built/remove')
  @HttpCode(200)
  @Idempotent()
  @Roles('admin', 'quality', 'operator')
  @ApiOkResponse({ description: 'The component is no longer in the unit (the link is kept as history)' })
  @ApiConflictResponse({ description: 'COMPONENT_NOT_FITTED' })
  remove(
    @CurrentPrincipal() p: Principal,
    @Body() dto: RemoveComponentDto,
  ): Promise<{ component: SerialRef; unit: SerialRef }> {
    return this.asBuilt.remove(p, dto);
  }

  @Get('serials/:serial/backward')
  @ApiOkResponse({
    description: 'The unit’s as-built tree: the component serials fitted into it, to any depth',
  })
  serialBackward(
    @CurrentPrincipal() p: Principal,
    @Param('serial') serial: string,
    @Query() q: SerialQueryDto,
  ): Promise<SerialTraceView> {
    return this.asBuilt.trace(p, serial, 'backward', q);
  }

  @Get('serials/:serial/forward')
  @ApiOkResponse({ description: 'The unit the serial was fitted into, and that unit’s, up to the top' })
  serialForward(
    @CurrentPrincipal() p: Principal,
    @Param('serial') serial: string,
    @Query() q: SerialQueryDto,
  ): Promise<SerialTraceView> {
    return this.asBuilt.trace(p, serial, 'forward', q);
  }

  private trace(p: Principal, code: string, direction: Direction, q: TraceQueryDto): Promise<TraceView> {
    return this.traces.trace(p, code, direction, {
      depth: q.depth,
      site: q.site,
      documents: q.documents !== 'false',
    });
  }

  private async traceCsv(
    p: Principal,
    code: string,
    direction: Direction,
    q: TraceQueryDto,
    res: FastifyReply,
  ): Promise<string> {
    const view = await this.traces.trace(p, code, direction, {
      depth: q.depth,
      site: q.site,
      documents: false,
    });
    const linked = new Map<string, string[]>();
    for (const e of view.edges) {
      const [node, other] = direction === 'backward' ? [e.to, e.fromCode] : [e.from, e.toCode];
      const list = linked.get(node) ?? [];
      list.push(`${other} (${e.kind} ${e.quantity}${e.workOrderCode ? ` ${e.workOrderCode}` : ''})`);
      linked.set(node, list);
    }
    void res
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${fileName(view.lot.code)}-${direction}.csv"`);
    return csvDocument(
      [
        'depth',
        'lot',
        'material',
        'material_name',
        'status',
        'origin',
        'initial_qty',
        'on_hand',
        'unit',
        'work_order',
        'supplier',
        'supplier_lot',
        'expiry_date',
        'received_at',
        direction === 'backward' ? 'made_from' : 'went_into',
      ],
      view.nodes.map((n) => [
        n.depth,
        n.code,
        n.materialCode,
        n.materialName,
        n.status,
        n.origin,
        n.initialQty,
        n.onHand,
        n.unit,
        n.workOrderCode,
        n.supplierCode,
        n.supplierLot,
        n.expiryDate,
        n.receivedAt,
        (linked.get(n.id) ?? []).join('; '),
      ]),
    );
  }
}

const fileName = (code: string): string => code.replace(/[^A-Za-z0-9._-]+/g, '_');
