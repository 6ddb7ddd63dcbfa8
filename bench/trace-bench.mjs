#!/usr/bin/env node
// Traceability benchmark (issue #8).
//
// Starts the built service (dist/src/main.js) on a fresh PostgreSQL database seeded with the demo factory,
// generates a lot genealogy of BENCH_TRACE_LOTS lots (about 3 edges per lot) straight into that database with
// set-based SQL, and then, one request at a time like a quality engineer at a screen, traces random lots
// backward and forward through the API and asks for the recall scope of a widely used raw lot.
//
//   npm run bench:trace                            # 1,000,000 lots, about 3,000,000 edges
//   BENCH_TRACE_LOTS=100000 npm run bench:trace    # a quick try
//
// Environment:
//   BENCH_DATABASE_URL   server to use (default postgres://postgres@127.0.0.1:5432/postgres); the database is
//                        created next to the one named here and dropped at the end, even on failure
//   BENCH_TRACE_LOTS     lots to generate (default 1000000, at least 20000)
//   BENCH_TRACE_SAMPLES  lots traced in each direction (default 300)
//   BENCH_TRACE_KEEP     1: keep the database at the end (its name is printed) to measure again with…
//   BENCH_TRACE_DB       …the name of a database a kept run generated: no generation, only the measurement
//
// The genealogy (the same for a given BENCH_TRACE_LOTS: every random draw is a hash of the lot's number):
//   level 0    raw lots (17 %), received from the demo suppliers. 3 % of them are bulk lots (bolts, oil,
//              paint, seals, boxes) in 12 streams: each stream's lots follow one another in time and last
//              Pareto-distributed spans (α 1.2), the streams are used Zipf-like, so a few bulk lots feed
//              thousands of work orders; the other raw lots (bar, castings, bearings) feed a few each.
//   levels 1–7 produced lots (83 %), one work order each, made from 1–5 lots produced shortly before: the
//              first always from the level below, the others from the level below (85 %), two levels below
//              (10 %) or raw lots (5 %); level 1 from raw lots only; plus a bulk lot in 55 % of work orders.
//   splits     every 50th lot of a level is split off an earlier lot of the same material (origin split);
//   merges     every 500th lot gets an earlier lot of the same material merged into it.
//   Lots with children are consumed (5 % still available, partly used), the others available, in
//   quarantine, on hold, rejected or expired; every lot not consumed has a stock balance.
//
// Exit status: 0 when the run completed (targets are reported as PASS/MISS only), 1 when something errored:
// set-up or generation failed, or a trace or recall got a non-200 answer.

import http from 'node:http';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import {
  adminQuery,
  App,
  BASE_URL,
  dbUrl,
  DEMO_PASSWORD,
  intEnv,
  interrupt,
  log,
  login,
  percentile,
  quoteIdent,
  throwIfInterrupted,
  writeBenchResult,
} from './common.mjs';

// ---------------------------------------------------------------------------------------------------------
// Settings
// ---------------------------------------------------------------------------------------------------------

const LOTS = intEnv('BENCH_TRACE_LOTS', 1_000_000);
const SAMPLES = intEnv('BENCH_TRACE_SAMPLES', 300);
const WARMUP = 30; // requests per direction before the measured ones
const RECALLS = 10;

const TARGET_TRACE_P95_MS = 20;
const TARGET_RECALL_MS = 300; // median, for a recall scope of about RECALL_SCOPE lots
const RECALL_SCOPE = 10_000;

const USERNAME = 'quality';

const stamp = new Date()
  .toISOString()
  .replace(/[-:T.Z]/g, '')
  .slice(0, 14);
const REUSE_DB = process.env.BENCH_TRACE_DB || null;
const KEEP_DB = process.env.BENCH_TRACE_KEEP === '1' || REUSE_DB !== null;
const APP_DB = REUSE_DB ?? `mom_bench_trace_${stamp}_${process.pid}`;

// ---------------------------------------------------------------------------------------------------------
// Shape of the genealogy
// ---------------------------------------------------------------------------------------------------------

const RAW_SHARE = 0.17; // level 0
const LEVEL_WEIGHTS = [0.2, 0.18, 0.16, 0.14, 0.12, 0.11, 0.09]; // levels 1–7, of the produced lots
const BULK_SHARE = 0.03; // of the raw lots
const SLOT_P = [1, 0.95, 0.65, 0.35, 0.15]; // chance of a 1st … 5th parent (besides the bulk lot)
const BULK_P = 0.55; // chance that a work order also consumes a bulk lot
const STRIDE = 3; // parent slot j takes one of the lots 3(j−1) … 3j−1 places before the child's time
const WINDOW = STRIDE * SLOT_P.length; // how far back in a level the parents are
const PARETO_ALPHA = 1.2; // bulk lot spans
const SPLIT = { every: 50, at: 7 }; // lot n is split off lot n−1…n−3 when n % 50 = 7
const MERGE = { every: 500, at: 123 }; // lot n gets lot n−(number of materials) merged in when n % 500 = 123
const DAYS = 1095; // the genealogy spans three years…
const LEAD_DAYS = 3; // …and each level is made 3 days after the one below it

/** Lots per level (0–7), where each level starts in the lot numbering, and the bulk and regular raw counts. */
function levelSizes(total) {
  const raw = Math.round(total * RAW_SHARE);
  const produced = total - raw;
  const sizes = [raw, ...LEVEL_WEIGHTS.map((w) => Math.floor(produced * w))];
  sizes[7] += produced - sizes.slice(1).reduce((a, b) => a + b, 0);
  const starts = sizes.map((_, i) => sizes.slice(0, i).reduce((a, b) => a + b, 0));
  const bulk = Math.round(raw * BULK_SHARE);
  return { sizes, starts, bulk, regular: raw - bulk };
}

