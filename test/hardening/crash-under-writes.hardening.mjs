#!/usr/bin/env node
// Crash under write load (issue #12, item 2).
//
// The built app (dist/src/main.js) on a fresh database with the demo factory; N terminals (an operator signed
// on a started operation each, a lot of bearings at the line side for it) report good quantities and consume
// bearings from their lot (one request in four) as fast as they can, every request with its own
// Idempotency-Key, and every request's key, quantity and outcome (2xx acknowledged / error answer / no answer)
// is recorded. At a random moment after a few seconds the app is killed with SIGKILL and started again on the
// same database (same secrets, as a real restart keeps its configuration). Then, read straight from PostgreSQL:
//   (a) every acknowledged report and consumption is in the database exactly once, with the answer's id and
//       quantity;
//   (b) no report or consumption row is counted twice, and none exists without the key that made it;
//   (c) every request that got no answer, sent again with the SAME key, is answered 2xx and counted at most
//       once (a request committed before the kill is replayed with its id; a second resend and a resend of
//       acknowledged keys replay and add nothing), and no key is left claimed by the kill;
//   (d) invariants: every operation's good/scrap quantity equals the sum of its report rows and of the
//       quantities the terminals got 2xx for; its consumed quantity equals its consumption rows and the 2xx
//       consumptions, and its lot's stock is what was received less that; one audit row per report and per
//       consumption; every stock balance equals the sum of its inventory movements, and every consumption of
//       the orders has its issue movement.
//
// The load of a round lasts until the kill: a random moment 3 s to the window's end (8 s reduced, 20 s full).
//
//   HARDENING_MODE=reduced node test/hardening/crash-under-writes.hardening.mjs   # 1 kill, ≤ 90 s
//   node test/hardening/crash-under-writes.hardening.mjs                          # full: 3 kills, 20 s load each
//
// Environment: BENCH_DATABASE_URL (server; a database is created and dropped, even on failure),
// HARDENING_TERMINALS (terminals; default 16 reduced, 32 full).
// Exit status 0 when every figure holds, 1 otherwise (or on a set-up failure), 130 when interrupted.

import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import {
  adminQuery,
  api,
  App,
  dbUrl,
  intEnv,
  interrupt,
  log,
  mapLimit,
  quoteIdent,
  sleep,
  throwIfInterrupted,
  startedTerminals,
} from '../../bench/common.mjs';

// ---------------------------------------------------------------------------------------------------------
// Settings
// ---------------------------------------------------------------------------------------------------------

const MODE = process.env.HARDENING_MODE === 'reduced' ? 'reduced' : 'full';
const SETTINGS = {
  reduced: { kills: 1, windowS: 8, terminals: 16 },
  full: { kills: 3, windowS: 20, terminals: 32 },
}[MODE];
const KILLS = SETTINGS.kills;
const WINDOW_S = SETTINGS.windowS; // the load window of each round; the kill falls inside it
const KILL_AFTER_MIN_S = 3; // "after a few seconds": the load is well under way
const TERMINALS = intEnv('HARDENING_TERMINALS', SETTINGS.terminals);
const MAX_QTY_PER_REPORT = 3; // each request is 1..3 units: sums then say more than counts
const CONSUME_SHARE = 0.25; // one request in four consumes material at the line side
const CONSUME_MATERIAL = 'BRG-A80'; // input bearings, on the gearbox's first operation in the demo BOM
const LOT_QTY = 1_000_000; // received per terminal before the load
const ACKED_RESEND_SAMPLE = 100; // acknowledged keys sent again per round (must replay, add nothing)
const RESEND_TRIES = 20; // a resend answered "try again" (409 key in use, 5xx) is tried again, as terminals do
const RESEND_PAUSE_MS = 500;

const WORK_ORDER_MATERIAL = 'GB-R80'; // finished gearbox; its first operation is reported
const stamp = new Date()
  .toISOString()
  .replace(/[-:T.Z]/g, '')
  .slice(0, 14);
const APP_DB = `mom_hardening_crash_${stamp}_${process.pid}`;

// A restart keeps the deployment's secrets: operators' tokens stay valid, encrypted data stays readable.
const APP_ENV = {
  JWT_SECRET: randomBytes(48).toString('hex'),
  DATA_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
};

