import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { CountMode, MachineState, TagRole } from '../machine-data.entities';

/** A mapped tag as ingestion needs it. */
export interface TagInfo {
  id: string;
  siteId: string;
  equipmentId: string;
  equipmentCode: string;
  role: TagRole;
  /** The metric name, or the parameter's name for parameters (what screens show). */
  name: string;
  parameterName: string | null;
  unit: string | null;
  min: number | null;
  max: number | null;
  stateMap: Record<string, MachineState> | null;
}

/** A machine's settings as ingestion needs them. */
export interface MachineInfo {
  equipmentId: string;
  siteId: string;
  equipmentCode: string;
  countMode: CountMode;
  scrapReasonCode: string | null;
  /** Every source its tags come from (for connection changes). */
  sources: Set<string>;
}

/** How long another instance's mapping change may take to reach this one. */
const REFRESH_MS = 15_000;

/**
 * The tag mapping in memory: ingestion looks up every sample's source and metric here instead of asking the
 * database. Reloaded when this instance changes a mapping and every few seconds for changes made elsewhere.
 */
@Injectable()
export class TagRegistry {
  private readonly logger = new Logger(TagRegistry.name);
  private tags = new Map<string, TagInfo>();
  private machines = new Map<string, MachineInfo>();
  private bySource = new Map<string, string[]>();
  private loadedAt = 0;
  private loading: Promise<void> | null = null;
  private requested = 0;
  private loaded = 0;

  constructor(private readonly dataSource: DataSource) {}

  static key(source: string, metric: string): string {
    return `${source}\u0000${metric}`;
  }

  /** The mapping, loaded if it is older than the refresh period. */
  async current(): Promise<this> {
    if (Date.now() - this.loadedAt > REFRESH_MS) await this.reload();
    return this;
  }

  tag(source: string, metric: string): TagInfo | undefined {
    return this.tags.get(TagRegistry.key(source, metric));
  }

  machine(equipmentId: string): MachineInfo | undefined {
    return this.machines.get(equipmentId);
  }

  /** Machines whose tags come from a source (a Sparkplug device or edge node, a plain topic). */
  machinesOf(source: string): string[] {
    return this.bySource.get(source) ?? [];
  }

  /**
   * Reads the mapping again. Callers during a load share the next one (a load already running may have read
   * before their change committed), so each caller's change is in the mapping when its promise resolves.
   */
  reload(): Promise<void> {
    this.requested++;
    this.loading ??= (async () => {
      try {
        while (this.loaded < this.requested) {
          const generation = this.requested;
          await this.load();
          this.loaded = generation;
        }
      } finally {
        this.loading = null;
      }
    })();
    return this.loading;
  }

  private async load(): Promise<void> {
    const rows = await this.dataSource.query<
      Array<{
        id: string | null;
        site_id: string;
        equipment_id: string;
        equipment_code: string;
        count_mode: CountMode;
        scrap_reason_code: string | null;
        source: string | null;
        metric: string | null;
        role: TagRole | null;
        parameter_name: string | null;
        unit: string | null;
        min_value: string | null;
        max_value: string | null;
        state_map: Record<string, MachineState> | null;
      }>
    >(
      `SELECT t.id, c.site_id, c.equipment_id, e.code AS equipment_code, c.count_mode, c.scrap_reason_code,
              t.source, t.metric, t.role, t.parameter_name, t.unit, t.min_value::text AS min_value,
              t.max_value::text AS max_value, t.state_map
         FROM machine_config c JOIN equipment e ON e.id = c.equipment_id
         LEFT JOIN machine_tag t ON t.equipment_id = c.equipment_id`,
    );
    const tags = new Map<string, TagInfo>();
    const machines = new Map<string, MachineInfo>();
    const bySource = new Map<string, string[]>();
    for (const r of rows) {
      let machine = machines.get(r.equipment_id);
      if (!machine) {
        machine = {
          equipmentId: r.equipment_id,
          siteId: r.site_id,
          equipmentCode: r.equipment_code,
          countMode: r.count_mode,
          scrapReasonCode: r.scrap_reason_code,
          sources: new Set(),
        };
        machines.set(r.equipment_id, machine);
      }
      if (!r.id || !r.source || !r.metric || !r.role) continue;
      machine.sources.add(r.source);
      tags.set(TagRegistry.key(r.source, r.metric), {
        id: r.id,
        siteId: r.site_id,
        equipmentId: r.equipment_id,
        equipmentCode: r.equipment_code,
        role: r.role,
        name: r.parameter_name ?? r.metric,
        parameterName: r.parameter_name,
        unit: r.unit,
        min: r.min_value === null ? null : Number(r.min_value),
        max: r.max_value === null ? null : Number(r.max_value),
        stateMap: r.state_map,
      });
    }
    for (const m of machines.values()) {
      for (const source of m.sources) {
        const list = bySource.get(source) ?? [];
        list.push(m.equipmentId);
        bySource.set(source, list);
        // A Sparkplug edge node's death takes its devices with it.
        const node = source.split('/').slice(0, 3).join('/');
        if (source.startsWith('spBv1.0/') && node !== source) {
          const nodeList = bySource.get(node) ?? [];
          if (!nodeList.includes(m.equipmentId)) nodeList.push(m.equipmentId);
          bySource.set(node, nodeList);
        }
      }
    }
    this.tags = tags;
    this.machines = machines;
    this.bySource = bySource;
    this.loadedAt = Date.now();
    this.logger.debug(`tag mapping loaded: ${tags.size} tags on ${machines.size} machines`);
  }
}
