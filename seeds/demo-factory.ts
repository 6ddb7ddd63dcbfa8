import type { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { BomsService } from '../src/master-data/boms/boms.service';
import type { CatalogService } from '../src/master-data/catalog/catalog.service';
import { catalogServiceToken } from '../src/master-data/catalog/catalog.controller';
import type { CatalogRecord } from '../src/master-data/catalog/catalog-record';
import { UnitConversionsService } from '../src/master-data/materials/unit-conversions';
import { RoutingsService } from '../src/master-data/routings/routings.service';
import { InspectionPlansService } from '../src/quality/plans/inspection-plans.service';
import { AuditService } from '../src/platform/audit/audit.service';
import { sha256Hex } from '../src/platform/auth/hmac-signature';
import type { Principal } from '../src/platform/auth/principal';
import type { Role } from '../src/platform/auth/roles';
import { RequestContext } from '../src/platform/context/request-context';
import { TransactionRunner } from '../src/platform/database/transaction-runner';
import { SitesService } from '../src/platform/sites/sites.service';
import { UsersService } from '../src/platform/users/users.service';
import { WorkOrdersService } from '../src/production/work-orders/work-orders.service';

/**
 * The demo factory: 苏州精密传动 Suzhou Precision Drives, a gearbox plant. One site, a machining line and an
 * assembly line, 8 work centers, 20 machines, about 60 materials with multi-level BOMs and routings, warehouse
 * and line-side locations, suppliers and customers, reason codes, two shifts with holidays, and one user per role.
 * Everything goes through the same services as the API, so it is validated and audited like any other change.
 */
export const DEMO_ENTERPRISE = {
  code: 'SPD',
  name: 'Suzhou Precision Drives Group',
  nameZh: '苏州精密传动集团',
};
export const DEMO_SITE = {
  code: 'SZ01',
  name: 'Suzhou Precision Drives 苏州精密传动',
  timeZone: 'Asia/Shanghai',
};
export const DEMO_ROLES: Role[] = [
  'admin',
  'planner',
  'operator',
  'quality',
  'maintenance',
  'warehouse',
  'warehouse_supervisor',
  'purchasing',
  'maintenance_lead',
  'viewer',
];
export const DEMO_TERMINAL = {
  code: 'T-ASSY-01',
  name: 'Assembly terminal 总装终端',
  deviceKey: 'demo-terminal-device-key-0001',
};
export const DEMO_OPERATOR_BADGE = { badgeCode: 'B1001', pin: '1234' };

const DISPLAY: Record<Role, string> = {
  admin: '系统管理员 Admin',
  planner: '王计划 Wang Jihua (Planner)',
  operator: '李操作 Li Caozuo (Operator)',
  quality: '张质量 Zhang Zhiliang (Quality)',
  maintenance: '赵维修 Zhao Weixiu (Maintenance)',
  warehouse: '陈仓库 Chen Cangku (Warehouse)',
  warehouse_supervisor: '周主管 Zhou Zhuguan (Warehouse supervisor)',
  purchasing: '孙采购 Sun Caigou (Purchasing)',
  maintenance_lead: '吴设备 Wu Shebei (Maintenance lead)',
  viewer: '刘经理 Liu Jingli (Manager)',
};

const SIZES = [50, 63, 80, 100] as const;

export interface DemoSeedResult {
  created: boolean;
  siteId?: string;
  users: Array<{ username: string; role: Role }>;
  counts?: Record<string, number>;
}

type AnyCatalog = CatalogService<CatalogRecord & Record<string, unknown>>;

/** Seeds the demo factory unless its site exists. `password` is every demo user's password. */
export async function seedDemoFactory(
  app: INestApplicationContext,
  password: string,
): Promise<DemoSeedResult> {
  const ds = app.get(DataSource);
  const users = DEMO_ROLES.map((role) => ({ username: role, role }));
  const existing = await ds.query<unknown[]>('SELECT 1 FROM site WHERE code = $1', [DEMO_SITE.code]);
  if (existing.length > 0) return { created: false, users };
  return RequestContext.runAsSystem('demo-seed', () => build(app, ds, password, users));
}

async function build(
  app: INestApplicationContext,
  ds: DataSource,
  password: string,
  users: DemoSeedResult['users'],
): Promise<DemoSeedResult> {
  const seeder: Principal = {
    kind: 'api_client',
    id: 'demo-seed',
    name: 'demo seed',
    roles: ['admin'],
    siteIds: [],
  };
  const enterprise = await app.get(SitesService).createEnterprise(DEMO_ENTERPRISE);
  const site = await app.get(SitesService).create(seeder, { ...DEMO_SITE, enterpriseId: enterprise.id });
  seeder.siteIds.push(site.id);
  const siteId = site.id;
  const catalog = (path: string): AnyCatalog => app.get<AnyCatalog>(catalogServiceToken(path));
  const ids = new Map<string, string>();
  const add = async (path: string, body: Record<string, unknown>): Promise<string> => {
    const created = await catalog(path).create(seeder, siteId, body);
    ids.set(`${path}:${String(body.code)}`, created.id);
    return created.id;
  };
  const id = (path: string, code: string): string => {
    const found = ids.get(`${path}:${code}`);
    if (!found) throw new Error(`demo seed: ${path} ${code} was not created`);
    return found;
  };

  // People: one per role, named after it.
  for (const { username, role } of users) {
    await app.get(UsersService).create(seeder, {
      username,
      displayName: DISPLAY[role],
      password,
      roles: [role],
      siteIds: [siteId],
      locale: 'zh-CN',
      ...(role === 'operator' ? DEMO_OPERATOR_BADGE : {}),
    });
  }

  // Units.
  for (const [code, name, nameZh, dimension, decimals] of [
    ['PCS', 'Piece', '件', 'count', 0],
    ['BOX', 'Box', '盒', 'count', 0],
    ['SET', 'Set', '套', 'count', 0],
    ['KG', 'Kilogram', '千克', 'mass', 3],
    ['L', 'Litre', '升', 'volume', 3],
    ['M', 'Metre', '米', 'length', 3],
  ] as const) {
    await add('units', { code, name, nameZh, dimension, decimals });
  }

  // ISA-95 hierarchy.
  await add('areas', { code: 'A-MACH', name: 'Machining hall', nameZh: '机加车间' });
  await add('areas', { code: 'A-ASSY', name: 'Assembly hall', nameZh: '装配车间' });
  await add('lines', {
    code: 'L1',
    name: 'Gear machining line',
    nameZh: '齿轮机加线',
    areaId: id('areas', 'A-MACH'),
  });
  await add('lines', {
    code: 'L2',
    name: 'Gearbox assembly line',
    nameZh: '减速机装配线',
    areaId: id('areas', 'A-ASSY'),
  });
  const workCenters: Array<[string, string, string, string, Array<[string, string, string[]]>]> = [
    [
      'WC-SAW',
      'Sawing',
      '下料',
      'L1',
      [
        ['SAW-01', 'Band saw 1 带锯床', ['saw-d150']],
        ['SAW-02', 'Band saw 2 带锯床', ['saw-d150']],
      ],
    ],
    [
      'WC-TURN',
      'CNC turning',
      '数控车削',
      'L1',
      [
        ['LATHE-01', 'CNC lathe 1 数控车床', ['turn-d200']],
        ['LATHE-02', 'CNC lathe 2 数控车床', ['turn-d200']],
        ['LATHE-03', 'CNC lathe 3 数控车床', ['turn-d300']],
        ['LATHE-04', 'CNC lathe 4 数控车床', ['turn-d300']],
      ],
    ],
    [
      'WC-MILL',
      'Machining centers',
      '加工中心',
      'L1',
      [
        ['MILL-01', 'Vertical machining center 1 立加', ['mill-3axis']],
        ['MILL-02', 'Vertical machining center 2 立加', ['mill-3axis']],
        ['MILL-03', 'Horizontal machining center 卧加', ['mill-4axis']],
      ],
    ],
    [
      'WC-HOB',
      'Gear hobbing',
      '滚齿',
      'L1',
      [
        ['HOB-01', 'Gear hobber 1 滚齿机', ['hob-m4']],
        ['HOB-02', 'Gear hobber 2 滚齿机', ['hob-m6']],
      ],
    ],
    ['WC-HEAT', 'Heat treatment', '热处理', 'L1', [['FURN-01', 'Carburizing furnace 渗碳炉', ['carburize']]]],
    [
      'WC-GRIND',
      'Grinding',
      '磨削',
      'L1',
      [
        ['GRIND-01', 'Cylindrical grinder 外圆磨', ['grind-od']],
        ['GRIND-02', 'Gear grinder 磨齿机', ['grind-gear']],
      ],
    ],
    [
      'WC-ASSY',
      'Final assembly',
      '总装',
      'L2',
      [
        ['ASSY-01', 'Assembly station 1 装配工位', []],
        ['ASSY-02', 'Assembly station 2 装配工位', []],
        ['ASSY-03', 'Assembly station 3 装配工位', []],
      ],
    ],
    [
      'WC-TEST',
      'Test and packing',
      '测试包装',
      'L2',
      [
        ['TEST-01', 'Run-in test bench 1 跑合台', ['test-10kw']],
        ['TEST-02', 'Run-in test bench 2 跑合台', ['test-30kw']],
        ['PACK-01', 'Packing station 包装台', []],
      ],
    ],
  ];
  for (const [code, name, nameZh, line, machines] of workCenters) {
    await add('work-centers', { code, name, nameZh, lineId: id('lines', line) });
    for (const [mcode, mname, capabilities] of machines) {
      const [en, zh] = splitName(mname);
      await add('equipment', {
        code: mcode,
        name: en,
        nameZh: zh,
        workCenterId: id('work-centers', code),
        capabilities,
      });
    }
  }

  // Partners.
  for (const [code, name, nameZh, isSupplier, isCustomer] of [
    ['S-STEEL', 'East Steel Co.', '东方钢铁', true, false],
    ['S-FOUNDRY', 'Jiangnan Foundry', '江南铸造', true, false],
    ['S-BEARING', 'Precision Bearings Ltd.', '精工轴承', true, false],
    ['S-SEAL', 'Haitian Seals', '海天密封', true, false],
    ['S-LUBE', 'Lubetech Oils', '润科油品', true, false],
    ['S-COAT', 'Wuxi Coating Works (outsourced painting)', '无锡涂装', true, false],
    ['C-CRANE', 'Huadong Cranes', '华东起重', false, true],
    ['C-CONVEY', 'Northern Conveyors', '北方输送', false, true],
    ['C-MIXER', 'Pearl River Mixers', '珠江搅拌', false, true],
  ] as const) {
    await add('partners', { code, name, nameZh, isSupplier, isCustomer, country: 'CN' });
  }

  // Storage locations.
  await add('locations', {
    code: 'WH-RM',
    name: 'Raw material warehouse',
    nameZh: '原材料仓',
    locationType: 'warehouse',
  });
  for (const zone of ['A', 'B']) {
    await add('locations', {
      code: `RM-${zone}`,
      name: `Raw material zone ${zone}`,
      nameZh: `原材料${zone}区`,
      locationType: 'zone',
      parentId: id('locations', 'WH-RM'),
    });
    for (const bin of ['01', '02', '03']) {
      await add('locations', {
        code: `RM-${zone}-${bin}`,
        name: `Bin ${zone}-${bin}`,
        nameZh: `货位${zone}-${bin}`,
        locationType: 'bin',
        parentId: id('locations', `RM-${zone}`),
      });
    }
  }
  await add('locations', {
    code: 'WH-FG',
    name: 'Finished goods warehouse',
    nameZh: '成品仓',
    locationType: 'warehouse',
  });
  await add('locations', {
    code: 'QC-HOLD',
    name: 'Quarantine (awaiting inspection)',
    nameZh: '待检区',
    locationType: 'quarantine',
  });
  await add('locations', { code: 'SCRAP', name: 'Scrap cage', nameZh: '废品区', locationType: 'scrap' });
  for (const line of ['L1', 'L2']) {
    await add('locations', {
      code: `LS-${line}`,
      name: `Line side ${line}`,
      nameZh: `${line}线边库`,
      locationType: 'line_side',
      lineId: id('lines', line),
    });
    await add('locations', {
      code: `WIP-${line}`,
      name: `Work in progress ${line}`,
      nameZh: `${line}在制品`,
      locationType: 'wip',
      lineId: id('lines', line),
    });
  }
  await add('locations', {
    code: 'OUT-COAT',
    name: 'At Wuxi Coating (outsourced)',
    nameZh: '外协涂装',
    locationType: 'supplier',
    partnerId: id('partners', 'S-COAT'),
  });

  // Materials: common raw materials, then per gearbox size its parts.
  const pcs = id('units', 'PCS');
  const kg = id('units', 'KG');
  const litre = id('units', 'L');
  const material = (
    code: string,
    name: string,
    nameZh: string,
    materialClass: string,
    baseUnitId: string,
    extra: Record<string, unknown> = {},
  ) => add('materials', { code, name, nameZh, materialClass, baseUnitId, ...extra });
  const rm = id('locations', 'WH-RM');
  await material('BAR-40CR', 'Round bar 40Cr', '圆钢 40Cr', 'raw', kg, {
    specification: 'GB/T 3077, Ø40–Ø120',
    lotTracked: true,
    inspectionRequired: true,
    safetyStock: '2000',
    reorderPoint: '3000',
    lotSize: '5000',
    defaultLocationId: rm,
  });
  await material('BAR-20CRMNTI', 'Round bar 20CrMnTi', '圆钢 20CrMnTi', 'raw', kg, {
    specification: 'GB/T 3077, carburizing steel',
    lotTracked: true,
    inspectionRequired: true,
    safetyStock: '1500',
    reorderPoint: '2500',
    lotSize: '4000',
    defaultLocationId: rm,
  });
  await material('BOLT-M8', 'Hex bolt M8x25', '六角螺栓 M8x25', 'raw', pcs, {
    specification: 'GB/T 5783, 8.8',
    safetyStock: '5000',
    reorderPoint: '8000',
    lotSize: '10000',
    defaultLocationId: id('locations', 'LS-L2'),
  });
  await material('BOLT-M10', 'Hex bolt M10x30', '六角螺栓 M10x30', 'raw', pcs, {
    specification: 'GB/T 5783, 8.8',
    safetyStock: '3000',
    reorderPoint: '5000',
    defaultLocationId: id('locations', 'LS-L2'),
  });
  await material('OIL-220', 'Gear oil VG220', '齿轮油 VG220', 'consumable', litre, {
    lotTracked: true,
    shelfLifeDays: 1095,
    safetyStock: '400',
  });
  await material('PAINT-GRY', 'Paint RAL 7035', '油漆 RAL 7035', 'consumable', litre, {
    lotTracked: true,
    shelfLifeDays: 365,
    safetyStock: '100',
  });
  await material('SP-SPINDLE', 'Spare spindle bearing set', '主轴轴承备件', 'spare_part', pcs, {
    serialTracked: true,
    safetyStock: '2',
  });
  for (const s of SIZES) {
    await material(`CST-${s}`, `Housing casting R${s}`, `箱体铸件 R${s}`, 'raw', pcs, {
      lotTracked: true,
      inspectionRequired: true,
      safetyStock: '40',
      defaultLocationId: rm,
    });
    await material(`CVC-${s}`, `Cover casting R${s}`, `端盖铸件 R${s}`, 'raw', pcs, {
      lotTracked: true,
      inspectionRequired: true,
      safetyStock: '40',
      defaultLocationId: rm,
    });
    await material(`BRG-A${s}`, `Input bearing R${s}`, `输入轴承 R${s}`, 'raw', pcs, {
      lotTracked: true,
      safetyStock: '80',
    });
    await material(`BRG-B${s}`, `Output bearing R${s}`, `输出轴承 R${s}`, 'raw', pcs, {
      lotTracked: true,
      safetyStock: '80',
    });
    await material(`SEAL-${s}`, `Oil seal R${s}`, `油封 R${s}`, 'raw', pcs, { safetyStock: '100' });
    await material(`BOX-${s}`, `Packing box R${s}`, `包装箱 R${s}`, 'raw', pcs, { safetyStock: '30' });
    await material(`HSG-${s}`, `Housing R${s}, machined`, `箱体 R${s}（已加工）`, 'semi_finished', pcs, {
      lotTracked: true,
    });
    await material(`CVR-${s}`, `Cover R${s}, machined`, `端盖 R${s}（已加工）`, 'semi_finished', pcs, {
      lotTracked: true,
    });
    await material(`ISH-${s}`, `Input shaft R${s}`, `输入轴 R${s}`, 'semi_finished', pcs, {
      lotTracked: true,
    });
    await material(`OSH-${s}`, `Output shaft R${s}`, `输出轴 R${s}`, 'semi_finished', pcs, {
      lotTracked: true,
    });
    await material(`PIN-${s}`, `Pinion R${s}`, `小齿轮 R${s}`, 'semi_finished', pcs, {
      lotTracked: true,
      inspectionRequired: true,
    });
    await material(`GER-${s}`, `Gear wheel R${s}`, `大齿轮 R${s}`, 'semi_finished', pcs, {
      lotTracked: true,
      inspectionRequired: true,
    });
    await material(`GB-R${s}`, `Helical gearbox R${s}`, `斜齿轮减速机 R${s}`, 'finished', pcs, {
      serialTracked: true,
      lotTracked: true,
      defaultLocationId: id('locations', 'WH-FG'),
    });
  }

  // Bolts are bought in boxes of 200.
  for (const bolt of ['BOLT-M8', 'BOLT-M10']) {
    await app.get(UnitConversionsService).replace(seeder, siteId, id('materials', bolt), {
      version: 1,
      conversions: [{ unitId: id('units', 'BOX'), factor: '200' }],
    });
  }

  // BOMs: gearbox → machined parts → bar stock and castings (three levels).
  const boms = app.get(BomsService);
  const m = (code: string) => id('materials', code);
  for (const s of SIZES) {
    const steel = (s / 50).toFixed(2); // kg of bar per shaft grows with the size
    await boms.create(seeder, siteId, {
      materialId: m(`GB-R${s}`),
      validFrom: '2026-01-01',
      description: `Gearbox R${s}, design 2026`,
      lines: [
        { lineNo: 10, componentId: m(`HSG-${s}`), quantityPer: '1', operationSeq: 10 },
        { lineNo: 20, componentId: m(`CVR-${s}`), quantityPer: '1', operationSeq: 10 },
        { lineNo: 30, componentId: m(`ISH-${s}`), quantityPer: '1', operationSeq: 10 },
        { lineNo: 40, componentId: m(`OSH-${s}`), quantityPer: '1', operationSeq: 10 },
        { lineNo: 50, componentId: m(`PIN-${s}`), quantityPer: '1', operationSeq: 10 },
        { lineNo: 60, componentId: m(`GER-${s}`), quantityPer: '1', operationSeq: 10 },
        { lineNo: 70, componentId: m(`BRG-A${s}`), quantityPer: '2', operationSeq: 10 },
        { lineNo: 80, componentId: m(`BRG-B${s}`), quantityPer: '2', operationSeq: 10 },
        { lineNo: 90, componentId: m(`SEAL-${s}`), quantityPer: '2', scrapFactor: '0.02', operationSeq: 10 },
        {
          lineNo: 100,
          componentId: m(s >= 80 ? 'BOLT-M10' : 'BOLT-M8'),
          quantityPer: '8',
          scrapFactor: '0.01',
          issueMethod: 'backflush',
          operationSeq: 10,
        },
        {
          lineNo: 110,
          componentId: m('OIL-220'),
          quantityPer: (s / 60).toFixed(2),
          issueMethod: 'backflush',
          operationSeq: 20,
        },
        {
          lineNo: 120,
          componentId: m('PAINT-GRY'),
          quantityPer: '0.15',
          scrapFactor: '0.1',
          issueMethod: 'backflush',
          operationSeq: 30,
        },
        { lineNo: 130, componentId: m(`BOX-${s}`), quantityPer: '1', operationSeq: 30 },
      ],
    });
    await boms.create(seeder, siteId, {
      materialId: m(`HSG-${s}`),
      validFrom: '2026-01-01',
      lines: [
        { lineNo: 10, componentId: m(`CST-${s}`), quantityPer: '1', scrapFactor: '0.02', operationSeq: 10 },
      ],
    });
    await boms.create(seeder, siteId, {
      materialId: m(`CVR-${s}`),
      validFrom: '2026-01-01',
      lines: [
        { lineNo: 10, componentId: m(`CVC-${s}`), quantityPer: '1', scrapFactor: '0.02', operationSeq: 10 },
      ],
    });
    for (const shaft of ['ISH', 'OSH']) {
      await boms.create(seeder, siteId, {
        materialId: m(`${shaft}-${s}`),
        validFrom: '2026-01-01',
        lines: [
          {
            lineNo: 10,
            componentId: m('BAR-40CR'),
            quantityPer: shaft === 'ISH' ? steel : (Number(steel) * 1.6).toFixed(2),
            scrapFactor: '0.03',
            operationSeq: 10,
          },
        ],
      });
    }
    for (const gear of ['PIN', 'GER']) {
      await boms.create(seeder, siteId, {
        materialId: m(`${gear}-${s}`),
        validFrom: '2026-01-01',
        lines: [
          {
            lineNo: 10,
            componentId: m('BAR-20CRMNTI'),
            quantityPer: gear === 'PIN' ? steel : (Number(steel) * 2.5).toFixed(2),
            scrapFactor: '0.05',
            operationSeq: 10,
          },
        ],
      });
    }
  }

  // Routings.
  const routings = app.get(RoutingsService);
  const wc = (code: string) => id('work-centers', code);
  const eq = (code: string) => id('equipment', code);
  const on = (codes: string[], runSec: number, setupSec: number, family: string) =>
    codes.map((c) => ({
      equipmentId: eq(c),
      runTimePerUnitSec: String(runSec),
      setupTimeSec: String(setupSec),
      setupFamily: family,
    }));
  for (const s of SIZES) {
    const big = s >= 80;
    const fam = `R${s}`;
    await routings.create(seeder, siteId, {
      materialId: m(`GB-R${s}`),
      validFrom: '2026-01-01',
      operations: [
        {
          seq: 10,
          name: 'Assembly',
          nameZh: '装配',
          workCenterId: wc('WC-ASSY'),
          instructions: `## R${s} assembly\n1. Press bearings onto shafts.\n2. Fit shafts into housing, torque M${big ? 10 : 8} bolts.`,
          parameters: [{ name: 'Bolt torque', unit: 'N·m', min: big ? 45 : 23, max: big ? 55 : 28 }],
          equipment: on(['ASSY-01', 'ASSY-02', 'ASSY-03'], 1200 + s * 6, 300, fam),
        },
        {
          seq: 20,
          name: 'Run-in test',
          nameZh: '跑合测试',
          workCenterId: wc('WC-TEST'),
          inspectionPoint: true,
          parameters: [
            { name: 'Oil temperature', unit: '°C', max: 80 },
            { name: 'Noise', unit: 'dB(A)', max: 75 },
          ],
          equipment: on(big ? ['TEST-02'] : ['TEST-01', 'TEST-02'], 900, 600, fam),
        },
        {
          seq: 30,
          name: 'Painting and packing',
          nameZh: '喷漆包装',
          workCenterId: wc('WC-TEST'),
          equipment: on(['PACK-01'], 600, 0, 'pack'),
        },
      ],
    });
    for (const part of ['HSG', 'CVR']) {
      await routings.create(seeder, siteId, {
        materialId: m(`${part}-${s}`),
        validFrom: '2026-01-01',
        operations: [
          {
            seq: 10,
            name: 'Mill and bore',
            nameZh: '铣面镗孔',
            workCenterId: wc('WC-MILL'),
            minTransferQty: '5',
            parameters: [{ name: 'Bore diameter', unit: 'mm', min: s * 0.8, max: s * 0.8 + 0.03 }],
            equipment: on(
              part === 'HSG' ? ['MILL-03'] : ['MILL-01', 'MILL-02'],
              part === 'HSG' ? 1500 + s * 10 : 600 + s * 4,
              2400,
              `${part}-${fam}`,
            ),
          },
        ],
      });
    }
    for (const shaft of ['ISH', 'OSH']) {
      await routings.create(seeder, siteId, {
        materialId: m(`${shaft}-${s}`),
        validFrom: '2026-01-01',
        operations: [
          {
            seq: 10,
            name: 'Saw',
            nameZh: '下料',
            workCenterId: wc('WC-SAW'),
            minTransferQty: '20',
            equipment: on(['SAW-01', 'SAW-02'], 60, 300, 'bar-40cr'),
          },
          {
            seq: 20,
            name: 'Turn',
            nameZh: '车削',
            workCenterId: wc('WC-TURN'),
            minTransferQty: '10',
            equipment: on(
              big ? ['LATHE-03', 'LATHE-04'] : ['LATHE-01', 'LATHE-02'],
              240 + s * 2,
              1800,
              `${shaft}-${fam}`,
            ),
          },
          {
            seq: 30,
            name: 'Grind bearing seats',
            nameZh: '磨轴承位',
            workCenterId: wc('WC-GRIND'),
            inspectionPoint: true,
            parameters: [{ name: 'Seat diameter', unit: 'mm', min: s / 2, max: s / 2 + 0.016 }],
            equipment: on(['GRIND-01'], 180 + s, 1200, `${shaft}-${fam}`),
          },
        ],
      });
    }
    for (const gear of ['PIN', 'GER']) {
      await routings.create(seeder, siteId, {
        materialId: m(`${gear}-${s}`),
        validFrom: '2026-01-01',
        operations: [
          {
            seq: 10,
            name: 'Saw',
            nameZh: '下料',
            workCenterId: wc('WC-SAW'),
            minTransferQty: '20',
            equipment: on(['SAW-01', 'SAW-02'], 75, 300, 'bar-20crmnti'),
          },
          {
            seq: 20,
            name: 'Turn blank',
            nameZh: '车坯',
            workCenterId: wc('WC-TURN'),
            minTransferQty: '10',
            equipment: on(
              big ? ['LATHE-03', 'LATHE-04'] : ['LATHE-01', 'LATHE-02'],
              300 + s * 2,
              1800,
              `${gear}-${fam}`,
            ),
          },
          {
            seq: 30,
            name: 'Hob teeth',
            nameZh: '滚齿',
            workCenterId: wc('WC-HOB'),
            equipment: on(big ? ['HOB-02'] : ['HOB-01'], 420 + s * 4, 3600, `${gear}-${fam}`),
          },
          {
            seq: 40,
            name: 'Carburize and harden',
            nameZh: '渗碳淬火',
            workCenterId: wc('WC-HEAT'),
            inspectionPoint: true,
            parameters: [{ name: 'Surface hardness', unit: 'HRC', min: 58, max: 62 }],
            equipment: on(['FURN-01'], 90, 0, 'carburize'),
          },
          {
            seq: 50,
            name: 'Grind teeth',
            nameZh: '磨齿',
            workCenterId: wc('WC-GRIND'),
            equipment: on(['GRIND-02'], 360 + s * 3, 2400, `${gear}-${fam}`),
          },
        ],
      });
    }
  }

  // Working time: two shifts Monday to Friday at the site; the furnace runs round the clock.
  const holidays = ['2026-10-01', '2026-10-02', '2026-10-05', '2027-01-01'].map((date) => ({
    date,
    name: date.endsWith('01-01') ? '元旦 New Year' : '国庆节 National Day',
  }));
  await add('calendars', {
    code: 'CAL-SITE',
    name: 'Two shifts, Monday to Friday',
    nameZh: '两班制（周一至周五）',
    shifts: [
      {
        code: 'EARLY',
        weekdays: [1, 2, 3, 4, 5],
        start: '08:00',
        end: '16:00',
        breaks: [{ start: '12:00', end: '12:30' }],
      },
      {
        code: 'LATE',
        weekdays: [1, 2, 3, 4, 5],
        start: '16:00',
        end: '24:00',
        breaks: [{ start: '20:00', end: '20:30' }],
      },
    ],
    holidays,
  });
  await add('calendars', {
    code: 'CAL-HEAT',
    name: 'Furnace: three shifts, all week',
    nameZh: '热处理三班制',
    workCenterId: wc('WC-HEAT'),
    shifts: [
      { code: 'A', weekdays: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '08:00' },
      { code: 'B', weekdays: [1, 2, 3, 4, 5, 6, 7], start: '08:00', end: '16:00' },
      { code: 'C', weekdays: [1, 2, 3, 4, 5, 6, 7], start: '16:00', end: '24:00' },
    ],
  });

  // Reason codes.
  for (const [code, name, nameZh, category] of [
    ['SCR-DIM', 'Dimension out of tolerance', '尺寸超差', 'scrap'],
    ['SCR-SURF', 'Surface defect', '表面缺陷', 'scrap'],
    ['SCR-MAT', 'Material defect', '材料缺陷', 'scrap'],
    ['P-BREAK', 'Break', '休息', 'pause'],
    ['P-MEET', 'Shift meeting', '班前会', 'pause'],
    ['DT-PM', 'Preventive maintenance', '计划保养', 'downtime_planned'],
    ['DT-SETUP', 'Changeover', '换型', 'downtime_planned'],
    ['DT-BRK', 'Machine breakdown', '设备故障', 'downtime_unplanned'],
    ['DT-MAT', 'Waiting for material', '待料', 'downtime_unplanned'],
    ['DT-QC', 'Quality problem', '质量问题', 'downtime_unplanned'],
    ['DEF-BURR', 'Burr', '毛刺', 'defect'],
    ['DEF-CRACK', 'Crack', '裂纹', 'defect'],
    ['DEF-HARD', 'Hardness out of specification', '硬度不合格', 'defect'],
    ['F-SPINDLE', 'Spindle failure', '主轴故障', 'failure'],
    ['F-HYD', 'Hydraulic failure', '液压故障', 'failure'],
    ['F-ELEC', 'Electrical failure', '电气故障', 'failure'],
  ] as const) {
    await add('reason-codes', { code, name, nameZh, category });
  }

  // Inspection plans: incoming bar stock (IQC), the shafts' ground bearing seats (IPQC, charted, acting on a
  // violation), and every gearbox's run-in test (OQC).
  const plans = app.get(InspectionPlansService);
  await plans.create(seeder, siteId, {
    code: 'IQC-BAR-40CR',
    name: 'Incoming inspection, round bar 40Cr',
    nameZh: '来料检验 圆钢 40Cr',
    type: 'iqc',
    material: 'BAR-40CR',
    sampleSize: 3,
    characteristics: [
      {
        code: 'HARDNESS',
        name: 'Hardness',
        nameZh: '硬度',
        kind: 'variable',
        unit: 'HBW',
        lsl: '187',
        usl: '229',
        target: '207',
      },
      {
        code: 'SURFACE',
        name: 'Surface free of cracks',
        nameZh: '表面无裂纹',
        kind: 'attribute',
        attributeType: 'pass_fail',
        defectCodes: ['DEF-CRACK'],
      },
    ],
  });
  for (const s of SIZES) {
    const seat = s / 2;
    await plans.create(seeder, siteId, {
      code: `IPQC-ISH-${s}-SEAT`,
      name: `Bearing seats, input shaft R${s}`,
      nameZh: `输入轴 R${s} 轴承位`,
      type: 'ipqc',
      material: `ISH-${s}`,
      operationSeq: 30,
      frequency: 'count',
      frequencyQty: '10',
      sampleSize: 5,
      characteristics: [
        {
          code: 'SEAT-DIA',
          name: 'Bearing seat diameter',
          nameZh: '轴承位直径',
          kind: 'variable',
          unit: 'mm',
          lsl: String(seat),
          usl: (seat + 0.016).toFixed(3),
          target: (seat + 0.008).toFixed(3),
          chart: 'xbar-r',
          ruleSet: 'nelson',
          violationOpensNcr: true,
          violationHoldsLots: true,
        },
      ],
    });
    await plans.create(seeder, siteId, {
      code: `OQC-GB-R${s}`,
      name: `Final inspection, gearbox R${s}`,
      nameZh: `成品检验 减速机 R${s}`,
      type: 'oqc',
      material: `GB-R${s}`,
      sampleSize: 1,
      characteristics: [
        {
          code: 'NOISE',
          name: 'Noise at rated speed',
          nameZh: '额定转速噪声',
          kind: 'variable',
          unit: 'dB(A)',
          usl: '75',
          chart: 'imr',
          ruleSet: 'we',
        },
        {
          code: 'LEAK',
          name: 'No oil leak',
          nameZh: '无漏油',
          kind: 'attribute',
          attributeType: 'pass_fail',
        },
      ],
    });
  }

  // The assembly terminal, with a known device key so the demo can sign in at it.
  await app.get(TransactionRunner).run(async (tx) => {
    const [terminal] = await tx.manager.query<Array<{ id: string }>>(
      `INSERT INTO terminal (code, name, site_id, work_center_id, device_key_hash) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
      [DEMO_TERMINAL.code, DEMO_TERMINAL.name, siteId, wc('WC-ASSY'), sha256Hex(DEMO_TERMINAL.deviceKey)],
    );
    await app.get(AuditService).record(tx, {
      entityType: 'terminal',
      entityId: terminal!.id,
      siteId,
      action: 'terminal.registered',
      after: { code: DEMO_TERMINAL.code, workCenter: 'WC-ASSY' },
    });
  });

  // Open orders for the planner board (planned, not released): two weeks of gearboxes, each with the machined
  // housings, covers, shafts and gears it needs two days earlier, so a schedule has real contention to solve.
  const workOrders = app.get(WorkOrdersService);
  let orderCount = 0;
  const order = async (material: string, quantity: number, dueAt: Date, notes: string): Promise<void> => {
    const wo = await workOrders.create(seeder, siteId, {
      material,
      quantity: String(quantity),
      dueAt: dueAt.toISOString(),
      notes,
    });
    await workOrders.transition(seeder, siteId, wo.id, 'plan');
    orderCount++;
  };
  const dayMs = 86_400_000;
  const today = Math.floor(Date.now() / dayMs) * dayMs + 8 * 3_600_000; // 16:00 in Suzhou
  const waves: Array<[size: (typeof SIZES)[number], quantity: number, dueInDays: number, customer: string]> =
    [
      [50, 20, 6, 'C-CONVEY'],
      [63, 16, 7, 'C-CRANE'],
      [80, 12, 8, 'C-MIXER'],
      [100, 8, 10, 'C-CRANE'],
      [63, 24, 12, 'C-CONVEY'],
      [80, 10, 13, 'C-MIXER'],
    ];
  for (const [s, quantity, days, customer] of waves) {
    const due = new Date(today + days * dayMs);
    for (const part of ['HSG', 'CVR', 'ISH', 'OSH', 'PIN', 'GER']) {
      await order(
        `${part}-${s}`,
        quantity,
        new Date(due.getTime() - 2 * dayMs),
        `For GB-R${s} (${customer})`,
      );
    }
    await order(`GB-R${s}`, quantity, due, `Customer ${customer}`);
  }

  const counts: Record<string, number> = {};
  for (const key of ids.keys()) {
    const path = key.split(':')[0]!;
    counts[path] = (counts[path] ?? 0) + 1;
  }
  counts.boms = SIZES.length * 7;
  counts.routings = SIZES.length * 7;
  counts['work-orders'] = orderCount;
  return { created: true, siteId, users, counts };
}

function splitName(name: string): [string, string | undefined] {
  const m = /^(.*?)\s+([\u4e00-\u9fff][^\s]*)$/.exec(name);
  return m ? [m[1]!, m[2]] : [name, undefined];
}