// ---------------------------------------------------------------------------------------------------------
// Set-up (as bench/terminal-bench.mjs): operators, released work orders, started first operations
// ---------------------------------------------------------------------------------------------------------

async function setUp(app, db) {
  const { siteId, adminToken, terminals } = await startedTerminals(app, {
    count: TERMINALS,
    material: WORK_ORDER_MATERIAL,
    prefix: 'crash',
  });
  log(`receiving a lot of ${CONSUME_MATERIAL} at each order's line side`);
  // One at a time: the queries share one database client.
  await mapLimit(terminals, 1, async (t) => {
    const { rows } = await db.query(
      `SELECT l.code FROM storage_location l JOIN work_order w ON w.line_id = l.line_id
        WHERE w.id = $1 AND l.location_type = 'line_side' ORDER BY l.code LIMIT 1`,
      [t.workOrderId],
    );
    if (!rows[0]) throw new Error(`no line-side location for ${t.workOrderCode}`);
    const { body } = await api(app, 'POST', `/sites/${siteId}/inventory/receipts`, {
      token: adminToken,
      body: {
        material: CONSUME_MATERIAL,
        quantity: String(LOT_QTY),
        location: rows[0].code,
        lotCode: `CRASH-${stamp}-${t.index + 1}`,
      },
      expect: [201],
    });
    t.lotId = body.id;
    t.lotCode = body.code;
  });
  return terminals;
}

// ---------------------------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------------------------

/** One POST with node:http (cheaper than fetch on a machine shared with the app and PostgreSQL). */
function post(agent, url, body, headers) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers, agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode,
          headers: res.headers,
          text: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const parse = (text) => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

/** The id an answer names: the report's, or the consumption's. */
const answerId = (rec, body) => (rec.kind === 'consume' ? body?.consumption?.id : body?.reportId) ?? null;

/** Sends (or sends again) one recorded request; resolves to the answer or { error }. */
async function send(app, agent, t, rec) {
  const body = JSON.stringify(
    rec.kind === 'consume' ? { lot: t.lotCode, quantity: String(rec.qty) } : { goodQty: String(rec.qty) },
  );
  try {
    const res = await post(
      agent,
      `${app.baseUrl}/api/v1/terminal/operations/${t.operationId}/${rec.kind}`,
      body,
      {
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(body)),
        authorization: `Bearer ${t.token}`,
        'idempotency-key': rec.key,
      },
    );
    return { ...res, body: parse(res.text) };
  } catch (err) {
    return { error: `${err.code ?? err.cause?.code ?? err.name}` };
  }
}

/**
 * Every terminal reports in a closed loop until the app is killed at `killAtS` (seconds into the round).
 * Every request is recorded before it is sent: { round, terminal, key, qty, outcome, status, reportId }.
 */
async function loadAndKill(app, terminals, round, killAtS, records) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  let killed = false;
  const t0 = performance.now();
  const killer = (async () => {
    await sleep(killAtS * 1000);
    killed = true;
    app.child.kill('SIGKILL');
    await app.exitPromise;
  })();

  await Promise.all(
    terminals.map(async (t) => {
      while (!killed && !interrupt.signal.aborted) {
        const rec = {
          round,
          kind: Math.random() < CONSUME_SHARE ? 'consume' : 'report',
          terminal: t.index,
          key: randomUUID(),
          qty: 1 + Math.floor(Math.random() * MAX_QTY_PER_REPORT),
          outcome: 'none',
          status: null,
          reportId: null,
          afterKill: false,
        };
        records.push(rec);
        const res = await send(app, agent, t, rec);
        rec.afterKill = killed; // its answer (or silence) came after the kill was ordered
        if (res.error) {
          rec.error = res.error;
          if (!killed) await sleep(50); // not expected before the kill: do not spin on it
          continue;
        }
        rec.status = res.status;
        if (res.status >= 200 && res.status < 300) {
          rec.outcome = 'ack';
          rec.reportId = answerId(rec, res.body);
        } else {
          rec.outcome = 'error';
          rec.error = `${res.status} ${res.body?.code ?? ''}`.trim();
        }
      }
    }),
  );
  await killer;
  agent.destroy();
  return { loadS: (performance.now() - t0) / 1000, exit: app.exited };
}