// ---------------------------------------------------------------------------------------------------------
// Generation
// ---------------------------------------------------------------------------------------------------------

/** The demo data the lots refer to, found by code. */
async function demoData(db) {
  const one = async (sql, params) => {
    const { rows } = await db.query(sql, params);
    if (rows.length === 0) throw new Error(`demo data missing: ${sql} ${JSON.stringify(params ?? [])}`);
    return rows;
  };
  const [site] = await one(`SELECT id FROM site WHERE code = 'SZ01'`);
  const materials = new Map(
    (
      await one(
        `SELECT code, id, base_unit_id AS unit, material_class AS class FROM material WHERE site_id = $1`,
        [site.id],
      )
    ).map((m) => [m.code, m]),
  );
  const partners = new Map(
    (await one(`SELECT code, id FROM partner WHERE site_id = $1`, [site.id])).map((p) => [p.code, p.id]),
  );
  const locations = new Map(
    (await one(`SELECT code, id FROM storage_location WHERE site_id = $1`, [site.id])).map((l) => [
      l.code,
      l.id,
    ]),
  );
  const pick = (map, code) => {
    const v = map.get(code);
    if (!v) throw new Error(`demo data missing: ${code}`);
    return v;
  };
  const sizes = [50, 63, 80, 100];
  // Bulk streams (Zipf rank order) with their supplier and shelf life; regular raw materials with theirs.
  const bulk = [
    ['BOLT-M8', 'S-STEEL', null],
    ['OIL-220', 'S-LUBE', 1095],
    ['BOLT-M10', 'S-STEEL', null],
    ['SEAL-80', 'S-SEAL', null],
    ['BOX-80', 'S-SEAL', null],
    ['SEAL-63', 'S-SEAL', null],
    ['PAINT-GRY', 'S-COAT', 365],
    ['BOX-63', 'S-SEAL', null],
    ['SEAL-100', 'S-SEAL', null],
    ['SEAL-50', 'S-SEAL', null],
    ['BOX-100', 'S-SEAL', null],
    ['BOX-50', 'S-SEAL', null],
  ].map(([code, supplier, shelf]) => ({
    ...pick(materials, code),
    supplier: pick(partners, supplier),
    shelf,
  }));
  const regular = [
    ['BAR-40CR', 'S-STEEL'],
    ['BAR-20CRMNTI', 'S-STEEL'],
    ...sizes.flatMap((s) => [
      [`CST-${s}`, 'S-FOUNDRY'],
      [`CVC-${s}`, 'S-FOUNDRY'],
      [`BRG-A${s}`, 'S-BEARING'],
      [`BRG-B${s}`, 'S-BEARING'],
    ]),
  ].map(([code, supplier]) => ({ ...pick(materials, code), supplier: pick(partners, supplier) }));
  const semi = ['HSG', 'CVR', 'ISH', 'OSH', 'PIN', 'GER'].flatMap((p) =>
    sizes.map((s) => pick(materials, `${p}-${s}`)),
  );
  const finished = sizes.map((s) => pick(materials, `GB-R${s}`));
  const loc = (code) => pick(locations, code);
  return {
    siteId: site.id,
    bulk,
    regular,
    semi,
    finished,
    locations: {
      raw: ['RM-A-01', 'RM-A-02', 'RM-A-03', 'RM-B-01', 'RM-B-02', 'RM-B-03'].map(loc),
      wip: ['WIP-L1', 'WIP-L2', 'LS-L1', 'LS-L2'].map(loc),
      finished: loc('WH-FG'),
      quarantine: loc('QC-HOLD'),
    },
  };
}

const lit = (v) =>
  v === null ? 'NULL' : typeof v === 'number' ? String(v) : `'${String(v).replace(/'/g, "''")}'`;
const arr = (values, type) => `ARRAY[${values.map(lit).join(', ')}]::${type}[]`;
/** A uniform number in [0, 1) drawn from the lot number g and a salt: the same on every run. */
const rnd = (g, salt) => `pg_temp.bt_rand(${g}, ${salt})`;

/**
 * Writes the genealogy into the app's database. Lot ids are md5 of the lot number, so the edges can be
 * staged with numbers and written without a lookup; the edges are staged first to know which lots have
 * children (their status) before the lots are written.
 */
