// npm run bench:planning — a planner's day on the demo plant, timed end to end through the API of the built service
// on a fresh PostgreSQL database: schedule every open order and publish, insert a rush order (impact report, apply),
// run a what-if (a machine down, overtime) and compare it with the live plan. See bench/README.md.
import {
  App,
  BASE_URL,
  DEMO_PASSWORD,
  adminQuery,
  api,
  dbUrl,
  intEnv,
  interrupt,
  log,
  login,
  quoteIdent,
  sleep,
  writeBenchResult,
} from './common.mjs';

const SECONDS = intEnv('BENCH_PLAN_SECONDS', 10);
const APP_DB = `mom_bench_plan_${Date.now()}_${process.pid}`;

async function untilDone(app, token, siteId, id) {
  for (;;) {
    const { body } = await api(app, 'GET', `/sites/${siteId}/planning/versions/${id}`, { token });
    if (body.status === 'succeeded') return body;
    if (['failed', 'cancelled'].includes(body.status))
      throw new Error(`run ${body.code} ${body.status}: ${body.error}`);
    await sleep(100);
  }
}

const timed = async (fn) => {
  const began = performance.now();
  const value = await fn();
  return { value, seconds: (performance.now() - began) / 1000 };
};

async function main() {
  const app = new App();
  const onSignal = () => interrupt.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const rows = [];
  try {
    log(`database ${APP_DB} on ${BASE_URL}`);
    await adminQuery(`CREATE DATABASE ${quoteIdent(APP_DB)}`);
    await app.start(dbUrl(APP_DB));
    await app.waitReady();
    const admin = await login(app, 'admin', DEMO_PASSWORD);
    const token = await login(app, 'planner', DEMO_PASSWORD);
    const { body: sitesBody } = await api(app, 'GET', '/sites', { token: admin });
    const site = (Array.isArray(sitesBody) ? sitesBody : sitesBody.items).find((s) => s.code === 'SZ01');
    const plan = (path) => `/sites/${site.id}/planning/${path}`;

    // 1. Schedule and publish.
    const run = await timed(async () => {
      const { body } = await api(app, 'POST', plan('runs'), {
        token,
        body: { seconds: SECONDS },
        expect: [202],
      });
      return untilDone(app, token, site.id, body.id);
    });
    rows.push({
      step: 'schedule all open orders',
      seconds: run.seconds,
      note: `${run.value.kpis.orderCount} orders, ${run.value.kpis.operationCount} operations, makespan ${run.value.kpis.makespanMinutes} min, ${run.value.kpis.lateOrderCount} late`,
    });
    const pub = await timed(() =>
      api(app, 'POST', plan(`versions/${run.value.id}/publish`), { token, body: {}, expect: [200] }),
    );
    rows.push({ step: 'publish (dispatch lists follow)', seconds: pub.seconds, note: run.value.code });
    const gantt = await timed(() => api(app, 'GET', plan('gantt?by=machine'), { token }));
    rows.push({
      step: 'Gantt by machine',
      seconds: gantt.seconds,
      note: `${gantt.value.body.rows.length} machines`,
    });

    // 2. Rush order: impact, then apply.
    const { body: order } = await api(app, 'POST', `/sites/${site.id}/work-orders`, {
      token,
      body: { material: 'GB-R50', quantity: '4', dueAt: new Date(Date.now() + 2 * 86400000).toISOString() },
      expect: [201],
    });
    const rush = await timed(async () => {
      const { body } = await api(app, 'POST', plan('rush-inserts'), {
        token,
        body: { workOrderId: order.id, seconds: SECONDS },
        expect: [202],
      });
      const done = await untilDone(app, token, site.id, body.id);
      const impact = await api(app, 'GET', plan(`rush-inserts/${done.id}/impact`), { token });
      return { done, impact: impact.body };
    });
    const impact = rush.value.impact;
    rows.push({
      step: 'rush insert → impact report',
      seconds: rush.seconds,
      note: `${impact.slipped.length} orders slip, ${impact.newlyLate.length} newly late, ${impact.unchanged} unchanged`,
    });
    const apply = await timed(() =>
      api(app, 'POST', plan(`rush-inserts/${rush.value.done.id}/apply`), { token, body: {}, expect: [200] }),
    );
    rows.push({ step: 'apply the rush order', seconds: apply.seconds, note: 'published, order made rush' });

    // 3. What-if: a machine down tomorrow, Saturday overtime for its work center; compare.
    const { body: g } = await api(app, 'GET', plan('gantt'), { token });
    const machine = g.rows[0];
    const day = (offset) => new Date(Date.now() + offset * 86400000).toISOString().slice(0, 10);
    const whatIf = await timed(async () => {
      const { body } = await api(app, 'POST', plan('scenarios'), {
        token,
        body: {
          name: `${machine.code} down tomorrow, overtime`,
          seconds: SECONDS,
          changes: [
            {
              type: 'machine_down',
              equipmentId: machine.equipmentId,
              from: `${day(1)}T00:00:00Z`,
              to: `${day(2)}T00:00:00Z`,
            },
            {
              type: 'overtime',
              workCenterId: machine.workCenterId,
              from: `${day(3)}T00:00:00Z`,
              to: `${day(3)}T08:00:00Z`,
            },
          ],
        },
        expect: [202],
      });
      const done = await untilDone(app, token, site.id, body.id);
      const compared = await api(app, 'GET', plan(`scenarios/${done.id}/compare`), { token });
      return compared.body;
    });
    rows.push({
      step: 'what-if run → side-by-side',
      seconds: whatIf.seconds,
      note: `makespan ${whatIf.value.kpis.makespanMinutes.left} → ${whatIf.value.kpis.makespanMinutes.right} min`,
    });

    console.log(
      `\nplanning on the demo plant (engine budget ${SECONDS} s per run; PostgreSQL; wall time per step)`,
    );
    console.log(`${'step'.padEnd(34)} ${'seconds'.padStart(8)}  note`);
    for (const r of rows) console.log(`${r.step.padEnd(34)} ${r.seconds.toFixed(2).padStart(8)}  ${r.note}`);
    writeBenchResult(
      'planning',
      rows.map((r) => ({ figure: `planner: ${r.step}`, ours: r.seconds, unit: 's', reference: r.note })),
      { title: `demo plant, engine budget ${SECONDS} s per run` },
    );
  } catch (err) {
    app.printTail();
    throw err;
  } finally {
    await app.stop();
    await adminQuery(`DROP DATABASE IF EXISTS ${quoteIdent(APP_DB)} WITH (FORCE)`).catch((e) =>
      log(`could not drop ${APP_DB}: ${e.message}`),
    );
  }
}

main().catch((err) => {
  log(String(err.stack ?? err));
  process.exit(1);
});