/**
 * Sends a recorded request again with the same key until it gets a final answer; "try again" answers
 * (no answer, 5xx, 429, 409 IDEMPOTENCY_KEY_IN_USE / CONCURRENT_MODIFICATION) are tried again, as the
 * terminal's queue does. Returns { status, replayed, reportId, tries, error }.
 */
async function resend(app, agent, t, rec) {
  let last;
  for (let tries = 1; tries <= RESEND_TRIES; tries++) {
    throwIfInterrupted();
    const res = await send(app, agent, t, rec);
    last = res;
    const retryable =
      res.error ||
      res.status >= 500 ||
      res.status === 429 ||
      (res.status === 409 && ['IDEMPOTENCY_KEY_IN_USE', 'CONCURRENT_MODIFICATION'].includes(res.body?.code));
    if (!retryable) {
      return {
        status: res.status,
        replayed: res.headers['idempotent-replayed'] === 'true',
        reportId: answerId(rec, res.body),
        tries,
        error: res.status >= 300 ? `${res.status} ${res.body?.code ?? ''}`.trim() : null,
      };
    }
    await sleep(RESEND_PAUSE_MS);
  }
  return {
    status: last.status ?? null,
    replayed: false,
    reportId: null,
    tries: RESEND_TRIES,
    error: 'gave up',
  };
}

// ---------------------------------------------------------------------------------------------------------
// What the database holds
// ---------------------------------------------------------------------------------------------------------

async function snapshot(db, terminals, records) {
  const opIds = terminals.map((t) => t.operationId);
  const keys = records.map((r) => r.key);
  // One client: its queries run one after another.
  const [keyRows, reportRows, consumptionRows, lots, ops, audits, consumeAudits] = [
    await db.query(
      `SELECT key, scope, state, response_status,
              coalesce(response_body->>'reportId', response_body->'consumption'->>'id') AS report_id
         FROM idempotency_key WHERE key = ANY($1::text[])`,
      [keys],
    ),
    await db.query(
      `SELECT id::text, operation_id::text, good_qty::text, scrap_qty::text
         FROM operation_report WHERE operation_id = ANY($1::uuid[])`,
      [opIds],
    ),
    await db.query(
      `SELECT id::text, operation_id::text, lot_id::text, quantity::text
         FROM material_consumption WHERE operation_id = ANY($1::uuid[])`,
      [opIds],
    ),
    await db.query(
      `SELECT lot_id::text, sum(quantity)::text AS qty FROM stock_balance WHERE lot_id = ANY($1::uuid[])
        GROUP BY lot_id`,
      [terminals.map((t) => t.lotId)],
    ),
    await db.query(
      `SELECT id::text, good_qty::text, scrap_qty::text FROM work_order_operation WHERE id = ANY($1::uuid[])`,
      [opIds],
    ),
    await db.query(
      `SELECT entity_id, count(*)::int AS n FROM audit_log
        WHERE action = 'operation.reported' AND entity_id = ANY($1::text[]) GROUP BY entity_id`,
      [opIds],
    ),
    await db.query(
      `SELECT entity_id, count(*)::int AS n FROM audit_log
        WHERE action = 'operation.material_consumed' AND entity_id = ANY($1::text[]) GROUP BY entity_id`,
      [opIds],
    ),
  ];
  const rows = [
    ...reportRows.rows.map((r) => ({ ...r, kind: 'report' })),
    ...consumptionRows.rows.map((r) => ({ ...r, kind: 'consume' })),
  ];
  return {
    keys: new Map(keyRows.rows.map((r) => [r.key, r])),
    // Reports and consumptions by id (UUIDs: one map holds both).
    reports: new Map(rows.map((r) => [r.id, r])),
    reportRows: reportRows.rows,
    consumptionRows: consumptionRows.rows,
    lots: new Map(lots.rows.map((r) => [r.lot_id, r.qty])),
    ops: new Map(ops.rows.map((r) => [r.id, r])),
    audits: new Map(audits.rows.map((r) => [r.entity_id, r.n])),
    consumeAudits: new Map(consumeAudits.rows.map((r) => [r.entity_id, r.n])),
  };
}