async function generate(db, demo) {
  const { sizes, starts, bulk, regular } = levelSizes(LOTS);
  const step = async (label, sql, params) => {
    throwIfInterrupted();
    const began = performance.now();
    const res = await db.query(sql, params);
    const seconds = (performance.now() - began) / 1000;
    log(
      `  ${label}: ${seconds.toFixed(1)} s${res.rowCount ? ` (${res.rowCount.toLocaleString('en')} rows)` : ''}`,
    );
    return res;
  };
  const began = performance.now();

  await db.query(`SET work_mem = '256MB'`);
  await db.query(`SET maintenance_work_mem = '512MB'`);
  await db.query(`SET synchronous_commit = off`);
  await db.query(
    `CREATE FUNCTION pg_temp.bt_rand(g bigint, salt int) RETURNS float8 LANGUAGE sql IMMUTABLE PARALLEL SAFE
       AS $$ SELECT ((hashint8extended(g, salt) >> 11) & 9007199254740991)::float8 / 9007199254740992 $$`,
  );

  const lotId = (g) => `md5('bt-lot:' || (${g}))::uuid`;
  const woId = (g) => `md5('bt-wo:' || (${g}))::uuid`;
  const at = (lv, t) =>
    `(timestamptz '2023-01-01 00:00+00' + ((${t}) * ${DAYS} + (${lv}) * ${LEAD_DAYS}) * interval '1 day')`;
  const isSplit = (lv, n) =>
    `((${n}) % ${SPLIT.every} = ${SPLIT.at} AND ((${lv}) > 0 OR (${n}) >= ${bulk + 3}))`;
  const splitParent = (g) => `(1 + floor(${rnd(g, 50)} * 3))::int`; // how many places before the split lot
  // Quantity of a lot that is neither a bulk lot nor a split: raw bar, castings… or a production batch.
  const baseQty = (lv, g) =>
    `(CASE WHEN (${lv}) = 0 THEN round((100 + ${rnd(g, 60)} * 4900)::numeric, 1) ELSE round((10 + ${rnd(g, 60)} * 490)::numeric) END)`;
  const splitQty = (lv, g) =>
    `round(${baseQty(lv, `(${g}) - ${splitParent(g)}`)} * (0.2 + 0.4 * ${rnd(g, 51)})::numeric, 3)`;
  const matCount = (lv) =>
    `(CASE WHEN (${lv}) = 0 THEN ${demo.regular.length} WHEN (${lv}) = 7 THEN ${demo.finished.length} ELSE ${demo.semi.length} END)`;
  const startsSql = arr(starts, 'int');
  const sizesSql = arr(sizes, 'int');

  // 1. Bulk streams: Zipf-like use (stream b is chosen with probability log12((b+2)/(b+1))), lots per stream
  //    in proportion, each lot lasting a Pareto-distributed part of the three years.
  const streams = demo.bulk.length;
  const share = (b) => Math.log((b + 2) / (b + 1)) / Math.log(streams + 1);
  const counts = demo.bulk.map((_, b) => Math.max(2, Math.round(bulk * share(b))));
  counts[0] += bulk - counts.reduce((a, b) => a + b, 0);
  const firsts = counts.map((_, b) => counts.slice(0, b).reduce((a, c) => a + c, 0));
  await step(
    'bulk lot spans',
    `CREATE TEMP TABLE bt_bulk AS
     WITH l AS (
       SELECT s.b::int - 1 AS b, s.first + k AS n, k, s.cnt,
              power(1 - ${rnd('s.first + k', 70)}, -1 / ${PARETO_ALPHA}) AS len
         FROM unnest(${arr(firsts, 'int')}, ${arr(counts, 'int')}) WITH ORDINALITY AS s(first, cnt, b)
        CROSS JOIN generate_series(0, s.cnt - 1) k
     )
     SELECT b, n, k = cnt - 1 AS last,
            coalesce(sum(len) OVER (PARTITION BY b ORDER BY k ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)
              / sum(len) OVER (PARTITION BY b) AS start_t
       FROM l`,
  );
  await db.query(
    `CREATE TEMP TABLE bt_stream AS
     SELECT b, min(n) AS first, array_agg(start_t ORDER BY n) AS bounds FROM bt_bulk GROUP BY b`,
  );

  // 2. The edges, as lot numbers: p → c, with the time of the child.
  await db.query(
    `CREATE TEMP TABLE bt_edge (p int NOT NULL, c int NOT NULL, kind varchar(16) NOT NULL, qty numeric(18,6) NOT NULL, at timestamptz NOT NULL)`,
  );
  for (let L = 1; L <= 7; L++) {
    // The lot in level `src` made shortly before time t, `back` places back (regular raw lots for level 0).
    const before = (src, back) =>
      `(CASE WHEN ${src} = 0 THEN ${bulk} + floor(t * ${regular - WINDOW - 1})::int
             ELSE (${startsSql})[${src} + 1] + floor(t * ((${sizesSql})[${src} + 1] - ${WINDOW + 1}))::int END
        + ${WINDOW} - ${back})`;
    await step(
      `production edges, level ${L}`,
      `WITH c AS (
         SELECT ${starts[L]} + n AS g, n::float8 / ${sizes[L]} AS t
           FROM generate_series(0, ${sizes[L] - 1}) n
          WHERE NOT ${isSplit(L, 'n')}
       ), s AS (
         SELECT c.g, c.t, j,
                CASE WHEN ${L} = 1 OR (j > 1 AND ${rnd('c.g', '10 + j')} >= 0.95) THEN 0
                     WHEN j > 1 AND ${rnd('c.g', '10 + j')} >= 0.85 THEN ${L - 2}
                     ELSE ${L - 1} END AS src
           FROM c CROSS JOIN generate_series(1, ${SLOT_P.length}) j
          WHERE ${rnd('c.g', 'j')} < (${arr(SLOT_P, 'float8')})[j]
       )
       INSERT INTO bt_edge (p, c, kind, qty, at)
       SELECT ${before('src', `(j - 1) * ${STRIDE} + floor(${rnd('g', '20 + j')} * ${STRIDE})::int`)}, g, 'production',
              round((1 + ${rnd('g', '30 + j')} * 99)::numeric, 3), ${at(L, 't')}
         FROM s
       UNION ALL
       SELECT st.first + width_bucket(c.t, st.bounds) - 1, c.g, 'production',
              round((1 + ${rnd('c.g', 42)} * 49)::numeric, 3), ${at(L, 'c.t')}
         FROM c JOIN bt_stream st ON st.b = least(${streams - 1}, floor(power(${streams}, ${rnd('c.g', 41)}))::int - 1)
        WHERE ${rnd('c.g', 40)} < ${BULK_P}`,
    );
  }
  await step(
    'split and merge edges',
    `WITH x AS (
       SELECT g, lv, g - (${startsSql})[lv + 1] AS n
         FROM (SELECT g, width_bucket(g, ${arr(starts.slice(1), 'int')}) AS lv FROM generate_series(0, ${LOTS - 1}) g) a
     ), y AS (
       SELECT g, lv, n, CASE WHEN lv = 0 THEN (n - ${bulk})::float8 / ${regular} ELSE n::float8 / (${sizesSql})[lv + 1] END AS t
         FROM x WHERE NOT (lv = 0 AND n < ${bulk})
     )
     INSERT INTO bt_edge (p, c, kind, qty, at)
     SELECT g - ${splitParent('g')}, g, 'split', ${splitQty('lv', 'g')}, ${at('lv', 't')}
       FROM y WHERE ${isSplit('lv', 'n')}
     UNION ALL
     SELECT g - ${matCount('lv')}, g, 'merge', ${baseQty('lv', `g - ${matCount('lv')}`)}, ${at('lv', 't')}
       FROM y
      WHERE n % ${MERGE.every} = ${MERGE.at} AND NOT (lv = 0 AND n - ${matCount('lv')} < ${bulk})`,
  );
  await step('lots with children', `CREATE TEMP TABLE bt_parent AS SELECT DISTINCT p FROM bt_edge`);
  await db.query(`ANALYZE bt_edge; ANALYZE bt_parent; ANALYZE bt_bulk`);

  // 3. The lots, in the order they were made.
  const statusSql = `CASE
      WHEN has_child THEN CASE WHEN last OR ${rnd('g', 80)} < 0.05 THEN 'available' ELSE 'consumed' END
      WHEN lv = 0 THEN CASE WHEN r < 0.7 THEN 'available' WHEN r < 0.85 THEN 'quarantine' WHEN r < 0.92 THEN 'expired'
                            WHEN r < 0.97 THEN 'hold' ELSE 'rejected' END
      ELSE CASE WHEN r < 0.82 THEN 'available' WHEN r < 0.9 THEN 'quarantine' WHEN r < 0.96 THEN 'hold'
                WHEN r < 0.99 THEN 'rejected' ELSE 'expired' END END`;
  const matKey = `CASE WHEN split THEN n - ${splitParent('g')} ELSE n END`;
  const pickBy = (list, field) =>
    arr(
      list.map((m) => m[field]),
      'uuid',
    );
  await step(
    'lots',
    `WITH x AS (
       SELECT g, lv, g - (${startsSql})[lv + 1] AS n
         FROM (SELECT g, width_bucket(g, ${arr(starts.slice(1), 'int')}) AS lv FROM generate_series(0, ${LOTS - 1}) g) a
     ), y AS (
       SELECT x.g, x.lv, x.n, ${isSplit('x.lv', 'x.n')} AS split, b.b AS stream, coalesce(b.last, false) AS last,
              p.p IS NOT NULL AS has_child, ${rnd('x.g', 81)} AS r,
              CASE WHEN b.b IS NOT NULL THEN b.start_t
                   WHEN x.lv = 0 THEN (x.n - ${bulk})::float8 / ${regular}
                   ELSE x.n::float8 / (${sizesSql})[x.lv + 1] END AS t
         FROM x
         LEFT JOIN bt_bulk b ON x.lv = 0 AND b.n = x.n
         LEFT JOIN bt_parent p ON p.p = x.g
     ), z AS (
       SELECT y.*, ${statusSql} AS status, (${matKey}) % ${matCount('lv')} + 1 AS m FROM y
     )
     INSERT INTO lot (id, site_id, code, material_id, unit_id, status, status_reason, held_from, origin, initial_qty,
                      work_order_id, supplier_id, supplier_lot, expiry_date, received_at, created_at, updated_at)
     SELECT ${lotId('g')}, '${demo.siteId}', 'BT-L' || lv || '-' || n,
            CASE WHEN stream IS NOT NULL THEN (${pickBy(demo.bulk, 'id')})[stream + 1]
                 WHEN lv = 0 THEN (${pickBy(demo.regular, 'id')})[m]
                 WHEN lv = 7 THEN (${pickBy(demo.finished, 'id')})[m]
                 ELSE (${pickBy(demo.semi, 'id')})[m] END,
            CASE WHEN stream IS NOT NULL THEN (${pickBy(demo.bulk, 'unit')})[stream + 1]
                 WHEN lv = 0 THEN (${pickBy(demo.regular, 'unit')})[m]
                 WHEN lv = 7 THEN (${pickBy(demo.finished, 'unit')})[m]
                 ELSE (${pickBy(demo.semi, 'unit')})[m] END,
            status,
            CASE status WHEN 'hold' THEN 'bench: held pending investigation'
                        WHEN 'rejected' THEN 'bench: failed incoming or final inspection' END,
            CASE WHEN status = 'hold' THEN 'available' END,
            CASE WHEN split THEN 'split' WHEN lv = 0 THEN 'receipt' ELSE 'production' END,
            CASE WHEN stream IS NOT NULL THEN round((1000 + ${rnd('g', 60)} * 19000)::numeric)
                 WHEN split THEN ${splitQty('lv', 'g')}
                 ELSE ${baseQty('lv', 'g')} END,
            CASE WHEN lv > 0 AND NOT split THEN ${woId('g')} END,
            CASE WHEN stream IS NOT NULL THEN (${pickBy(demo.bulk, 'supplier')})[stream + 1]
                 WHEN lv = 0 THEN (${pickBy(demo.regular, 'supplier')})[m] END,
            CASE WHEN lv = 0 AND NOT split THEN 'SL' || lpad(((g::bigint * 7919) % 1000000)::text, 6, '0') END,
            CASE WHEN stream IS NOT NULL THEN
              (${at(0, 't')} + (${arr(
                demo.bulk.map((m) => m.shelf),
                'int',
              )})[stream + 1] * interval '1 day')::date END,
            ${at('lv', 't')}, ${at('lv', 't')}, ${at('lv', 't')}
       FROM z
      ORDER BY t + lv * ${LEAD_DAYS / DAYS}, g`,
  );

  // 4. The edges, in the order they were made; the table's secondary indexes are built afterwards, from the
  //    definitions the migration made (read back from the catalog, checked to be the same at the end).
  const indexSql = `SELECT indexname, indexdef FROM pg_indexes
     WHERE schemaname = current_schema() AND tablename = 'genealogy_edge'
       AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = 'genealogy_edge'::regclass)
     ORDER BY indexname`;
  const indexes = (await db.query(indexSql)).rows;
  for (const ix of indexes) await db.query(`DROP INDEX ${quoteIdent(ix.indexname)}`);
  await step(
    'genealogy edges',
    `INSERT INTO genealogy_edge (site_id, parent_lot_id, child_lot_id, kind, quantity, work_order_id, occurred_at)
     SELECT '${demo.siteId}', ${lotId('p')}, ${lotId('c')}, kind, qty,
            CASE WHEN kind = 'production' THEN ${woId('c')} END, at
       FROM bt_edge ORDER BY at, c, p`,
  );
  for (const ix of indexes) await step(`index ${ix.indexname}`, ix.indexdef);
  const after = (await db.query(indexSql)).rows;
  if (JSON.stringify(after) !== JSON.stringify(indexes)) {
    throw new Error(`genealogy_edge indexes differ after the load: ${JSON.stringify({ indexes, after })}`);
  }

  // 5. Where the lots that are not used up are now.
  const locs = demo.locations;
  await step(
    'stock balances',
    `INSERT INTO stock_balance (lot_id, location_id, site_id, material_id, quantity, updated_at)
     SELECT l.id,
            CASE WHEN l.status IN ('quarantine', 'rejected') THEN '${locs.quarantine}'::uuid
                 WHEN lv = 0 THEN (${arr(locs.raw, 'uuid')})[n % ${locs.raw.length} + 1]
                 WHEN lv = 7 THEN '${locs.finished}'::uuid
                 ELSE (${arr(locs.wip, 'uuid')})[n % ${locs.wip.length} + 1] END,
            l.site_id, l.material_id,
            CASE WHEN EXISTS (SELECT 1 FROM genealogy_edge e WHERE e.parent_lot_id = l.id)
                 THEN round(l.initial_qty * 0.35, 3) ELSE l.initial_qty END,
            l.received_at
       FROM (SELECT lot.*, substr(code, 5, 1)::int AS lv, split_part(code, '-', 3)::int AS n
               FROM lot WHERE code LIKE 'BT-L%' AND status <> 'consumed') l`,
  );
  await db.query(`DROP TABLE bt_edge, bt_parent, bt_bulk, bt_stream`);
  await step('vacuum and analyze', `VACUUM (ANALYZE) lot, genealogy_edge, stock_balance`);
  return { seconds: (performance.now() - began) / 1000, sizes, bulk };
}

