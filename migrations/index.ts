import type { MigrationInterface } from 'typeorm';
import { OutboxDeadLetterOrdering1795350000000 } from './1795350000000-OutboxDeadLetterOrdering';
import { AppendOnlySignaturesLedger1795348000000 } from './1795348000000-AppendOnlySignaturesLedger';
import { MachineData1795344615809 } from './1795344615809-MachineData';
import { PurchaseRequisitions1795340100000 } from './1795340100000-PurchaseRequisitions';
import { WebhookSubscriptions1795336256853 } from './1795336256853-WebhookSubscriptions';
import { RulesAndRoles1795335077430 } from './1795335077430-RulesAndRoles';
import { AnalyticsCosts1795340000000 } from './1795340000000-AnalyticsCosts';
import { BreakdownReplan1795333698348 } from './1795333698348-BreakdownReplan';
import { Maintenance1795329536881 } from './1795329536881-Maintenance';
import { GenealogyWalkIndexes1795315014812 } from './1795315014812-GenealogyWalkIndexes';
import { TraceabilityShipments1795311592767 } from './1795311592767-TraceabilityShipments';
import { Quality1795306007915 } from './1795306007915-Quality';
import { Planning1795297543434 } from './1795297543434-Planning';
import { SerialNumbers1795293061428 } from './1795293061428-SerialNumbers';
import { Outsourcing1795292062010 } from './1795292062010-Outsourcing';
import { LineSideReplenishment1795291662937 } from './1795291662937-LineSideReplenishment';
import { TodosAdjustmentsSafetyStock1795291035444 } from './1795291035444-TodosAdjustmentsSafetyStock';
import { InventoryReservations1795290633289 } from './1795290633289-InventoryReservations';
import { WmsBridge1795285641971 } from './1795285641971-WmsBridge';
import { InventoryOperations1795283394558 } from './1795283394558-InventoryOperations';
import { ProductionExecution1795278335579 } from './1795278335579-ProductionExecution';
import { Enterprises1795275045108 } from './1795275045108-Enterprises';
import { MaterialUnitConversions1795274841251 } from './1795274841251-MaterialUnitConversions';
import { MasterDataCalendars1795274204729 } from './1795274204729-MasterDataCalendars';
import { MasterDataRoutings1795274107062 } from './1795274107062-MasterDataRoutings';
import { MasterDataBoms1795273929938 } from './1795273929938-MasterDataBoms';
import { MasterDataLocationsPartnersReasons1795273730313 } from './1795273730313-MasterDataLocationsPartnersReasons';
import { MasterDataHierarchyMaterials1795273478486 } from './1795273478486-MasterDataHierarchyMaterials';
import { PlatformFoundation1795271475224 } from './1795271475224-PlatformFoundation';

/** Every migration, in order. `npm run migration:generate` appends new ones here. */
export const MIGRATIONS: Array<new () => MigrationInterface> = [
  PlatformFoundation1795271475224,
  MasterDataHierarchyMaterials1795273478486,
  MasterDataLocationsPartnersReasons1795273730313,
  MasterDataBoms1795273929938,
  MasterDataRoutings1795274107062,
  MasterDataCalendars1795274204729,
  MaterialUnitConversions1795274841251,
  Enterprises1795275045108,
  ProductionExecution1795278335579,
  InventoryOperations1795283394558,
  WmsBridge1795285641971,
  InventoryReservations1795290633289,
  TodosAdjustmentsSafetyStock1795291035444,
  LineSideReplenishment1795291662937,
  Outsourcing1795292062010,
  SerialNumbers1795293061428,
  Planning1795297543434,
  Quality1795306007915,
  TraceabilityShipments1795311592767,
  GenealogyWalkIndexes1795315014812,
  Maintenance1795329536881,
  BreakdownReplan1795333698348,
  RulesAndRoles1795335077430,
  WebhookSubscriptions1795336256853,
  AnalyticsCosts1795340000000,
  PurchaseRequisitions1795340100000,
  MachineData1795344615809,
  AppendOnlySignaturesLedger1795348000000,
  OutboxDeadLetterOrdering1795350000000,
];