/** (a) and (b): what was acknowledged is there once, and nothing is there twice or without its key. */
function checkAcked(snap, terminals, records) {
  const problems = [];
  let found = 0;
  const acked = records.filter((r) => r.outcome === 'ack');
  for (const r of acked) {
    const t = terminals[r.terminal];
    const k = snap.keys.get(r.key);
    const rep = r.reportId ? snap.reports.get(r.reportId) : undefined;
    if (!r.reportId) problems.push(`key ${r.key}: 2xx answer without reportId`);
    else if (!k || k.state !== 'completed' || k.report_id !== r.reportId)
      problems.push(`key ${r.key}: stored answer ${JSON.stringify(k ?? null)}, acknowledged ${r.reportId}`);
    else if (!rep || rep.kind !== r.kind)
      problems.push(`key ${r.key}: acknowledged ${r.kind} ${r.reportId} is not in the database`);
    else if (
      rep.operation_id !== t.operationId ||
      Number(r.kind === 'consume' ? rep.quantity : rep.good_qty) !== r.qty ||
      (r.kind === 'consume' && rep.lot_id !== t.lotId)
    )
      problems.push(
        `${r.kind} ${r.reportId}: ${JSON.stringify(rep)}, acknowledged ${r.qty} on ${t.operationId}`,
      );
    else found++;
  }
  return { acked: acked.length, found, problems };
}

/** (b): each report row is referenced by exactly one of our keys and each key by at most one row. */
function checkNoDuplicates(snap) {
  const problems = [];
  const refs = new Map(); // reportId → keys naming it
  for (const k of snap.keys.values()) {
    if (!k.report_id) continue;
    refs.set(k.report_id, [...(refs.get(k.report_id) ?? []), k.key]);
  }
  for (const [id, keys] of refs) if (keys.length > 1) problems.push(`row ${id} answered for keys ${keys}`);
  for (const row of snap.reports.values())
    if (!refs.has(row.id)) problems.push(`${row.kind} ${row.id} has no key: counted twice?`);
  for (const id of refs.keys())
    if (!snap.reports.has(id)) problems.push(`key answer names missing row ${id}`);
  return problems;
}

/** (d) per operation: good/scrap = sum of its report rows = sum of the 2xx quantities; one audit row per report. */
function checkOperations(snap, terminals, records) {
  const problems = [];
  let good = 0;
  for (const t of terminals) {
    const before = problems.length;
    const op = snap.ops.get(t.operationId);
    const rows = snap.reportRows.filter((r) => r.operation_id === t.operationId);
    const rowGood = rows.reduce((s, r) => s + Number(r.good_qty), 0);
    const rowScrap = rows.reduce((s, r) => s + Number(r.scrap_qty), 0);
    const mine = records.filter((r) => r.terminal === t.index && r.final === 'ok');
    const client = mine.filter((r) => r.kind === 'report');
    const clientGood = client.reduce((s, r) => s + r.qty, 0);
    const audits = snap.audits.get(t.operationId) ?? 0;
    const consumed = snap.consumptionRows.filter((r) => r.operation_id === t.operationId);
    const consumedQty = consumed.reduce((s, r) => s + Number(r.quantity), 0);
    const clientConsumed = mine.filter((r) => r.kind === 'consume');
    const clientConsumedQty = clientConsumed.reduce((s, r) => s + r.qty, 0);
    if (consumed.length !== clientConsumed.length || consumedQty !== clientConsumedQty)
      problems.push(
        `${t.workOrderCode}: ${consumed.length} consumptions of ${consumedQty}, terminal got 2xx for ` +
          `${clientConsumed.length} of ${clientConsumedQty}`,
      );
    if (Number(snap.lots.get(t.lotId) ?? 0) !== LOT_QTY - consumedQty)
      problems.push(
        `${t.lotCode}: stock ${snap.lots.get(t.lotId)}, received ${LOT_QTY} less consumed ${consumedQty}`,
      );
    if ((snap.consumeAudits.get(t.operationId) ?? 0) !== consumed.length)
      problems.push(
        `${t.workOrderCode}: ${snap.consumeAudits.get(t.operationId) ?? 0} consumption audit rows, ` +
          `${consumed.length} consumptions`,
      );
    if (Number(op.good_qty) !== rowGood || Number(op.scrap_qty) !== rowScrap)
      problems.push(
        `${t.workOrderCode}: operation ${op.good_qty}/${op.scrap_qty}, report rows ${rowGood}/${rowScrap}`,
      );
    if (Number(op.good_qty) !== clientGood)
      problems.push(`${t.workOrderCode}: operation good ${op.good_qty}, terminal got 2xx for ${clientGood}`);
    if (rows.length !== client.length)
      problems.push(`${t.workOrderCode}: ${rows.length} report rows, ${client.length} reports answered 2xx`);
    if (audits !== rows.length)
      problems.push(`${t.workOrderCode}: ${audits} audit rows, ${rows.length} reports`);
    if (problems.length === before) good++;
  }
  return { problems, good };
}