/** Counts and shape of what was generated, measured with SQL. */
async function shape(db) {
  const q = async (sql) => (await db.query(sql)).rows;
  const [lots] = await q(`SELECT count(*)::int AS n FROM lot WHERE code LIKE 'BT-L%'`);
  const byKind = await q(`SELECT kind, count(*)::int AS n FROM genealogy_edge GROUP BY kind ORDER BY kind`);
  const byOrigin = await q(
    `SELECT substr(code, 5, 1)::int AS lv, origin, count(*)::int AS n FROM lot WHERE code LIKE 'BT-L%'
      GROUP BY 1, 2 ORDER BY 1, 2`,
  );
  const byStatus = await q(
    `SELECT status, count(*)::int AS n FROM lot WHERE code LIKE 'BT-L%' GROUP BY 1 ORDER BY 2 DESC`,
  );
  // Production parents per produced lot (a lot with none would not be counted by the grouping: added as 0).
  const perChild = await q(
    `SELECT k, count(*)::int AS n
       FROM (SELECT count(*)::int AS k FROM genealogy_edge WHERE kind = 'production' GROUP BY child_lot_id) a
      GROUP BY k ORDER BY k`,
  );
  const produced = byOrigin.filter((r) => r.origin === 'production').reduce((a, r) => a + r.n, 0);
  const withParents = perChild.reduce((a, r) => a + r.n, 0);
  const histogram = Object.fromEntries([
    ...(produced > withParents ? [[0, produced - withParents]] : []),
    ...perChild.map((r) => [r.k, r.n]),
  ]);
  const ks = Object.keys(histogram).map(Number);
  const parents = {
    avg: (perChild.reduce((a, r) => a + r.k * r.n, 0) / produced).toFixed(2),
    min: Math.min(...ks),
    max: Math.max(...ks),
    histogram,
  };
  const [raw] = await q(
    `SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY k) AS p50, percentile_disc(0.99) WITHIN GROUP (ORDER BY k) AS p99,
            max(k) AS max, count(*) FILTER (WHERE k >= 1000)::int AS over1000
       FROM (SELECT count(*)::int AS k FROM genealogy_edge e JOIN lot l ON l.id = e.parent_lot_id
              WHERE l.origin = 'receipt' GROUP BY e.parent_lot_id) a`,
  );
  const [leaves] = await q(
    `SELECT count(*)::int AS n FROM lot l WHERE l.code LIKE 'BT-L%'
        AND NOT EXISTS (SELECT 1 FROM genealogy_edge e WHERE e.parent_lot_id = l.id)`,
  );
  const [balances] = await q(`SELECT count(*)::int AS n FROM stock_balance`);
  const edges = byKind.reduce((a, r) => a + r.n, 0);
  return {
    lots: lots.n,
    edges,
    byKind,
    byOrigin,
    byStatus,
    parents,
    raw,
    leaves: leaves.n,
    balances: balances.n,
  };
}