/** (d) across the whole database: operation totals vs report rows; stock balances vs the movement ledger. */
async function checkLedgers(db, workOrderIds) {
  const ops = await db.query(`
    SELECT o.id, o.good_qty, o.scrap_qty, coalesce(r.good, 0) AS rep_good, coalesce(r.scrap, 0) AS rep_scrap
      FROM work_order_operation o
      LEFT JOIN (SELECT operation_id, sum(good_qty) AS good, sum(scrap_qty) AS scrap
                   FROM operation_report GROUP BY operation_id) r ON r.operation_id = o.id
     WHERE o.good_qty <> coalesce(r.good, 0) OR o.scrap_qty <> coalesce(r.scrap, 0)`);
  const opCount = (await db.query(`SELECT count(*)::int AS n FROM work_order_operation`)).rows[0].n;
  const stock = await db.query(`
    WITH moves AS (
      SELECT lot_id, to_location_id AS location_id, quantity AS q FROM inventory_movement WHERE to_location_id IS NOT NULL
      UNION ALL
      SELECT lot_id, from_location_id, -quantity FROM inventory_movement WHERE from_location_id IS NOT NULL
    ), ledger AS (SELECT lot_id, location_id, sum(q) AS q FROM moves GROUP BY lot_id, location_id)
    SELECT coalesce(b.lot_id, l.lot_id) AS lot_id, coalesce(b.location_id, l.location_id) AS location_id,
           coalesce(b.quantity, 0)::text AS balance, coalesce(l.q, 0)::text AS ledger
      FROM stock_balance b FULL JOIN ledger l ON l.lot_id = b.lot_id AND l.location_id = b.location_id
     WHERE coalesce(b.quantity, 0) <> coalesce(l.q, 0)`);
  const balances = (await db.query(`SELECT count(*)::int AS n FROM stock_balance`)).rows[0].n;
  // What reporting touched in inventory: backflush consumptions of the reported orders, each with its issue.
  const consumption = await db.query(
    `SELECT count(*)::int AS n,
            count(*) FILTER (WHERE NOT EXISTS (
              SELECT 1 FROM inventory_movement m WHERE m.lot_id = c.lot_id AND m.work_order_id = c.work_order_id
                 AND m.movement_type = 'issue'))::int AS unbooked
       FROM material_consumption c WHERE c.work_order_id = ANY($1::uuid[])`,
    [workOrderIds],
  );
  return {
    opCount,
    opMismatches: ops.rows.map(
      (r) => `operation ${r.id}: ${r.good_qty}/${r.scrap_qty} vs ${r.rep_good}/${r.rep_scrap}`,
    ),
    balances,
    stockMismatches: stock.rows.map(
      (r) => `lot ${r.lot_id} at ${r.location_id}: balance ${r.balance}, movements ${r.ledger}`,
    ),
    consumed: consumption.rows[0].n,
    unbooked: consumption.rows[0].unbooked,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------------------

async function main() {
  const apps = [];
  let db = null;
  let dbCreated = false;
  let failed = false;
  const started = performance.now();

  const onSignal = (sig) => {
    if (interrupt.signal.aborted) process.exit(130);
    log(`${sig}: stopping and cleaning up (again to exit at once)`);
    interrupt.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const startApp = async () => {
    const app = new App(APP_ENV);
    apps.push(app);
    await app.start(dbUrl(APP_DB));
    await app.waitReady();
    return app;
  };

  try {
    await adminQuery(`CREATE DATABASE ${quoteIdent(APP_DB)}`);
    dbCreated = true;
    log(`database ${APP_DB} created; starting the app (migrations and demo seed)`);
    let app = await startApp();
    db = new pg.Client({ connectionString: dbUrl(APP_DB) });
    await db.connect();
    const terminals = await setUp(app, db);

    const baseline = await checkLedgers(
      db,
      terminals.map((t) => t.workOrderId),
    );
    const records = [];
    const rounds = [];
    for (let round = 1; round <= KILLS; round++) {
      throwIfInterrupted();
      const killAtS = KILL_AFTER_MIN_S + Math.random() * (WINDOW_S - KILL_AFTER_MIN_S);
      log(`round ${round}/${KILLS}: ${TERMINALS} terminals report; SIGKILL at ${killAtS.toFixed(1)} s`);
      const before = records.length;
      const { loadS, exit } = await loadAndKill(app, terminals, round, killAtS, records);
      app.cleanupDir();
      const mine = records.slice(before);
      const r = {
        round,
        killAtS,
        loadS,
        exit,
        acked: mine.filter((x) => x.outcome === 'ack').length,
        errors: mine.filter((x) => x.outcome === 'error'),
        noAnswer: mine.filter((x) => x.outcome === 'none'),
        noAnswerBeforeKill: mine.filter((x) => x.outcome === 'none' && !x.afterKill).length,
      };
      for (const x of mine) if (x.outcome === 'ack') x.final = 'ok';

      log(`round ${round}: killed (${JSON.stringify(exit)}); restarting on the same database`);
      const t0 = performance.now();
      app = await startApp();
      r.restartS = (performance.now() - t0) / 1000;

      // (a), (b) right after the restart, before anything is sent again.
      let snap = await snapshot(db, terminals, records);
      r.ackCheck = checkAcked(snap, terminals, records);
      r.dupBefore = checkNoDuplicates(snap);
      r.committedUnanswered = r.noAnswer.filter((x) => snap.keys.get(x.key)?.state === 'completed').length;
      r.stuckKeys = r.noAnswer.filter((x) => snap.keys.get(x.key)?.state === 'in_progress').length;

      // (c) the unanswered requests again, same key and body: twice (the second must replay the first).
      const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
      r.resend = {
        ok: 0,
        replays: 0,
        replaysOk: 0,
        fresh: 0,
        failures: [],
        retries: 0,
        again: 0,
        againOk: 0,
      };
      await mapLimit(r.noAnswer, 8, async (x) => {
        const t = terminals[x.terminal];
        const stored = snap.keys.get(x.key);
        const first = await resend(app, agent, t, x);
        r.resend.retries += first.tries - 1;
        if (first.status !== 200 || !first.reportId) {
          r.resend.failures.push(`key ${x.key}: ${first.error ?? first.status}`);
          return;
        }
        r.resend.ok++;
        x.final = 'ok';
        x.reportId = first.reportId;
        if (stored?.state === 'completed') {
          r.resend.replays++;
          if (first.replayed && first.reportId === stored.report_id) r.resend.replaysOk++;
          else
            r.resend.failures.push(
              `key ${x.key}: committed ${stored.report_id}, resend ${JSON.stringify(first)}`,
            );
        } else if (first.replayed) {
          r.resend.failures.push(`key ${x.key}: nothing stored, yet the resend was a replay`);
        } else r.resend.fresh++;
        const second = await resend(app, agent, t, x);
        r.resend.again++;
        if (second.status === 200 && second.replayed && second.reportId === first.reportId)
          r.resend.againOk++;
        else r.resend.failures.push(`key ${x.key}: second resend ${JSON.stringify(second)}`);
      });
      // A sample of acknowledged keys again: replays of the same report, nothing added.
      const ackedNow = records.filter((x) => x.outcome === 'ack' && x.round === round);
      const sample = ackedNow.sort(() => Math.random() - 0.5).slice(0, ACKED_RESEND_SAMPLE);
      r.ackedResend = { sent: sample.length, ok: 0, failures: [] };
      await mapLimit(sample, 8, async (x) => {
        const res = await resend(app, agent, terminals[x.terminal], x);
        if (res.status === 200 && res.replayed && res.reportId === x.reportId) r.ackedResend.ok++;
        else r.ackedResend.failures.push(`key ${x.key}: ${JSON.stringify(res)}`);
      });
      agent.destroy();

      // (b), (d) after the resends.
      snap = await snapshot(db, terminals, records);
      r.dupAfter = checkNoDuplicates(snap);
      r.ackAfter = checkAcked(snap, terminals, records);
      r.opCheck = checkOperations(snap, terminals, records);
      r.ledgers = await checkLedgers(
        db,
        terminals.map((t) => t.workOrderId),
      );
      r.reportRows = snap.reportRows.length;
      r.consumptionRows = snap.consumptionRows.length;
      rounds.push(r);
      log(
        `round ${round}: ${r.acked} acknowledged, ${r.noAnswer.length} unanswered (${r.committedUnanswered} ` +
          `committed), restart ${r.restartS.toFixed(1)} s`,
      );
    }
    await app.stop();

    // ---- the table ----
    const rows = [];
    const row = (figure, measured, target, ok) => {
      rows.push(`| ${figure} | ${measured} | ${target} | ${ok === null ? 'info' : ok ? 'PASS' : 'FAIL'} |`);
      if (ok === false) failed = true;
    };
    const sum = (f) => rounds.reduce((s, r) => s + f(r), 0);
    const list = (f) => rounds.map(f).join(', ');
    const all = (f) => rounds.every(f);

    row(
      'kills by SIGKILL during the load (at s)',
      `${rounds.filter((r) => r.exit?.signal === 'SIGKILL').length} (${list((r) => r.killAtS.toFixed(1))})`,
      `${KILLS}, each ${KILL_AFTER_MIN_S}–${WINDOW_S} s into the load`,
      rounds.length === KILLS && all((r) => r.exit?.signal === 'SIGKILL'),
    );
    const consumes = records.filter((x) => x.kind === 'consume');
    row(
      'requests acknowledged (2xx) before each kill',
      `${sum((r) => r.acked)} (${list((r) => r.acked)}; ${TERMINALS} terminals; ` +
        `${consumes.filter((x) => x.outcome === 'ack').length} of them consumptions)`,
      '> 0 each round',
      all((r) => r.acked > 0),
    );
    row(
      'error answers during the load',
      `${sum((r) => r.errors.length)}${rounds
        .flatMap((r) => r.errors)
        .slice(0, 3)
        .map((e) => ` ${e.error}`)
        .join(',')}`,
      '0',
      sum((r) => r.errors.length) === 0,
    );
    row(
      'requests without an answer (committed before the kill)',
      `${sum((r) => r.noAnswer.length)} (${sum((r) => r.committedUnanswered)})`,
      'all after the kill was ordered',
      sum((r) => r.noAnswerBeforeKill) === 0,
    );
    row(
      'restart on the same database until ready',
      `${list((r) => `${r.restartS.toFixed(1)} s`)}`,
      '—',
      null,
    );
    row(
      '(a) acknowledged reports and consumptions in the database, once, as answered',
      // Each round checks every report acknowledged so far: the last one covers them all.
      `${rounds.at(-1)?.ackCheck.found ?? 0}/${rounds.at(-1)?.ackCheck.acked ?? 0}`,
      'all',
      all((r) => r.ackCheck.problems.length === 0 && r.ackCheck.found === r.ackCheck.acked),
    );
    row(
      '(b) report or consumption rows twice or without their key, after restart',
      `${sum((r) => r.dupBefore.length)}`,
      '0',
      sum((r) => r.dupBefore.length) === 0,
    );
    row(
      'keys left claimed (in_progress) by the kill',
      `${sum((r) => r.stuckKeys)}`,
      '0',
      sum((r) => r.stuckKeys) === 0,
    );
    row(
      '(c) unanswered requests resent with the same key: 2xx',
      `${sum((r) => r.resend.ok)}/${sum((r) => r.noAnswer.length)} (${sum((r) => r.resend.retries)} retries)`,
      'all',
      all((r) => r.resend.ok === r.noAnswer.length),
    );
    row(
      '(c) of those committed before the kill: replayed, same id',
      `${sum((r) => r.resend.replaysOk)}/${sum((r) => r.committedUnanswered)}`,
      'all',
      all((r) => r.resend.replaysOk === r.committedUnanswered && r.resend.replays === r.committedUnanswered),
    );
    row(
      '(c) second resend of each: replay of the first, nothing added',
      `${sum((r) => r.resend.againOk)}/${sum((r) => r.resend.again)}`,
      'all',
      all((r) => r.resend.againOk === r.resend.again && r.resend.failures.length === 0),
    );
    row(
      'acknowledged keys resent (sample): replay, nothing added',
      `${sum((r) => r.ackedResend.ok)}/${sum((r) => r.ackedResend.sent)}`,
      'all',
      all((r) => r.ackedResend.ok === r.ackedResend.sent),
    );
    row(
      '(b) report or consumption rows twice or without their key, after resends',
      `${sum((r) => r.dupAfter.length + r.ackAfter.problems.length)} (${rounds.at(-1)?.reportRows ?? 0} ` +
        `report rows, ${rounds.at(-1)?.consumptionRows ?? 0} consumption rows)`,
      '0',
      all((r) => r.dupAfter.length === 0 && r.ackAfter.problems.length === 0),
    );
    row(
      '(d) operations: good = report rows = 2xx; consumed = consumption rows = 2xx = lot stock taken; 1 audit row each',
      `${rounds.at(-1)?.opCheck.good ?? 0}/${TERMINALS} (${sum((r) => r.opCheck.problems.length)} problems over the rounds)`,
      'all',
      all((r) => r.opCheck.problems.length === 0),
    );
    const last = rounds.at(-1)?.ledgers;
    row(
      '(d) all operations: good/scrap = sum of report rows',
      last ? `${last.opCount - last.opMismatches.length}/${last.opCount}` : 'n/a',
      'all',
      baseline.opMismatches.length === 0 && all((r) => r.ledgers.opMismatches.length === 0),
    );
    row(
      '(d) stock balances = sum of movements (lot × location)',
      last ? `${last.balances - last.stockMismatches.length}/${last.balances}` : 'n/a',
      'all',
      // Nothing to compare would be no proof: the terminals' lots are there.
      last?.balances > 0 &&
        baseline.stockMismatches.length === 0 &&
        all((r) => r.ledgers.stockMismatches.length === 0),
    );
    row(
      '(d) consumptions of the orders without an issue movement',
      last ? `${last.unbooked} of ${last.consumed}` : 'n/a',
      '0',
      last?.consumed > 0 && all((r) => r.ledgers.unbooked === 0),
    );

    const wall = (performance.now() - started) / 1000;
    process.stdout.write(
      `\ncrash under write load (${MODE}: ${KILLS} × SIGKILL, ${TERMINALS} terminals, ${WINDOW_S} s windows; ` +
        `${wall.toFixed(0)} s)\n\n| figure | measured | target | verdict |\n| --- | --- | --- | --- |\n` +
        `${rows.join('\n')}\n`,
    );
    const details = [
      ...rounds.flatMap((r) => [
        ...r.ackCheck.problems,
        ...r.dupBefore,
        ...r.resend.failures,
        ...r.ackedResend.failures,
        ...r.dupAfter,
        ...r.ackAfter.problems,
        ...r.opCheck.problems,
        ...r.ledgers.opMismatches,
        ...r.ledgers.stockMismatches,
      ]),
      ...baseline.opMismatches.map((m) => `before the load: ${m}`),
      ...baseline.stockMismatches.map((m) => `before the load: ${m}`),
    ];
    for (const d of details.slice(0, 20)) process.stdout.write(`problem: ${d}\n`);
    if (details.length > 20) process.stdout.write(`… and ${details.length - 20} more\n`);
    if (failed) for (const a of apps.slice(-1)) a.printTail();
  } catch (err) {
    failed = true;
    if (!interrupt.signal.aborted) {
      log(`FAILED: ${err.stack ?? err}`);
      apps.at(-1)?.printTail();
    }
  } finally {
    if (db) await db.end().catch(() => {});
    for (const a of apps) await a.stop().catch((e) => log(`stopping the app: ${e.message}`));
    if (dbCreated) {
      await adminQuery(`DROP DATABASE IF EXISTS ${quoteIdent(APP_DB)} WITH (FORCE)`).catch((e) =>
        log(`dropping ${APP_DB}: ${e.message}`),
      );
    }
  }
  process.exitCode = interrupt.signal.aborted ? 130 : failed ? 1 : 0;
}

await main();