/** Lots downstream of a lot (the lot itself not counted), by a recursive query over the edges. */
async function closure(db, lotId) {
  const { rows } = await db.query(
    `WITH RECURSIVE f(id) AS (
       SELECT $1::uuid
       UNION
       SELECT e.child_lot_id FROM genealogy_edge e JOIN f ON e.parent_lot_id = f.id
     )
     SELECT count(*)::int - 1 AS n FROM f`,
    [lotId],
  );
  return rows[0].n;
}

/**
 * The raw lot whose downstream closure is closest to RECALL_SCOPE lots. Per material (a bulk stream or a raw
 * material), the closure grows with how many lots the raw lot went into directly: bisected on that order,
 * then the neighbours of the bracket. Closures that take over 10 s count as too large.
 */
async function recallSource(db) {
  const { rows } = await db.query(
    `SELECT l.id, l.code, l.material_id, count(*)::int AS direct
       FROM lot l JOIN genealogy_edge e ON e.parent_lot_id = l.id
      WHERE l.origin = 'receipt' AND l.code LIKE 'BT-L0-%'
      GROUP BY l.id, l.code, l.material_id ORDER BY l.material_id, direct, l.code`,
  );
  const groups = new Map();
  for (const r of rows) {
    if (!groups.has(r.material_id)) groups.set(r.material_id, []);
    groups.get(r.material_id).push(r);
  }
  const evaluated = new Map(); // code → { lot, closure }
  const size = async (lot) => {
    if (!evaluated.has(lot.code)) {
      throwIfInterrupted();
      let n;
      await db.query(`SET statement_timeout = '10s'`);
      try {
        n = await closure(db, lot.id);
      } catch (err) {
        if (err.code !== '57014') throw err; // query_canceled: the timeout
        n = Infinity;
      } finally {
        await db.query(`RESET statement_timeout`);
      }
      evaluated.set(lot.code, { ...lot, closure: n });
    }
    return evaluated.get(lot.code).closure;
  };
  for (const lots of groups.values()) {
    let lo = 0;
    let hi = lots.length - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if ((await size(lots[mid])) < RECALL_SCOPE) lo = mid;
      else hi = mid;
    }
    for (let i = Math.max(0, lo - 2); i <= Math.min(lots.length - 1, hi + 2); i++) await size(lots[i]);
  }
  let best = null;
  for (const c of evaluated.values()) {
    if (!best || Math.abs(c.closure - RECALL_SCOPE) < Math.abs(best.closure - RECALL_SCOPE)) best = c;
  }
  return { ...best, evaluated: evaluated.size };
}

/** Codes of lots to trace: a reproducible draw (hash of the code) among the lots that match `where`. */
async function sampleCodes(db, where, count, salt) {
  const { rows } = await db.query(
    `SELECT code FROM lot WHERE code LIKE 'BT-L%' AND ${where} ORDER BY hashtext(code || $1), code LIMIT $2`,
    [salt, count],
  );
  return rows.map((r) => r.code);
}

// ---------------------------------------------------------------------------------------------------------
// Measurement
// ---------------------------------------------------------------------------------------------------------

/** One request at a time on a kept-alive connection with node:http (fetch adds its own overhead). */
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
function request(url, method, token, body) {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = http.request(
      url,
      {
        method,
        agent,
        headers: {
          authorization: `Bearer ${token}`,
          ...(payload !== undefined
            ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) }
            : {}),
        },
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const ms = performance.now() - started;
          const text = Buffer.concat(chunks).toString('utf8');
          let json;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode, ms, text, json });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

const traceUrl = (app, code, direction) =>
  `${app.baseUrl}/api/v1/trace/lots/${encodeURIComponent(code)}/${direction}`;

/** Traces each lot in turn; a non-200 answer is counted as an error, the warm-up ones throw. */
async function traceAll(app, token, direction, warmup, codes) {
  for (const code of warmup) {
    throwIfInterrupted();
    const res = await request(traceUrl(app, code, direction), 'GET', token);
    if (res.status !== 200) {
      throw new Error(
        `GET /trace/lots/${code}/${direction} answered ${res.status}: ${res.text.slice(0, 500)}`,
      );
    }
    if (!Array.isArray(res.json?.nodes)) {
      throw new Error(`GET /trace/lots/${code}/${direction}: no nodes array in ${res.text.slice(0, 500)}`);
    }
  }
  const latencies = [];
  const nodes = [];
  const errors = [];
  let truncated = 0;
  for (const code of codes) {
    throwIfInterrupted();
    const res = await request(traceUrl(app, code, direction), 'GET', token);
    if (res.status !== 200 || !Array.isArray(res.json?.nodes)) {
      errors.push(`GET /trace/lots/${code}/${direction}: ${res.status} ${res.text.slice(0, 300)}`);
      continue;
    }
    latencies.push(res.ms);
    nodes.push(res.json.nodes.length);
    if (res.json.truncated) truncated++;
  }
  latencies.sort((a, b) => a - b);
  nodes.sort((a, b) => a - b);
  return { latencies, nodes, errors, truncated };
}

/**
 * The recall scope of one lot, RECALLS times: as the API answers by default (the summary, work orders and
 * customers of the whole scope, the first page of lots), or with `body` on top (e.g. every lot in one answer).
 */
async function recallAll(app, token, code, body = {}) {
  const url = `${app.baseUrl}/api/v1/trace/recall`;
  const ask = { lot: code, ...body };
  const warm = await request(url, 'POST', token, ask);
  if (warm.status !== 200) {
    throw new Error(`POST /trace/recall ${code} answered ${warm.status}: ${warm.text.slice(0, 500)}`);
  }
  const latencies = [];
  const errors = [];
  let lots = null;
  let listed = null;
  let bytes = 0;
  let truncated = 0;
  for (let i = 0; i < RECALLS; i++) {
    throwIfInterrupted();
    const res = await request(url, 'POST', token, ask);
    if (res.status !== 200 || !Array.isArray(res.json?.lots)) {
      errors.push(`POST /trace/recall ${code}: ${res.status} ${res.text.slice(0, 300)}`);
      continue;
    }
    latencies.push(res.ms);
    lots = res.json.summary?.lots ?? null;
    listed = res.json.lots.length;
    bytes = Buffer.byteLength(res.text);
    if (res.json.truncated) truncated++;
  }
  latencies.sort((a, b) => a - b);
  return { latencies, errors, lots, listed, bytes, truncated };
}

// ---------------------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------------------

async function main() {
  const created = [];
  const app = new App();
  let db = null;
  let failed = false;

  // Ctrl-C: abort what is running; the finally below still stops the app and drops the database.
  // A second Ctrl-C exits at once.
  const onSignal = (sig) => {
    if (interrupt.signal.aborted) process.exit(130);
    log(`${sig}: stopping and cleaning up (again to exit at once)`);
    interrupt.abort();
    // A long generation statement does not see the signal: end its connection.
    if (db) db.end().catch(() => {});
  };
  async function cleanup() {
    if (db) await db.end().catch(() => {});
    agent.destroy();
    await app.stop().catch((e) => log(`stopping the app: ${e.message}`));
    if (KEEP_DB) {
      if (created.length > 0 || REUSE_DB)
        log(`database ${APP_DB} kept (BENCH_TRACE_DB=${APP_DB} to measure again)`);
      created.splice(0);
    }
    for (const name of created.splice(0)) {
      await adminQuery(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`).catch((e) =>
        log(`dropping ${name}: ${e.message}`),
      );
    }
  }
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    if (LOTS < 20_000) throw new Error(`BENCH_TRACE_LOTS must be at least 20000, got ${LOTS}`);
    const version = (await adminQuery('SHOW server_version')).rows[0].server_version;
    const server = new URL(BASE_URL);
    const pgLabel = `PostgreSQL ${version.split(/[ .]/)[0]} at ${server.hostname}:${server.port || 5432}`;

    // 1. The app on a fresh database (migrations and the demo factory).
    if (REUSE_DB) {
      log(`reusing database ${APP_DB}; starting the app`);
    } else {
      await adminQuery(`CREATE DATABASE ${quoteIdent(APP_DB)}`);
      created.push(APP_DB);
      log(`database ${APP_DB} created; starting the app (migrations and demo seed)`);
    }
    await app.start(dbUrl(APP_DB));
    await app.waitReady();
    log('app ready');

    // 2. The genealogy, straight into the database.
    db = new pg.Client({ connectionString: dbUrl(APP_DB) });
    await db.connect();
    const demo = await demoData(db);
    if (!REUSE_DB) log(`generating ${LOTS.toLocaleString('en')} lots`);
    const generated = REUSE_DB ? null : await generate(db, demo);
    if (generated) log(`generated in ${generated.seconds.toFixed(1)} s`);
    const s = await shape(db);
    const gen = generated ?? { seconds: null, ...levelSizes(s.lots) };
    log(
      `lots ${s.lots.toLocaleString('en')}, edges ${s.edges.toLocaleString('en')} (${s.byKind.map((r) => `${r.kind} ${r.n}`).join(', ')}), leaves ${s.leaves}, stock balances ${s.balances}`,
    );
    log(`lots by level and origin: ${s.byOrigin.map((r) => `L${r.lv} ${r.origin} ${r.n}`).join(', ')}`);
    log(`lots by status: ${s.byStatus.map((r) => `${r.status} ${r.n}`).join(', ')}`);
    log(
      `production parents per produced lot: avg ${s.parents.avg}, ${s.parents.min}–${s.parents.max}, histogram ${JSON.stringify(s.parents.histogram)}`,
    );
    log(
      `lots each raw lot went into: median ${s.raw.p50}, p99 ${s.raw.p99}, max ${s.raw.max}, ≥ 1000: ${s.raw.over1000}`,
    );
    const searchBegan = performance.now();
    const source = await recallSource(db);
    log(
      `recall source ${source.code}: ${source.direct} direct, ${source.closure} lots downstream (${source.evaluated} closures computed in ${((performance.now() - searchBegan) / 1000).toFixed(1)} s)`,
    );
    const backwardCodes = await sampleCodes(db, `origin = 'production'`, WARMUP + SAMPLES, 'backward');
    const half = Math.floor((WARMUP + SAMPLES) / 2);
    const forwardRaw = await sampleCodes(db, `origin = 'receipt'`, half, 'forward');
    const forwardMid = await sampleCodes(
      db,
      `origin = 'production' AND code NOT LIKE 'BT-L7-%'`,
      WARMUP + SAMPLES - half,
      'forward',
    );
    // Interleaved, so that warm-up and measured lots are both half raw, half intermediate.
    const forwardCodes = forwardMid.flatMap((c, i) => (i < forwardRaw.length ? [forwardRaw[i], c] : [c]));
    await db.end();
    db = null;

    // 3. The measurement: one request at a time.
    const token = await login(app, USERNAME, DEMO_PASSWORD);
    log(`backward: ${WARMUP} warm-up, ${SAMPLES} measured`);
    const backward = await traceAll(
      app,
      token,
      'backward',
      backwardCodes.slice(0, WARMUP),
      backwardCodes.slice(WARMUP),
    );
    log(`forward: ${WARMUP} warm-up, ${SAMPLES} measured`);
    const forward = await traceAll(
      app,
      token,
      'forward',
      forwardCodes.slice(0, WARMUP),
      forwardCodes.slice(WARMUP),
    );
    log(`recall of ${source.code}: 1 warm-up, ${RECALLS} measured; then every lot in one answer, as often`);
    const recall = await recallAll(app, token, source.code);
    const recallAllLots = await recallAll(app, token, source.code, { limit: 10_000 }); // the most one page holds

    // 4. The table.
    const verdict = (ok) => (ok ? 'PASS' : 'MISS');
    const row = (metric, value, ref = '') => `${metric.padEnd(23)}${value.padEnd(12)}${ref}`.trimEnd();
    const ms = (v) => `${v.toFixed(1)} ms`;
    const fmt = (n) => n.toLocaleString('en');
    const traceRows = (label, r, what) => [
      row(
        `${label} p50`,
        ms(percentile(r.latencies, 50)),
        `median graph ${percentile(r.nodes, 50)} nodes (${what})`,
      ),
      row(
        `${label} p95`,
        ms(percentile(r.latencies, 95)),
        `≤ ${TARGET_TRACE_P95_MS} ms  ${verdict(percentile(r.latencies, 95) <= TARGET_TRACE_P95_MS)}`,
      ),
      row(`${label} p99`, ms(percentile(r.latencies, 99))),
      row(`${label} max`, ms(r.latencies.at(-1) ?? NaN), `largest graph ${r.nodes.at(-1) ?? 0} nodes`),
    ];
    const recallMedian = percentile(recall.latencies, 50);
    const errors = [...backward.errors, ...forward.errors, ...recall.errors, ...recallAllLots.errors];
    const kb = (n) => `${fmt(Math.round(n / 1000))} kB`;
    const lines = [
      `traceability benchmark (${fmt(s.lots)} lots, ${fmt(s.edges)} edges, ${pgLabel})`,
      row('metric', 'value', 'reference / target'),
      row(
        'generation',
        gen.seconds === null ? 'reused' : `${gen.seconds.toFixed(1)} s`,
        `levels 0–7, ${s.byKind.map((r) => `${fmt(r.n)} ${r.kind}`).join(', ')}, ${fmt(s.balances)} stock balances`,
      ),
      ...traceRows('backward', backward, `${backward.latencies.length} produced lots`),
      ...traceRows('forward', forward, `${forward.latencies.length} raw and intermediate lots`),
      row(
        'recall median',
        ms(recallMedian),
        `≤ ${TARGET_RECALL_MS} ms for ~${fmt(RECALL_SCOPE)} lots  ${verdict(recallMedian <= TARGET_RECALL_MS)}`,
      ),
      row('recall max', ms(recall.latencies.at(-1) ?? NaN)),
      row(
        'recall scope',
        `${recall.lots === null ? '?' : fmt(recall.lots)} lots`,
        `source ${source.code}: ${fmt(source.closure)} lots downstream by SQL, went into ${fmt(source.direct)} directly; summary over all, first ${fmt(recall.listed ?? 0)} lots listed (${kb(recall.bytes)})`,
      ),
      row(
        'recall, all listed',
        ms(percentile(recallAllLots.latencies, 50)),
        `median with every lot in the answer (${fmt(recallAllLots.listed ?? 0)} lots, ${kb(recallAllLots.bytes)})`,
      ),
      row(
        'truncated answers',
        String(backward.truncated + forward.truncated + recall.truncated + recallAllLots.truncated),
        'traces and recalls cut off by the server’s depth or lot cap',
      ),
      row('errors', String(errors.length)),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    const perLevel = gen.sizes.map((n, lv) => `L${lv} ${fmt(n)}`).join(', ');
    process.stdout.write(
      [
        `genealogy: lots per level ${perLevel} (${fmt(gen.bulk)} bulk raw lots); ${fmt(s.leaves)} lots with no children`,
        `genealogy: production parents per produced lot avg ${s.parents.avg} (${s.parents.min}–${s.parents.max}: ${JSON.stringify(s.parents.histogram)})`,
        `genealogy: lots a raw lot went into directly: median ${s.raw.p50}, p99 ${s.raw.p99}, max ${fmt(s.raw.max)}; ${s.raw.over1000} raw lots went into ≥ 1,000`,
      ].join('\n') + '\n',
    );
    for (const e of errors.slice(0, 5)) process.stdout.write(`error sample: ${e}\n`);
    const p95 = (r) => percentile(r.latencies, 95);
    writeBenchResult(
      'trace',
      [
        ...[
          ['backward', backward],
          ['forward', forward],
        ].map(([label, r]) => ({
          figure: `trace ${label} p95`,
          ours: p95(r),
          unit: 'ms',
          target: `≤ ${TARGET_TRACE_P95_MS} ms`,
          verdict: verdict(p95(r) <= TARGET_TRACE_P95_MS),
        })),
        {
          figure: `recall median (${recall.lots === null ? '?' : fmt(recall.lots)} lots in scope)`,
          ours: recallMedian,
          unit: 'ms',
          target: `≤ ${TARGET_RECALL_MS} ms`,
          verdict: verdict(recallMedian <= TARGET_RECALL_MS),
        },
        {
          figure: 'recall, every lot listed, median',
          ours: percentile(recallAllLots.latencies, 50),
          unit: 'ms',
        },
        {
          figure: 'trace and recall errors',
          ours: errors.length,
          target: '0',
          verdict: errors.length ? 'FAIL' : 'PASS',
        },
      ],
      { title: `${fmt(s.lots)} lots, ${fmt(s.edges)} edges, ${pgLabel}` },
    );
    if (errors.length > 0) failed = true;
  } catch (err) {
    failed = true;
    if (!interrupt.signal.aborted) {
      log(`FAILED: ${err.stack ?? err}`);
      app.printTail();
    }
  } finally {
    await cleanup();
  }
  process.exitCode = interrupt.signal.aborted ? 130 : failed ? 1 : 0;
}

await main();
