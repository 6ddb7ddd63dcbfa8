// The operator terminal (工位终端): set up once by an administrator for a work center, then operators sign in
// with badge + PIN, work through the dispatch list, report quantities, scan lots and raise andon calls.
// Commands go through the terminal queue: each carries its own Idempotency-Key and waits while offline.
import { ApiError, renderProblem } from '../api.js';
import { dataTable, h } from '../dom.js';
import { formatNumber, formatShortDateTime, LOCALES, locale, setLocale, t, tOr } from '../i18n.js';
import { connectShopFloor } from '../socket.js';
import { createCommandQueue, newKey, request } from '../terminal-queue.js';
import {
  ANDON_ROLES,
  characteristicLimits,
  decimalKey,
  isMeasured,
  outOfLimits,
  parameterLimits,
} from './terminal/measurements.js';

const DEVICE_KEY = 'mom.terminal.device';
const OPERATOR_KEY = 'mom.terminal.operator';
const REASONS_KEY = 'mom.terminal.reasons';
const ANDON_KINDS = ['material', 'quality', 'maintenance', 'help'];
const DOWNTIME_CATEGORIES = ['downtime_planned', 'downtime_unplanned'];
const PAUSE_CATEGORIES = ['pause', ...DOWNTIME_CATEGORIES];
/** Pushes arriving together are fetched once. */
const COALESCE_MS = 150;
/** The list is read again this often anyway (waiting reasons change with the clock and other work centers). */
const REFRESH_EVERY_MS = 30_000;
/** A keyboard-wedge scanner types faster than this between keys; slower typing is a person. */
const SCANNER_KEY_GAP_MS = 60;
const QUANTITY = /^\d{1,12}(\.\d{1,6})?$/;

function readJson(storage, key) {
  try {
    return JSON.parse(storage.getItem(key) ?? 'null');
  } catch {
    return null;
  }
}

function writeJson(storage, key, value) {
  try {
    if (value === null) storage.removeItem(key);
    else storage.setItem(key, JSON.stringify(value));
  } catch {
    // Storage refused (private window): the value lasts for this page only.
  }
}

/** The registered terminal of this browser: `{id, code, name, siteId, deviceKey, workCenter, site}`. */
function loadDevice() {
  const device = readJson(localStorage, DEVICE_KEY);
  return device && typeof device.deviceKey === 'string' && device.workCenter?.id ? device : null;
}

/** The operator signed in at this terminal (this tab only): `{token, expiresAt, user}`. */
function loadOperator() {
  const operator = readJson(sessionStorage, OPERATOR_KEY);
  if (!operator || typeof operator.token !== 'string') return null;
  if (typeof operator.expiresAt === 'number' && operator.expiresAt <= Date.now()) {
    writeJson(sessionStorage, OPERATOR_KEY, null);
    return null;
  }
  return operator;
}

export function mount(main, ctx) {
  void ctx;
  let device = loadDevice();
  let operator = loadOperator();
  const view = {
    screen: device ? (operator ? 'work' : 'badge') : 'setup',
    setup: freshSetup(),
    badge: { code: '', pin: '', busy: false, message: null },
    items: null,
    listError: null,
    selectedId: null,
    instructions: null,
    instructionsError: null,
    reasons: readJson(localStorage, REASONS_KEY) ?? null,
    /** The work center's machine-reported stops still waiting for a reason (null until read). */
    stops: null,
    stopsError: null,
    /** The work center's machines by id (`{code, name, nameZh}`), to name a stop's machine. */
    equipment: null,
    dialog: null,
    /** The work center's open andon calls (null until read). */
    andon: null,
    andonError: null,
    /** The work center's in-process inspections still to record (null until read). */
    inspections: null,
    inspectionsError: null,
    message: null,
    scan: '',
    busy: false,
    queue: { waiting: 0, sending: false, items: [] },
    online: navigator.onLine !== false,
    focus: null,
  };
  const timers = { coalesce: null, stops: null, periodic: null, andon: null, inspections: null };
  let live = null;
  let liveRemovers = [];
  let alive = true;
  let wedge = { buffer: '', at: 0 };

  function freshSetup() {
    return {
      step: 'admin',
      username: '',
      password: '',
      token: null,
      sites: [],
      siteId: null,
      workCenters: [],
      workCentersOf: null, // the site the work-center list is for
      workCenterId: null,
      code: '',
      codeEdited: false,
      name: '',
      busy: false,
      message: null,
    };
  }

  const queue = createCommandQueue({
    tokenFor: (item) => (operator && operator.user?.id === item.userId ? operator.token : item.token),
    onChange: (state) => {
      const before = pendingStopsSignature();
      view.queue = state;
      if (view.screen === 'work' && pendingStopsSignature() !== before) return render();
      paintQueue();
      if (view.screen === 'work') paintPending();
    },
    onSettled: (item, outcome) => {
      if (!alive) return;
      if (outcome.error) {
        view.message = {
          tone: 'error',
          key: 'terminal.queue.dropped',
          params: { action: item.label },
          error: outcome.error,
        };
      } else if (outcome.data && item.path.endsWith('/readings'))
        view.message = readingsMessage(item.label, outcome.data);
      else if (outcome.data && item.inspectionId) view.message = inspectionMessage(item.label, outcome.data);
      if (view.screen === 'work') {
        refreshList();
        if (item.path.startsWith('/terminal/andon')) refreshAndon(true);
        if (item.downtimeId) refreshStops(true);
        if (item.operationId && item.operationId === view.selectedId) void loadInstructions();
      }
      render();
    },
  });

  // ---------- rendering ----------

  function render() {
    if (!alive) return;
    const focused = document.activeElement?.id || null;
    let screen;
    if (view.screen === 'setup') screen = setupScreen();
    else if (view.screen === 'badge') screen = badgeScreen();
    else screen = workScreen();
    main.replaceChildren(h('div', { class: `terminal terminal-${view.screen}` }, screen));
    paintQueue();
    if (view.screen === 'work') paintPending();
    const target = view.focus ?? focused;
    view.focus = null;
    if (target) document.getElementById(target)?.focus();
  }

  function languagePicker(id) {
    return h(
      'label',
      { class: 'picker' },
      h('span', {}, t('header.language')),
      h(
        'select',
        { id, onchange: (e) => setLocale(e.target.value) },
        LOCALES.map((l) =>
          h('option', { value: l.code, selected: l.code === locale(), lang: l.code }, l.label),
        ),
      ),
    );
  }

  function messageBox(message, id) {
    const box = h('div', { id, class: 'terminal-message', hidden: !message });
    if (!message) return box;
    if (message.tone === 'error') {
      if (message.key)
        box.append(h('p', { class: 'terminal-message-lead' }, t(message.key, resolve(message.params))));
      if (message.error) {
        const problem = h('div');
        renderProblem(problem, message.error);
        box.append(problem);
      } else if (!message.key) box.append(h('p', {}, t('error.unknown')));
      box.className = 'terminal-message error';
      box.setAttribute('role', 'alert');
    } else {
      box.className = `terminal-message ${message.tone}`;
      box.setAttribute('role', 'status');
      box.append(h('p', {}, t(message.key, resolve(message.params))));
    }
    return box;
  }

  function queueBanner() {
    return h('div', { id: 'terminal-queue', class: 'terminal-queue', role: 'status', 'aria-live': 'polite' });
  }

  /** The banner: offline and what waits, or sending; hidden when everything is sent. */
  function paintQueue() {
    const banner = main.querySelector('#terminal-queue');
    if (!banner) return;
    const { waiting, sending } = view.queue;
    banner.dataset.waiting = String(waiting);
    let state = 'idle';
    if (!view.online) state = 'offline';
    else if (sending) state = 'sending';
    else if (waiting > 0) state = 'waiting';
    banner.dataset.state = state;
    banner.hidden = state === 'idle';
    banner.className = `terminal-queue ${state}`;
    const count = formatNumber(waiting);
    banner.textContent =
      state === 'offline'
        ? t('terminal.queue.offline', { count })
        : state === 'sending'
          ? t('terminal.queue.sending', { count })
          : state === 'waiting'
            ? t('terminal.queue.waiting', { count })
            : '';
  }

  // ---------- set-up (an administrator registers this browser as a terminal) ----------

  function setupScreen() {
    const s = view.setup;
    return h(
      'section',
      { class: 'panel narrow terminal-setup', 'aria-labelledby': 'terminal-setup-title' },
      h(
        'div',
        { class: 'login-top' },
        h(
          'div',
          { class: 'brand' },
          h('img', { src: '/favicon.svg', alt: '', width: '32', height: '32' }),
          t('app.name'),
        ),
        languagePicker('terminal-locale'),
      ),
      h('h1', { id: 'terminal-setup-title' }, t('terminal.setup.title')),
      h(
        'p',
        { class: 'muted' },
        t(s.step === 'admin' ? 'terminal.setup.intro' : 'terminal.setup.chooseWorkCenter'),
      ),
      s.step === 'admin' ? adminForm(s) : registerForm(s),
      messageBox(s.message, 'setup-message'),
      device
        ? h(
            'button',
            {
              type: 'button',
              class: 'button link',
              id: 'setup-cancel',
              onclick: () => show(operator ? 'work' : 'badge'),
            },
            t('terminal.setup.cancel'),
          )
        : null,
    );
  }

  function adminForm(s) {
    return h(
      'form',
      { id: 'setup-admin-form', class: 'form', novalidate: true, onsubmit: submitAdmin },
      h(
        'label',
        { for: 'setup-username' },
        t('login.username'),
        h('input', {
          id: 'setup-username',
          autocomplete: 'username',
          autocapitalize: 'none',
          spellcheck: 'false',
          value: s.username,
          oninput: (e) => (s.username = e.target.value),
        }),
      ),
      h(
        'label',
        { for: 'setup-password' },
        t('login.password'),
        h('input', {
          id: 'setup-password',
          type: 'password',
          autocomplete: 'current-password',
          value: s.password,
          oninput: (e) => (s.password = e.target.value),
        }),
      ),
      h(
        'button',
        { type: 'submit', class: 'button primary terminal-big', disabled: s.busy },
        t(s.busy ? 'login.signingIn' : 'terminal.setup.adminSignIn'),
      ),
    );
  }

  function registerForm(s) {
    return h(
      'form',
      { id: 'setup-register-form', class: 'form', novalidate: true, onsubmit: submitRegister },
      h(
        'label',
        { for: 'setup-site' },
        t('header.site'),
        h(
          'select',
          { id: 'setup-site', onchange: (e) => void chooseSite(e.target.value) },
          s.sites.map((site) =>
            h('option', { value: site.id, selected: site.id === s.siteId }, `${site.code} · ${site.name}`),
          ),
        ),
      ),
      h(
        'label',
        { for: 'setup-work-center' },
        t('terminal.setup.workCenter'),
        h(
          'select',
          {
            id: 'setup-work-center',
            onchange: (e) => {
              s.workCenterId = e.target.value;
              suggestCode();
              render();
            },
          },
          s.workCenters.map((wc) =>
            h('option', { value: wc.id, selected: wc.id === s.workCenterId }, `${wc.code} · ${wc.name}`),
          ),
        ),
      ),
      s.workCenters.length === 0 ? h('p', { class: 'notice' }, t('terminal.setup.noWorkCenters')) : null,
      h(
        'label',
        { for: 'setup-code' },
        t('terminal.setup.code'),
        h('input', {
          id: 'setup-code',
          autocapitalize: 'characters',
          spellcheck: 'false',
          value: s.code,
          oninput: (e) => {
            s.code = e.target.value;
            s.codeEdited = true;
          },
        }),
      ),
      h(
        'label',
        { for: 'setup-name' },
        t('terminal.setup.name'),
        h('input', { id: 'setup-name', value: s.name, oninput: (e) => (s.name = e.target.value) }),
      ),
      h(
        'button',
        {
          type: 'submit',
          class: 'button primary terminal-big',
          id: 'setup-register',
          disabled: s.busy || s.workCenters.length === 0,
        },
        t('terminal.setup.register'),
      ),
    );
  }

  function suggestCode() {
    const s = view.setup;
    const wc = s.workCenters.find((w) => w.id === s.workCenterId);
    if (!wc) return;
    if (!s.codeEdited) {
      const suffix = Math.random().toString(36).slice(2, 6).toUpperCase();
      s.code = `T-${wc.code}-${suffix}`.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 64);
    }
    s.name = t('terminal.setup.defaultName', { workCenter: wc.name });
  }

  async function submitAdmin(event) {
    event.preventDefault();
    const s = view.setup;
    if (s.busy) return;
    s.busy = true;
    s.message = null;
    render();
    try {
      const token = await request('/auth/login', {
        method: 'POST',
        body: { username: s.username.trim(), password: s.password },
      });
      const me = await request('/auth/me', { token: token.accessToken });
      if (!me.roles?.includes('admin')) {
        s.busy = false;
        s.message = { tone: 'error', key: 'terminal.setup.notAdmin' };
        render();
        return;
      }
      s.token = token.accessToken;
      s.password = '';
      s.sites = await request('/sites', { token: s.token });
      s.step = 'register';
      s.busy = false;
      await chooseSite(s.sites[0]?.id ?? null);
      view.focus = 'setup-work-center';
      render();
    } catch (error) {
      if (!alive) return;
      s.busy = false;
      s.message = { tone: 'error', error };
      render();
    }
  }

  async function chooseSite(siteId) {
    const s = view.setup;
    // The site already shown (a change event without a change): keep the work center picked meanwhile.
    if (siteId && siteId === s.siteId && s.workCentersOf === siteId) return;
    s.siteId = siteId;
    s.workCenters = [];
    s.workCentersOf = null;
    s.workCenterId = null;
    if (!siteId) return render();
    try {
      const page = await request(`/sites/${siteId}/work-centers`, {
        token: s.token,
        query: { active: 'true', limit: 200, sort: 'code' },
      });
      // Another site was chosen while this list loaded: its own answer fills the form.
      if (s.siteId !== siteId) return;
      s.workCenters = page.items ?? [];
      s.workCentersOf = siteId;
      s.workCenterId = s.workCenters[0]?.id ?? null;
      suggestCode();
    } catch (error) {
      if (s.siteId !== siteId) return;
      s.message = { tone: 'error', error };
    }
    render();
  }

  async function submitRegister(event) {
    event.preventDefault();
    const s = view.setup;
    if (s.busy) return;
    const site = s.sites.find((x) => x.id === s.siteId);
    const wc = s.workCenters.find((x) => x.id === s.workCenterId);
    if (!site || !wc) return;
    s.busy = true;
    s.message = null;
    render();
    try {
      const registered = await request('/terminals', {
        method: 'POST',
        token: s.token,
        body: { code: s.code.trim(), name: s.name.trim() || wc.name, siteId: site.id, workCenterId: wc.id },
      });
      device = {
        id: registered.id,
        code: registered.code,
        name: registered.name,
        siteId: registered.siteId,
        deviceKey: registered.deviceKey,
        site: { id: site.id, code: site.code, name: site.name, timeZone: site.timeZone },
        workCenter: { id: registered.workCenterId ?? wc.id, code: wc.code, name: wc.name, nameZh: wc.nameZh },
      };
      writeJson(localStorage, DEVICE_KEY, device);
      signOutOperator();
      view.setup = freshSetup();
      view.badge.message = { tone: 'ok', key: 'terminal.setup.done', params: { code: device.code } };
      show('badge');
    } catch (error) {
      if (!alive) return;
      s.busy = false;
      s.message = { tone: 'error', error };
      render();
    }
  }

  // ---------- badge + PIN ----------

  function badgeScreen() {
    const b = view.badge;
    return h(
      'section',
      { class: 'panel terminal-badge', 'aria-labelledby': 'badge-title' },
      h(
        'div',
        { class: 'login-top' },
        h(
          'div',
          { class: 'brand' },
          h('img', { src: '/favicon.svg', alt: '', width: '32', height: '32' }),
          h('span', { id: 'terminal-name' }, `${device.name} · ${device.workCenter.code}`),
        ),
        languagePicker('terminal-locale'),
      ),
      queueBanner(),
      h('h1', { id: 'badge-title' }, t('terminal.badge.title')),
      h(
        'form',
        { id: 'badge-form', class: 'form terminal-badge-form', novalidate: true, onsubmit: submitBadge },
        h(
          'label',
          { for: 'badge-code' },
          t('terminal.badge.code'),
          h('input', {
            id: 'badge-code',
            class: 'terminal-input',
            autocomplete: 'off',
            autocapitalize: 'characters',
            spellcheck: 'false',
            value: b.code,
            oninput: (e) => (b.code = e.target.value),
            onkeydown: (e) => {
              // A badge scanner ends with Enter: go on to the PIN.
              if (e.key === 'Enter' && !b.pin) {
                e.preventDefault();
                document.getElementById('badge-pin')?.focus();
              }
            },
          }),
        ),
        h(
          'label',
          { for: 'badge-pin' },
          t('terminal.badge.pin'),
          h('input', {
            id: 'badge-pin',
            class: 'terminal-input',
            type: 'password',
            inputmode: 'numeric',
            autocomplete: 'off',
            maxlength: '8',
            value: b.pin,
            oninput: (e) => (b.pin = e.target.value.replace(/\D/g, '').slice(0, 8)),
          }),
        ),
        keypad('pin-pad', t('terminal.badge.pin'), (key) => {
          b.pin = applyKey(b.pin, key, false).slice(0, 8);
          const input = document.getElementById('badge-pin');
          if (input) input.value = b.pin;
        }),
        messageBox(b.message, 'badge-message'),
        h(
          'button',
          { type: 'submit', id: 'badge-submit', class: 'button primary terminal-big', disabled: b.busy },
          t(b.busy ? 'login.signingIn' : 'terminal.badge.submit'),
        ),
      ),
      h(
        'button',
        { type: 'button', class: 'button link', id: 'terminal-reset', onclick: () => show('setup') },
        t('terminal.setup.again'),
      ),
    );
  }

  async function submitBadge(event) {
    event.preventDefault();
    const b = view.badge;
    if (b.busy) return;
    if (!b.code.trim() || !/^\d{4,8}$/.test(b.pin)) {
      b.message = { tone: 'error', key: 'terminal.badge.incomplete' };
      render();
      return;
    }
    b.busy = true;
    b.message = null;
    render();
    try {
      const token = await request('/auth/terminal-login', {
        method: 'POST',
        body: {
          terminalCode: device.code,
          deviceKey: device.deviceKey,
          badgeCode: b.code.trim(),
          pin: b.pin,
        },
      });
      const identity = await request('/terminal/whoami', { token: token.accessToken });
      const me = identity.operator;
      operator = {
        token: token.accessToken,
        expiresAt: Date.now() + token.expiresIn * 1000,
        user: { id: me.id, name: me.name, username: me.username, roles: me.roles },
      };
      adoptWorkCenter(identity.workCenter);
      writeJson(sessionStorage, OPERATOR_KEY, operator);
      view.badge = { code: '', pin: '', busy: false, message: null };
      show('work');
    } catch (error) {
      if (!alive) return;
      b.busy = false;
      b.pin = '';
      b.message =
        error instanceof ApiError && error.code === 'INVALID_CREDENTIALS'
          ? { tone: 'error', key: 'terminal.badge.wrong' }
          : { tone: 'error', error };
      view.focus = 'badge-pin';
      render();
    }
  }

  /**
   * The work center the server keeps for this terminal wins over the one remembered in this browser; a terminal
   * registered before the server kept it goes on with the local one.
   */
  function adoptWorkCenter(wc) {
    if (!wc?.id || !device) return;
    const same =
      device.workCenter?.id === wc.id &&
      device.workCenter?.code === wc.code &&
      device.workCenter?.name === wc.name;
    if (same) return;
    const moved = device.workCenter?.id !== wc.id;
    device = {
      ...device,
      workCenter: { id: wc.id, code: wc.code, name: wc.name, nameZh: wc.nameZh ?? null },
    };
    writeJson(localStorage, DEVICE_KEY, device);
    if (moved) {
      view.items = null;
      view.stops = null;
      view.equipment = null;
      view.andon = null;
      view.inspections = null;
      view.selectedId = null;
    }
  }

  function workCenterLabel() {
    const wc = device.workCenter;
    const name = locale() === 'zh-CN' && wc.nameZh ? wc.nameZh : wc.name;
    return `${wc.code} · ${name}`;
  }

  // ---------- the work screen ----------

  function workScreen() {
    const liveStatus = view.online ? (live?.status() ?? 'connecting') : 'offline';
    return [
      h(
        'header',
        { class: 'terminal-bar' },
        h(
          'div',
          { class: 'terminal-where' },
          h('strong', { id: 'terminal-work-center' }, workCenterLabel()),
          h('span', { class: 'terminal-device' }, device.name),
        ),
        stopsBadge(),
        h(
          'span',
          {
            id: 'terminal-live',
            class: `live-status ${liveStatus}`,
            role: 'status',
            dataset: { rooms: live?.joinedRooms().join(' ') ?? '' },
          },
          t(`live.${liveStatus}`),
        ),
        h(
          'span',
          { id: 'terminal-operator', class: 'terminal-operator' },
          t('terminal.operator', { name: operator.user.name }),
        ),
        languagePicker('terminal-locale'),
        h(
          'button',
          { type: 'button', id: 'terminal-sign-out', class: 'button', onclick: () => signOut() },
          t('header.signOut'),
        ),
      ),
      queueBanner(),
      messageBox(view.message, 'terminal-message'),
      h(
        'form',
        { id: 'scan-form', class: 'terminal-scan', onsubmit: submitScan },
        h('label', { for: 'terminal-scan' }, t('terminal.scan.label')),
        h('input', {
          id: 'terminal-scan',
          class: 'terminal-input',
          autocomplete: 'off',
          autocapitalize: 'characters',
          spellcheck: 'false',
          placeholder: t('terminal.scan.placeholder'),
          value: view.scan,
          oninput: (e) => (view.scan = e.target.value),
        }),
        h('button', { type: 'submit', class: 'button terminal-big' }, t('terminal.scan.submit')),
      ),
      h('div', { class: 'terminal-grid' }, dispatchList(), detailPanel()),
      stopsPanel(),
      h(
        'section',
        { class: 'terminal-andon', 'aria-labelledby': 'andon-title' },
        h('h2', { id: 'andon-title' }, t('terminal.andon.title')),
        h(
          'div',
          { class: 'terminal-andon-buttons' },
          ANDON_KINDS.map((kind) =>
            h(
              'button',
              {
                type: 'button',
                class: `button andon andon-${kind}`,
                dataset: { andon: kind },
                onclick: () => void raiseAndon(kind),
              },
              t(`terminal.andon.${kind}`),
            ),
          ),
        ),
        andonList(),
      ),
      view.dialog ? dialog() : null,
    ];
  }

  function opName(item) {
    return locale() === 'zh-CN' && item.nameZh ? item.nameZh : item.name;
  }

  function dispatchList() {
    let body;
    if (view.listError && !view.items) {
      body = h('div', { class: 'terminal-list-error' });
      renderProblem(body, view.listError);
    } else if (!view.items) body = h('p', { class: 'muted' }, t('common.loading'));
    else if (view.items.length === 0)
      body = h('p', { class: 'muted', id: 'dispatch-empty' }, t('terminal.list.empty'));
    else
      body = h(
        'ul',
        { id: 'dispatch-list', class: 'dispatch-list' },
        view.items.map((item) =>
          h(
            'li',
            {},
            h(
              'button',
              {
                type: 'button',
                class: `dispatch-item state-${item.state}`,
                'aria-pressed': item.operationId === view.selectedId ? 'true' : 'false',
                dataset: { op: item.operationId, wo: item.workOrderCode, state: item.state },
                onclick: () => select(item.operationId),
              },
              h(
                'span',
                { class: 'dispatch-head' },
                h('strong', {}, item.workOrderCode),
                item.priority === 'rush' ? h('span', { class: 'badge danger' }, t('terminal.rush')) : null,
                h(
                  'span',
                  { class: `badge op-state-${item.state}`, dataset: { field: 'state' } },
                  tOr('opState', item.state),
                ),
              ),
              h('span', { class: 'dispatch-op' }, `${item.seq} · ${opName(item)} · ${item.materialCode}`),
              h(
                'span',
                { class: 'dispatch-qty num', dataset: { field: 'good' } },
                t('terminal.list.qty', {
                  good: formatNumber(item.goodQty),
                  planned: formatNumber(item.plannedQty),
                }),
              ),
              h(
                'span',
                { class: 'dispatch-due muted' },
                t('terminal.list.due', { time: formatShortDateTime(item.dueAt, device.site?.timeZone) }),
              ),
              item.waitingReasons.length > 0
                ? h(
                    'span',
                    { class: 'dispatch-reasons' },
                    item.waitingReasons.map((r) => tOr('waitReason', r)).join(t('list.separator')),
                  )
                : null,
            ),
          ),
        ),
      );
    return h(
      'section',
      { class: 'terminal-list', 'aria-labelledby': 'dispatch-title' },
      h('h2', { id: 'dispatch-title' }, t('terminal.list.title')),
      body,
    );
  }

  /** The selected operation as the list shows it, else as its work instructions show it (e.g. completed). */
  function selected() {
    if (!view.selectedId) return null;
    const item = view.items?.find((i) => i.operationId === view.selectedId);
    if (item) return item;
    const op = view.instructions?.operation;
    if (!op || op.id !== view.selectedId) return null;
    return {
      operationId: op.id,
      seq: op.seq,
      name: op.name,
      nameZh: op.nameZh,
      workOrderCode: view.instructions.workOrder.code,
      materialCode: view.instructions.workOrder.materialCode,
      state: op.status,
      waitingReasons: [],
      plannedQty: op.plannedQty,
      goodQty: op.goodQty,
      scrapQty: op.scrapQty,
      remainingQty: null,
      operators: [],
    };
  }

  function detailPanel() {
    const item = selected();
    if (!item) {
      return h(
        'section',
        { class: 'terminal-detail', id: 'op-detail', 'aria-labelledby': 'op-title' },
        h('h2', { id: 'op-title' }, t('terminal.detail.title')),
        h('p', { class: 'muted' }, t('terminal.detail.none')),
      );
    }
    const state = item.state;
    const action = (id, key, handler, tone = '') =>
      h(
        'button',
        {
          type: 'button',
          id,
          class: `button terminal-action ${tone}`.trim(),
          disabled: view.busy,
          onclick: handler,
        },
        t(key),
      );
    const actions = [];
    if (state === 'ready' || (state === 'running' && !item.operators.includes(operator.user.name)))
      actions.push(action('op-start', 'terminal.action.start', () => void command('start', item), 'primary'));
    if (state === 'running') {
      actions.push(action('op-good', 'terminal.action.good', () => openDialog({ kind: 'good' }), 'primary'));
      actions.push(action('op-scrap', 'terminal.action.scrap', () => openDialog({ kind: 'scrap' })));
      actions.push(action('op-pause', 'terminal.action.pause', () => openDialog({ kind: 'pause' })));
      actions.push(action('op-complete', 'terminal.action.complete', () => openDialog({ kind: 'complete' })));
    }
    if (state === 'paused')
      actions.push(
        action('op-resume', 'terminal.action.resume', () => void command('resume', item), 'primary'),
      );
    const started = state === 'running' || state === 'paused';
    const wi = view.instructions?.operation?.id === item.operationId ? view.instructions : null;
    if (started && wi?.parameters?.length)
      actions.push(
        action('op-readings', 'terminal.action.readings', () =>
          openDialog({ kind: 'readings', values: {}, active: 0 }),
        ),
      );
    if (started && item.operators.includes(operator.user.name))
      actions.push(action('op-leave', 'terminal.action.leave', () => openDialog({ kind: 'leave' })));
    return h(
      'section',
      {
        class: 'terminal-detail',
        id: 'op-detail',
        'aria-labelledby': 'op-title',
        dataset: { op: item.operationId },
      },
      h('h2', { id: 'op-title' }, `${item.workOrderCode} · ${item.seq} ${opName(item)}`),
      h(
        'p',
        { class: 'op-state' },
        h('span', { class: `badge op-state-${state}`, dataset: { field: 'state' } }, tOr('opState', state)),
        item.waitingReasons.length > 0
          ? h(
              'span',
              { class: 'muted' },
              ` ${item.waitingReasons.map((r) => tOr('waitReason', r)).join(t('list.separator'))}`,
            )
          : null,
        item.operators.length > 0
          ? h(
              'span',
              { class: 'muted' },
              ` ${t('terminal.detail.operators', { names: item.operators.join(t('list.separator')) })}`,
            )
          : null,
      ),
      h(
        'dl',
        { class: 'figures op-figures' },
        figure('planned', t('terminal.detail.planned'), formatNumber(item.plannedQty)),
        figure('good', t('terminal.detail.good'), formatNumber(item.goodQty)),
        figure('scrap', t('terminal.detail.scrap'), formatNumber(item.scrapQty)),
        item.remainingQty !== null
          ? figure('remaining', t('terminal.detail.remaining'), formatNumber(item.remainingQty))
          : null,
      ),
      h('p', { class: 'op-pending', id: 'op-pending', hidden: true }),
      h('div', { class: 'op-actions' }, actions),
      inspectionsPart(item),
      instructionsPart(),
    );
  }

  function figure(field, label, value) {
    return h('div', {}, h('dt', {}, label), h('dd', { class: 'num', dataset: { field } }, value));
  }

  /** What waits in the queue for the selected operation, next to its figures. */
  function paintPending() {
    const element = main.querySelector('#op-pending');
    if (!element) return;
    const mine = view.queue.items.filter(
      (item) => item.operationId === view.selectedId && item.path.endsWith('/report'),
    );
    const sum = (field) => mine.reduce((total, item) => total + Number(item.body[field] ?? 0), 0);
    const good = sum('goodQty');
    const scrap = sum('scrapQty');
    const readings = view.queue.items
      .filter((item) => item.operationId === view.selectedId && item.path.endsWith('/readings'))
      .reduce((total, item) => total + (item.body.readings?.length ?? 0), 0);
    const parts = [];
    if (mine.length > 0)
      parts.push(t('terminal.detail.pending', { good: formatNumber(good), scrap: formatNumber(scrap) }));
    if (readings > 0) parts.push(t('terminal.readings.pending', { count: formatNumber(readings) }));
    element.hidden = parts.length === 0;
    element.dataset.readings = String(readings);
    element.textContent = parts.join(' · ');
  }

  // ---------- stops to classify (machine-reported downtime without a reason) ----------

  /** Classifications waiting in the queue, by stop: the reason code chosen. */
  function pendingStops() {
    const pending = new Map();
    for (const item of view.queue.items ?? []) {
      if (item.downtimeId) pending.set(item.downtimeId, item.body?.reasonCode ?? '');
    }
    return pending;
  }

  function pendingStopsSignature() {
    return [...pendingStops().entries()].map(([id, code]) => `${id}:${code}`).join(' ');
  }

  /** The stops still to classify here: listed by the server and not already classified in the queue. */
  function openStops() {
    const pending = pendingStops();
    return (view.stops ?? []).filter((stop) => !pending.has(stop.id));
  }

  function machineOf(stop) {
    const eq = view.equipment?.[stop.equipmentId];
    if (!eq) return { code: stop.equipmentId.slice(0, 8), name: '' };
    return { code: eq.code, name: locale() === 'zh-CN' && eq.nameZh ? eq.nameZh : eq.name };
  }

  function machineLabel(stop) {
    const m = machineOf(stop);
    return m.name ? `${m.code} · ${m.name}` : m.code;
  }

  function stopsBadge() {
    const count = view.stops === null ? 0 : openStops().length;
    return h(
      'button',
      {
        type: 'button',
        id: 'terminal-stops-badge',
        class: 'terminal-stops-badge',
        hidden: count === 0,
        dataset: { count: String(count) },
        'aria-controls': 'terminal-stops',
        onclick: () => {
          const first = main.querySelector('#stops-list .stop-item');
          document.getElementById('terminal-stops')?.scrollIntoView({ block: 'start' });
          if (first instanceof HTMLElement) first.focus();
        },
      },
      t('terminal.stops.badge', { count: formatNumber(count) }),
    );
  }

  function stopSummary(stop) {
    const tz = device.site?.timeZone;
    return [
      h('strong', { class: 'stop-machine' }, machineLabel(stop)),
      h(
        'span',
        { class: `badge stop-state-${stop.machineState ?? 'down'}`, dataset: { field: 'machineState' } },
        tOr('terminal.stops.said', stop.machineState ?? 'down'),
      ),
      h(
        'span',
        { class: 'stop-when', dataset: { field: 'when' } },
        stop.endedAt
          ? t('terminal.stops.between', {
              from: formatShortDateTime(stop.startedAt, tz),
              to: formatShortDateTime(stop.endedAt, tz),
            })
          : t('terminal.stops.since', { from: formatShortDateTime(stop.startedAt, tz) }),
      ),
      h(
        'span',
        { class: 'stop-minutes num', dataset: { field: 'minutes' } },
        t(stop.endedAt ? 'terminal.stops.minutes' : 'terminal.stops.minutesSoFar', {
          minutes: formatNumber(Math.round(Number(stop.minutes) || 0)),
        }),
      ),
    ];
  }

  function stopsPanel() {
    const pending = pendingStops();
    const stops = view.stops ?? [];
    let body;
    if (view.stopsError && view.stops === null) {
      body = h('div', { class: 'terminal-list-error' });
      renderProblem(body, view.stopsError);
    } else if (view.stops === null) body = h('p', { class: 'muted' }, t('common.loading'));
    else if (stops.length === 0)
      body = h('p', { class: 'muted', id: 'stops-empty' }, t('terminal.stops.empty'));
    else
      body = h(
        'ul',
        { id: 'stops-list', class: 'stops-list' },
        stops.map((stop) => {
          const waiting = pending.get(stop.id);
          return h(
            'li',
            {},
            h(
              'button',
              {
                type: 'button',
                class: `stop-item state-${stop.machineState ?? 'down'}${stop.endedAt ? '' : ' ongoing'}`,
                disabled: waiting !== undefined,
                dataset: {
                  downtime: stop.id,
                  equipment: stop.equipmentId,
                  state: stop.machineState ?? '',
                  pending: waiting !== undefined ? 'true' : 'false',
                },
                onclick: () => openDialog({ kind: 'classify', stop, note: '' }),
              },
              stopSummary(stop),
              waiting !== undefined
                ? h('span', { class: 'stop-pending' }, t('terminal.stops.pending', { reason: waiting }))
                : h('span', { class: 'stop-tap' }, t('terminal.stops.tap')),
            ),
          );
        }),
      );
    return h(
      'section',
      {
        class: 'terminal-stops',
        id: 'terminal-stops',
        'aria-labelledby': 'stops-title',
        dataset: { count: String(view.stops === null ? 0 : openStops().length) },
      },
      h('h2', { id: 'stops-title' }, t('terminal.stops.title')),
      body,
    );
  }

  function instructionsPart() {
    if (view.instructionsError && !view.instructions) {
      const box = h('div');
      renderProblem(box, view.instructionsError);
      return box;
    }
    const wi = view.instructions;
    if (!wi || wi.operation?.id !== view.selectedId) return h('p', { class: 'muted' }, t('common.loading'));
    return h(
      'div',
      { class: 'op-instructions' },
      h('h3', {}, t('terminal.detail.instructions')),
      h('p', { class: 'op-instructions-text' }, wi.instructions || t('terminal.detail.noInstructions')),
      wi.attachments?.length
        ? h(
            'ul',
            {},
            wi.attachments.map((a) =>
              h('li', {}, h('a', { href: a.url, target: '_blank', rel: 'noopener' }, a.title)),
            ),
          )
        : null,
      wi.inspectionPoint ? h('p', { class: 'notice' }, t('terminal.detail.inspection')) : null,
      wi.parameters?.length
        ? [
            h('h3', {}, t('terminal.detail.parameters')),
            dataTable(
              'op-parameters',
              [t('terminal.param.name'), t('terminal.param.limits'), t('terminal.param.last')],
              wi.parameters,
              (p) => {
                const out = p.lastValue !== null && outOfLimits(p.lastValue, p.min, p.max);
                return {
                  key: { param: p.name, out: out ? 'true' : 'false' },
                  head: p.unit ? `${p.name} (${p.unit})` : p.name,
                  cells: [
                    { class: 'num', text: parameterLimits(p) },
                    {
                      class: out ? 'num param-out' : 'num',
                      text:
                        p.lastValue === null
                          ? '—'
                          : out
                            ? `${formatNumber(p.lastValue, { maximumFractionDigits: 6 })} ${t('terminal.readings.outFlag')}`
                            : formatNumber(p.lastValue, { maximumFractionDigits: 6 }),
                    },
                  ],
                };
              },
            ),
          ]
        : null,
      wi.materials?.length
        ? [
            h('h3', {}, t('terminal.detail.materials')),
            dataTable(
              'op-materials',
              [t('terminal.material.code'), t('terminal.material.issued'), t('terminal.material.method')],
              wi.materials,
              (m) => ({
                key: { material: m.materialCode },
                head: m.materialCode,
                cells: [
                  { class: 'num', text: `${formatNumber(m.issuedQty)} / ${formatNumber(m.requiredQty)}` },
                  tOr('issueMethod', m.issueMethod),
                ],
              }),
            ),
          ]
        : null,
      wi.consumedLots?.length
        ? [
            h('h3', {}, t('terminal.detail.lots')),
            h(
              'ul',
              { class: 'op-lots' },
              wi.consumedLots.map((lot) =>
                h('li', { dataset: { lot: lot.lotCode } }, `${lot.lotCode} · ${formatNumber(lot.quantity)}`),
              ),
            ),
          ]
        : null,
    );
  }

  // ---------- in-process inspections (IPQC) of the selected operation ----------

  /** IPQC results waiting in the queue, by inspection. */
  function pendingInspections() {
    return new Set((view.queue.items ?? []).filter((i) => i.inspectionId).map((i) => i.inspectionId));
  }

  function inspectionsOf(operationId) {
    return (view.inspections ?? []).filter((i) => i.operation?.id === operationId);
  }

  function planName(plan) {
    return locale() === 'zh-CN' && plan.nameZh ? plan.nameZh : plan.name;
  }

  function inspectionsPart(item) {
    if (view.inspectionsError && view.inspections === null) {
      const box = h('div', { class: 'op-ipqc', id: 'op-ipqc' }, h('h3', {}, t('terminal.ipqc.title')));
      const problem = h('div');
      renderProblem(problem, view.inspectionsError);
      box.append(problem);
      return box;
    }
    const mine = inspectionsOf(item.operationId);
    if (mine.length === 0) return null;
    const pending = pendingInspections();
    const tz = device.site?.timeZone;
    return h(
      'div',
      { class: 'op-ipqc', id: 'op-ipqc', dataset: { count: String(mine.length) } },
      h('h3', {}, t('terminal.ipqc.title')),
      h(
        'ul',
        { class: 'ipqc-list' },
        mine.map((i) => {
          const waiting = pending.has(i.id);
          // Due at the start (first article) is due now; a minute later it is late.
          const overdue = Date.now() - Date.parse(i.dueAt) > 60_000;
          return h(
            'li',
            {},
            h(
              'button',
              {
                type: 'button',
                class: `ipqc-item${overdue ? ' overdue' : ''}`,
                disabled: waiting,
                dataset: { inspection: i.id, status: i.status, pending: waiting ? 'true' : 'false' },
                onclick: () => void openInspection(i),
              },
              h('strong', {}, `${i.plan.code} #${i.sequenceNo}`),
              h('span', { class: 'ipqc-name' }, planName(i.plan)),
              h(
                'span',
                { class: `badge ipqc-status-${i.status}`, dataset: { field: 'status' } },
                tOr('terminal.ipqc.status', i.status),
              ),
              h(
                'span',
                { class: overdue ? 'ipqc-due overdue' : 'ipqc-due muted' },
                t(overdue ? 'terminal.ipqc.overdue' : 'terminal.ipqc.due', {
                  time: formatShortDateTime(i.dueAt, tz),
                }),
              ),
              h(
                'span',
                { class: 'ipqc-samples muted' },
                t('terminal.ipqc.samples', { count: formatNumber(i.sampleSize) }),
              ),
              waiting ? h('span', { class: 'stop-pending' }, t('terminal.ipqc.pending')) : null,
            ),
          );
        }),
      ),
    );
  }

  async function openInspection(summary) {
    const d = { kind: 'ipqc', inspection: summary, detail: null, error: null, values: {}, active: null };
    openDialog(d);
    try {
      const detail = await request(`/sites/${device.siteId}/quality/inspections/${summary.id}`, {
        token: operator.token,
      });
      if (!alive || view.dialog?.inspection?.id !== summary.id) return;
      view.dialog.detail = detail;
      view.dialog.rows = inspectionRows(detail);
      const first = view.dialog.rows.find((r) => r.input);
      view.dialog.active = first ? first.key : null;
      view.focus = first ? `ipqc-${first.index}` : 'dialog-cancel';
    } catch (error) {
      if (handleUnauthorized(error) || !alive || view.dialog?.inspection?.id !== summary.id) return;
      view.dialog.error = error;
    }
    render();
  }

  /** One row per sample still to record: variables and defect counts are typed, pass/fail is tapped. */
  function inspectionRows(detail) {
    const rows = [];
    for (const c of detail.characteristics ?? []) {
      if (!c.active) continue;
      for (const n of c.missingSamples ?? []) {
        const type = c.kind === 'variable' ? 'value' : c.attributeType === 'defect_count' ? 'count' : 'pass';
        rows.push({ key: `${c.code}|${n}`, index: rows.length, c, n, type, input: type !== 'pass' });
      }
    }
    return rows;
  }

  function ipqcBody(d) {
    if (d.error) {
      const box = h('div');
      renderProblem(box, d.error);
      return [box];
    }
    if (!d.detail) return [h('p', { class: 'muted' }, t('common.loading'))];
    const parts = [
      h(
        'p',
        { class: 'muted' },
        t('terminal.ipqc.header', {
          plan: `${d.detail.plan.code} · ${planName(d.detail.plan)}`,
          material: d.detail.material.code,
        }),
      ),
    ];
    if (d.rows.length === 0) {
      parts.push(h('p', { class: 'notice', id: 'ipqc-nothing' }, t('terminal.ipqc.nothingMissing')));
      return parts;
    }
    parts.push(
      h(
        'div',
        { class: 'measure-rows', id: 'ipqc-rows' },
        d.rows.map((row) => {
          const name = locale() === 'zh-CN' && row.c.nameZh ? row.c.nameZh : row.c.name;
          const labelParts = [
            h('strong', {}, `${row.c.code} · ${name}`),
            h('span', { class: 'muted' }, t('terminal.ipqc.sample', { n: formatNumber(row.n) })),
            row.type === 'value'
              ? h(
                  'span',
                  { class: 'muted' },
                  t('terminal.ipqc.spec', { limits: characteristicLimits(row.c) }),
                )
              : null,
          ];
          let control;
          if (row.type === 'pass') {
            const value = d.values[row.key];
            control = h(
              'div',
              { class: 'pass-fail', role: 'group', 'aria-labelledby': `ipqc-label-${row.index}` },
              ['pass', 'fail'].map((choice) =>
                h(
                  'button',
                  {
                    type: 'button',
                    class: `button pass-fail-${choice}`,
                    'aria-pressed': value === choice ? 'true' : 'false',
                    dataset: { result: choice },
                    onclick: () => {
                      d.values[row.key] = value === choice ? undefined : choice;
                      d.message = null;
                      render();
                    },
                  },
                  t(`terminal.ipqc.${choice}`),
                ),
              ),
            );
            return h(
              'div',
              { class: 'measure-row', dataset: { char: row.c.code, sample: String(row.n) } },
              h('span', { id: `ipqc-label-${row.index}`, class: 'measure-label' }, labelParts),
              control,
            );
          }
          return h(
            'div',
            {
              class: `measure-row${d.active === row.key ? ' active' : ''}`,
              dataset: { char: row.c.code, sample: String(row.n) },
            },
            h('label', { for: `ipqc-${row.index}`, class: 'measure-label' }, labelParts),
            h('input', {
              id: `ipqc-${row.index}`,
              class: 'terminal-input measure-value num',
              inputmode: row.type === 'value' ? 'decimal' : 'numeric',
              autocomplete: 'off',
              value: d.values[row.key] ?? '',
              'aria-describedby': `ipqc-flag-${row.index}`,
              onfocus: () => activate(d, row.key, `ipqc-${row.index}`),
              oninput: (e) => {
                d.values[row.key] = e.target.value.replace(row.type === 'value' ? /[^\d.-]/g : /\D/g, '');
                paintFlag(
                  `ipqc-flag-${row.index}`,
                  row.type === 'value' ? flagOf(d.values[row.key], row.c.lsl, row.c.usl) : null,
                );
              },
              onkeydown: enterConfirms,
            }),
            h(
              'span',
              { id: `ipqc-flag-${row.index}`, class: 'measure-flag' },
              ...flagContent(row.type === 'value' ? flagOf(d.values[row.key], row.c.lsl, row.c.usl) : null),
            ),
          );
        }),
      ),
    );
    if (d.rows.some((r) => r.input)) parts.push(...measuringPad(d));
    return parts;
  }

  // ---------- process readings (the operation's parameters with their limits) ----------

  function readingsBody(d) {
    const wi = view.instructions;
    const parameters = wi?.parameters ?? [];
    return [
      h(
        'div',
        { class: 'measure-rows', id: 'reading-rows' },
        parameters.map((p, i) =>
          h(
            'div',
            { class: `measure-row${d.active === i ? ' active' : ''}`, dataset: { param: p.name } },
            h(
              'label',
              { for: `reading-${i}`, class: 'measure-label' },
              h('strong', {}, p.unit ? `${p.name} (${p.unit})` : p.name),
              h('span', { class: 'muted' }, t('terminal.readings.limits', { limits: parameterLimits(p) })),
              p.lastValue !== null
                ? h(
                    'span',
                    { class: 'muted' },
                    t('terminal.readings.last', {
                      value: formatNumber(p.lastValue, { maximumFractionDigits: 6 }),
                    }),
                  )
                : null,
            ),
            h('input', {
              id: `reading-${i}`,
              class: 'terminal-input measure-value num',
              inputmode: 'decimal',
              autocomplete: 'off',
              value: d.values[i] ?? '',
              'aria-describedby': `reading-flag-${i}`,
              onfocus: () => activate(d, i, `reading-${i}`),
              oninput: (e) => {
                d.values[i] = e.target.value.replace(/[^\d.-]/g, '');
                paintFlag(`reading-flag-${i}`, flagOf(d.values[i], p.min, p.max));
              },
              onkeydown: enterConfirms,
            }),
            h(
              'span',
              { id: `reading-flag-${i}`, class: 'measure-flag' },
              ...flagContent(flagOf(d.values[i], p.min, p.max)),
            ),
          ),
        ),
      ),
      ...measuringPad(d),
    ];
  }

  /** 'out' (outside the limits), 'in', or null (nothing typed yet). */
  function flagOf(value, min, max) {
    if (!value || !isMeasured(value)) return null;
    return outOfLimits(value, min, max) ? 'out' : 'in';
  }

  function flagContent(flag) {
    if (!flag) return [];
    return [
      h(
        'span',
        { class: `badge measure-${flag}`, dataset: { flag } },
        t(flag === 'out' ? 'terminal.readings.outOfLimits' : 'terminal.readings.inLimits'),
      ),
    ];
  }

  function paintFlag(id, flag) {
    const element = document.getElementById(id);
    if (element) element.replaceChildren(...flagContent(flag));
  }

  function enterConfirms(event) {
    if (event.key === 'Enter') {
      event.preventDefault();
      void confirmDialog();
    }
  }

  /** The field the keypad types into: the one last focused. */
  function activate(d, key, inputId) {
    d.active = key;
    for (const row of main.querySelectorAll('.measure-row.active')) row.classList.remove('active');
    document.getElementById(inputId)?.closest('.measure-row')?.classList.add('active');
  }

  /** The keypad of measured values: digits, decimal point and sign, typing into the active field. */
  function measuringPad(d) {
    const press = (key) => {
      if (d.active === null || d.active === undefined) return;
      const next = decimalKey(String(d.values[d.active] ?? ''), key);
      d.values[d.active] = next;
      const id =
        d.kind === 'readings'
          ? `reading-${d.active}`
          : `ipqc-${d.rows.find((r) => r.key === d.active)?.index}`;
      const input = document.getElementById(id);
      if (input) input.value = next;
      if (d.kind === 'readings') {
        const p = view.instructions?.parameters?.[d.active];
        if (p) paintFlag(`reading-flag-${d.active}`, flagOf(next, p.min, p.max));
      } else {
        const row = d.rows.find((r) => r.key === d.active);
        if (row?.type === 'value') paintFlag(`ipqc-flag-${row.index}`, flagOf(next, row.c.lsl, row.c.usl));
      }
    };
    return [
      keypad('keypad', t('terminal.readings.keypad'), press),
      h(
        'div',
        { class: 'keypad-extra' },
        h(
          'button',
          {
            type: 'button',
            class: 'keypad-key',
            dataset: { key: '.' },
            'aria-label': t('terminal.keypad.dot'),
            onclick: () => press('.'),
          },
          '.',
        ),
        h(
          'button',
          {
            type: 'button',
            class: 'keypad-key',
            dataset: { key: '-' },
            'aria-label': t('terminal.keypad.sign'),
            onclick: () => press('-'),
          },
          '±',
        ),
      ),
    ];
  }

  // ---------- open andon calls of the work center ----------

  function canMoveAndon() {
    return operator.user.roles?.some((role) => ANDON_ROLES.includes(role)) ?? false;
  }

  function andonList() {
    let body;
    if (view.andonError && view.andon === null) {
      body = h('div', { class: 'terminal-list-error' });
      renderProblem(body, view.andonError);
    } else if (view.andon === null) body = h('p', { class: 'muted' }, t('common.loading'));
    else if (view.andon.length === 0)
      body = h('p', { class: 'muted', id: 'andon-empty' }, t('terminal.andonList.empty'));
    else {
      const tz = device.site?.timeZone;
      const pending = new Set((view.queue.items ?? []).filter((i) => i.andonId).map((i) => i.andonId));
      const allowed = canMoveAndon();
      body = h(
        'ul',
        { id: 'andon-list', class: 'andon-calls' },
        view.andon.map((call) => {
          const waiting = pending.has(call.id);
          const minutes = Math.max(0, Math.floor((Date.now() - Date.parse(call.raisedAt)) / 60_000));
          const actions = [];
          if (allowed && !waiting) {
            if (call.state === 'raised')
              actions.push(
                h(
                  'button',
                  {
                    type: 'button',
                    class: 'button',
                    dataset: { action: 'acknowledge' },
                    onclick: () => void moveAndon(call, 'acknowledge'),
                  },
                  t('terminal.andonList.acknowledge'),
                ),
              );
            actions.push(
              h(
                'button',
                {
                  type: 'button',
                  class: 'button primary',
                  dataset: { action: 'resolve' },
                  onclick: () => openDialog({ kind: 'resolve', call, note: '' }),
                },
                t('terminal.andonList.resolve'),
              ),
            );
          }
          return h(
            'li',
            {
              class: `andon-call state-${call.state}`,
              dataset: { andonId: call.id, state: call.state, kind: call.kind },
            },
            h(
              'div',
              { class: 'andon-call-head' },
              h('span', { class: `badge andon-kind andon-${call.kind}` }, t(`terminal.andon.${call.kind}`)),
              h(
                'span',
                { class: `badge andon-state-${call.state}`, dataset: { field: 'state' } },
                tOr('terminal.andonList.state', call.state),
              ),
              call.machineDown
                ? h('span', { class: 'badge danger' }, t('terminal.andonList.machineDown'))
                : null,
              h(
                'span',
                { class: 'andon-age num', dataset: { field: 'age' } },
                t('terminal.andonList.age', { minutes: formatNumber(minutes) }),
              ),
            ),
            h(
              'span',
              { class: 'andon-who', dataset: { field: 'raised' } },
              t('terminal.andonList.raised', {
                name: call.raisedBy?.name || '—',
                time: formatShortDateTime(call.raisedAt, tz),
              }),
            ),
            call.workOrderCode
              ? h(
                  'span',
                  { class: 'andon-about', dataset: { field: 'about' } },
                  t('terminal.andonList.about', { wo: call.workOrderCode, seq: call.operationSeq ?? '—' }),
                )
              : null,
            call.message ? h('span', { class: 'andon-message' }, call.message) : null,
            call.acknowledgedBy
              ? h(
                  'span',
                  { class: 'andon-ack', dataset: { field: 'acknowledged' } },
                  t('terminal.andonList.acknowledged', {
                    name: call.acknowledgedBy.name || '—',
                    time: formatShortDateTime(call.acknowledgedAt, tz),
                  }),
                )
              : null,
            waiting ? h('span', { class: 'stop-pending' }, t('terminal.andonList.pending')) : null,
            actions.length ? h('div', { class: 'andon-call-actions' }, actions) : null,
          );
        }),
      );
    }
    return h(
      'div',
      { class: 'andon-open', id: 'andon-open', dataset: { count: String(view.andon?.length ?? 0) } },
      h('h3', { id: 'andon-open-title' }, t('terminal.andonList.title')),
      body,
    );
  }

  // ---------- dialogs: keypad, reasons, confirmation ----------

  function keypad(id, label, onKey) {
    const keys = ['1', '2', '3', '4', '5', '6', '7', '8', '9', 'clear', '0', 'back'];
    return h(
      'div',
      { class: 'keypad', id, role: 'group', 'aria-label': label },
      keys.map((key) =>
        h(
          'button',
          {
            type: 'button',
            class: 'keypad-key',
            dataset: { key },
            'aria-label':
              key === 'clear' ? t('terminal.keypad.clear') : key === 'back' ? t('terminal.keypad.back') : key,
            onclick: () => onKey(key),
          },
          key === 'clear' ? 'C' : key === 'back' ? '⌫' : key,
        ),
      ),
    );
  }

  function applyKey(value, key, decimals) {
    if (key === 'clear') return '';
    if (key === 'back') return value.slice(0, -1);
    if (key === '.') return decimals && !value.includes('.') ? `${value || '0'}.` : value;
    return value === '0' ? key : value + key;
  }

  function openDialog(dialogState) {
    view.dialog = { value: '', reason: null, ...dialogState };
    if (['scrap', 'pause', 'classify'].includes(dialogState.kind)) void loadReasons();
    view.focus =
      dialogState.kind === 'readings'
        ? 'reading-0'
        : ['pause', 'complete', 'classify', 'leave', 'resolve', 'ipqc'].includes(dialogState.kind)
          ? 'dialog-cancel'
          : 'pad-value';
    render();
  }

  function closeDialog() {
    view.dialog = null;
    view.focus = 'terminal-scan';
    render();
  }

  function dialog() {
    const d = view.dialog;
    const item = selected();
    const titleKey = `terminal.dialog.${d.kind}`;
    const parts = [h('h2', { id: 'dialog-title' }, t(titleKey))];
    if (d.kind === 'classify') parts.push(h('p', { class: 'stop-summary' }, stopSummary(d.stop)));
    else if (d.kind === 'resolve')
      parts.push(
        h(
          'p',
          { class: 'muted' },
          t('terminal.andonList.raised', {
            name: d.call.raisedBy?.name || '—',
            time: formatShortDateTime(d.call.raisedAt, device.site?.timeZone),
          }),
          ` · ${t(`terminal.andon.${d.call.kind}`)}`,
        ),
      );
    else if (item)
      parts.push(h('p', { class: 'muted' }, `${item.workOrderCode} · ${item.seq} ${opName(item)}`));
    if (d.kind === 'consume')
      parts.push(h('p', { class: 'dialog-lot' }, t('terminal.dialog.lot', { lot: d.lot })));
    const needsQuantity = ['good', 'scrap', 'consume'].includes(d.kind);
    if (needsQuantity) {
      parts.push(
        h(
          'label',
          { for: 'pad-value', class: 'pad-label' },
          t('terminal.dialog.quantity'),
          h('input', {
            id: 'pad-value',
            class: 'terminal-input pad-value num',
            inputmode: 'decimal',
            autocomplete: 'off',
            value: d.value,
            oninput: (e) => (d.value = e.target.value.replace(/[^\d.]/g, '')),
            onkeydown: (e) => {
              if (e.key === 'Enter') {
                e.preventDefault();
                void confirmDialog();
              }
            },
          }),
        ),
        keypad('keypad', t('terminal.dialog.quantity'), (key) => {
          d.value = applyKey(d.value, key, true);
          const input = document.getElementById('pad-value');
          if (input) input.value = d.value;
        }),
        h(
          'button',
          {
            type: 'button',
            class: 'keypad-key keypad-dot',
            dataset: { key: '.' },
            'aria-label': t('terminal.keypad.dot'),
            onclick: () => {
              d.value = applyKey(d.value, '.', true);
              const input = document.getElementById('pad-value');
              if (input) input.value = d.value;
            },
          },
          '.',
        ),
      );
    }
    if (d.kind === 'scrap' || d.kind === 'pause' || d.kind === 'classify') {
      const list = reasonsFor(
        d.kind === 'scrap' ? ['scrap'] : d.kind === 'classify' ? DOWNTIME_CATEGORIES : PAUSE_CATEGORIES,
      );
      parts.push(
        h(
          'fieldset',
          { class: 'reason-list' },
          h('legend', {}, t('terminal.dialog.reason')),
          list === null
            ? h('p', { class: 'muted' }, t('common.loading'))
            : list.length === 0
              ? h('p', { class: 'notice' }, t('terminal.dialog.noReasons'))
              : list.map((r) =>
                  h(
                    'button',
                    {
                      type: 'button',
                      class: 'reason',
                      'aria-pressed': d.reason === r.code ? 'true' : 'false',
                      dataset: { reason: r.code },
                      onclick: () => {
                        d.reason = r.code;
                        d.message = null;
                        if (d.kind === 'pause') void confirmDialog();
                        else render();
                      },
                    },
                    h('strong', {}, r.code),
                    ' ',
                    locale() === 'zh-CN' && r.nameZh ? r.nameZh : r.name,
                  ),
                ),
        ),
      );
    }
    if (d.kind === 'classify') {
      parts.push(
        h(
          'label',
          { for: 'classify-note', class: 'pad-label' },
          t('terminal.dialog.note'),
          h('textarea', {
            id: 'classify-note',
            class: 'terminal-input classify-note',
            rows: '2',
            maxlength: '500',
            value: d.note ?? '',
            oninput: (e) => (d.note = e.target.value),
          }),
        ),
      );
    }
    if (d.kind === 'readings') parts.push(...readingsBody(d));
    if (d.kind === 'ipqc') parts.push(...ipqcBody(d));
    if (d.kind === 'leave') parts.push(h('p', {}, t('terminal.dialog.leaveBody')));
    if (d.kind === 'resolve') {
      parts.push(
        h(
          'label',
          { for: 'resolve-note', class: 'pad-label' },
          t('terminal.dialog.note'),
          h('textarea', {
            id: 'resolve-note',
            class: 'terminal-input classify-note',
            rows: '2',
            maxlength: '500',
            value: d.note ?? '',
            oninput: (e) => (d.note = e.target.value),
          }),
        ),
      );
    }
    if (d.kind === 'complete' && item) {
      parts.push(
        h(
          'p',
          {},
          t('terminal.dialog.completeBody', {
            good: formatNumber(item.goodQty),
            scrap: formatNumber(item.scrapQty),
          }),
        ),
      );
    }
    parts.push(messageBox(d.message ?? null, 'dialog-message'));
    parts.push(
      h(
        'div',
        { class: 'dialog-actions' },
        h(
          'button',
          { type: 'button', id: 'dialog-cancel', class: 'button terminal-big', onclick: closeDialog },
          t('terminal.dialog.cancel'),
        ),
        d.kind === 'pause'
          ? null
          : h(
              'button',
              {
                type: 'button',
                id: 'pad-ok',
                class: 'button primary terminal-big',
                disabled: view.busy || (d.kind === 'ipqc' && !(d.rows?.length > 0)),
                onclick: () => void confirmDialog(),
              },
              t('terminal.dialog.ok'),
            ),
      ),
    );
    return h(
      'div',
      { class: 'dialog-backdrop' },
      h(
        'div',
        {
          class: `dialog dialog-${d.kind}`,
          role: 'dialog',
          'aria-modal': 'true',
          'aria-labelledby': 'dialog-title',
          id: 'terminal-dialog',
          dataset: { kind: d.kind },
        },
        parts,
      ),
    );
  }

  async function confirmDialog() {
    const d = view.dialog;
    if (d?.kind === 'classify') return confirmClassify(d);
    if (d?.kind === 'resolve') {
      if (view.busy) return;
      view.dialog = null;
      view.focus = 'terminal-scan';
      return moveAndon(d.call, 'resolve', (d.note ?? '').trim());
    }
    if (d?.kind === 'ipqc') return confirmInspection(d);
    const item = selected();
    if (!d || !item || view.busy) return;
    if (d.kind === 'readings') return confirmReadings(d, item);
    const needsQuantity = ['good', 'scrap', 'consume'].includes(d.kind);
    if (needsQuantity && (!QUANTITY.test(d.value) || Number(d.value) <= 0)) {
      d.message = { tone: 'error', key: 'terminal.dialog.badQuantity' };
      view.focus = 'pad-value';
      return render();
    }
    if ((d.kind === 'scrap' || d.kind === 'pause') && !d.reason) {
      d.message = { tone: 'error', key: 'terminal.dialog.needReason' };
      return render();
    }
    view.dialog = null;
    view.focus = 'terminal-scan';
    if (d.kind === 'good') await command('report', item, { goodQty: d.value }, { qty: d.value });
    else if (d.kind === 'scrap')
      await command(
        'report',
        item,
        { scrapQty: d.value, scrapReasonCode: d.reason },
        { qty: d.value, reason: d.reason },
        'scrap',
      );
    else if (d.kind === 'pause') await command('pause', item, { reasonCode: d.reason }, { reason: d.reason });
    else if (d.kind === 'complete') await command('complete', item, {});
    else if (d.kind === 'leave') await command('leave', item, {});
    else if (d.kind === 'consume')
      await command('consume', item, { lot: d.lot, quantity: d.value }, { lot: d.lot, qty: d.value });
  }

  async function confirmClassify(d) {
    if (view.busy) return;
    if (!d.reason) {
      d.message = { tone: 'error', key: 'terminal.dialog.needReason' };
      return render();
    }
    view.dialog = null;
    view.focus = 'terminal-scan';
    await classifyStop(d.stop, d.reason, (d.note ?? '').trim());
  }

  async function confirmReadings(d, item) {
    const parameters = view.instructions?.parameters ?? [];
    const entries = parameters
      .map((p, i) => ({ p, value: String(d.values[i] ?? '').trim() }))
      .filter((e) => e.value !== '' && e.value !== '-');
    if (entries.length === 0) {
      d.message = { tone: 'error', key: 'terminal.readings.none' };
      view.focus = 'reading-0';
      return render();
    }
    const bad = entries.find((e) => !isMeasured(e.value));
    if (bad) {
      d.message = { tone: 'error', key: 'terminal.readings.badValue', params: { name: bad.p.name } };
      view.focus = `reading-${parameters.indexOf(bad.p)}`;
      return render();
    }
    view.dialog = null;
    view.focus = 'terminal-scan';
    const at = new Date().toISOString();
    const label = {
      key: 'terminal.did.readings',
      params: { wo: item.workOrderCode, seq: item.seq, count: entries.length },
    };
    await sendAction(
      {
        path: `/terminal/operations/${item.operationId}/readings`,
        // Measured now: a reading sent later (offline) keeps the time it was taken.
        body: {
          readings: entries.map((e) => ({
            name: e.p.name,
            value: Number(e.value),
            ...(e.p.unit ? { unit: e.p.unit } : {}),
            at,
          })),
        },
        label,
        operationId: item.operationId,
      },
      (data) => {
        view.message = readingsMessage(label, data);
        void loadInstructions();
      },
    );
  }

  /** What the server said of readings: the ones outside their limits are named. */
  function readingsMessage(label, data) {
    const out = (data?.readings ?? []).filter((r) => r.inRange === false);
    if (out.length === 0) return { tone: 'ok', key: label.key, params: label.params };
    return {
      tone: 'warning',
      key: 'terminal.readings.flagged',
      params: {
        action: label,
        list: out
          .map(
            (r) =>
              `${r.name} ${formatNumber(r.value, { maximumFractionDigits: 6 })}${r.unit ? ` ${r.unit}` : ''}`,
          )
          .join(t('list.separator')),
      },
    };
  }

  async function confirmInspection(d) {
    if (view.busy || !d.detail) return;
    const results = [];
    for (const row of d.rows ?? []) {
      const raw = d.values[row.key];
      if (raw === undefined || raw === '' || raw === '-') continue;
      if (row.type === 'pass')
        results.push({ characteristic: row.c.code, sampleNo: row.n, passed: raw === 'pass' });
      else if (row.type === 'count') {
        if (!/^\d{1,6}$/.test(raw)) return badResult(d, row);
        results.push({ characteristic: row.c.code, sampleNo: row.n, defectCount: Number(raw) });
      } else {
        if (!isMeasured(raw)) return badResult(d, row);
        results.push({ characteristic: row.c.code, sampleNo: row.n, value: raw });
      }
    }
    if (results.length === 0) {
      d.message = { tone: 'error', key: 'terminal.ipqc.none' };
      return render();
    }
    view.dialog = null;
    view.focus = 'terminal-scan';
    const i = d.inspection;
    const label = {
      key: 'terminal.did.ipqc',
      params: { inspection: `${i.plan.code} #${i.sequenceNo}`, count: results.length },
    };
    await sendAction(
      {
        path: `/sites/${device.siteId}/quality/inspections/${i.id}/results`,
        body: { results },
        label,
        inspectionId: i.id,
        operationId: i.operation?.id ?? null,
      },
      (data) => {
        view.message = inspectionMessage(label, data);
        refreshInspections(true);
      },
    );
  }

  function badResult(d, row) {
    d.message = {
      tone: 'error',
      key: 'terminal.ipqc.badValue',
      params: { characteristic: row.c.code, n: row.n },
    };
    view.focus = `ipqc-${row.index}`;
    return render();
  }

  /** What the inspection's results say: out of spec (and the NCR), passed, or still in progress. */
  function inspectionMessage(label, data) {
    const out = data?.outOfSpec ?? [];
    if (out.length > 0)
      return {
        tone: 'warning',
        key: data.status === 'failed' ? 'terminal.ipqc.failed' : 'terminal.ipqc.outOfSpec',
        params: {
          action: label,
          list: out.map((f) => `${f.characteristicCode} #${f.sampleNo}`).join(t('list.separator')),
        },
      };
    if (data?.status === 'passed')
      return { tone: 'ok', key: 'terminal.ipqc.passed', params: { action: label } };
    return { tone: 'ok', key: label.key, params: label.params };
  }

  async function moveAndon(call, verb, note = '') {
    const label = {
      key: verb === 'acknowledge' ? 'terminal.did.andonAck' : 'terminal.did.andonResolve',
      params: { kind: { key: `terminal.andon.${call.kind}` } },
    };
    await sendAction(
      {
        path: `/terminal/andon/${call.id}/${verb}`,
        body: note ? { note } : {},
        label,
        andonId: call.id,
      },
      () => refreshAndon(true),
      () => refreshAndon(true),
    );
  }

  /** One action through the queue: sent now (onSent with the answer), or kept for later; a refusal is shown. */
  async function sendAction(action, onSent, onRefused) {
    view.busy = true;
    view.message = null;
    render();
    try {
      const result = await queue.send({
        key: newKey(),
        userId: operator.user.id,
        token: operator.token,
        ...action,
      });
      if (result.status === 'sent') {
        view.message = { tone: 'ok', key: action.label.key, params: action.label.params };
        onSent?.(result.data);
      } else view.message = { tone: 'warning', key: 'terminal.queued', params: { action: action.label } };
    } catch (error) {
      if (!handleUnauthorized(error)) {
        view.message = { tone: 'error', key: 'terminal.failed', params: { action: action.label }, error };
        onRefused?.(error);
      }
    } finally {
      view.busy = false;
      render();
    }
  }

  function reasonsFor(categories) {
    const all = view.reasons?.siteId === device.siteId ? view.reasons.items : null;
    if (!all) return null;
    return all.filter((r) => categories.includes(r.category));
  }

  async function loadReasons() {
    if (view.reasons?.siteId === device.siteId && Date.now() - (view.reasons.at ?? 0) < 5 * 60_000) return;
    try {
      const pages = await Promise.all(
        ['scrap', ...PAUSE_CATEGORIES].map((category) =>
          request(`/sites/${device.siteId}/reason-codes`, {
            token: operator.token,
            query: { category, active: 'true', limit: 200, sort: 'code' },
          }),
        ),
      );
      view.reasons = { siteId: device.siteId, at: Date.now(), items: pages.flatMap((p) => p.items ?? []) };
      writeJson(localStorage, REASONS_KEY, view.reasons);
    } catch (error) {
      if (handleUnauthorized(error)) return;
      // Offline: the reasons read last time (if any) stay.
      if (view.reasons?.siteId !== device.siteId) view.reasons = { siteId: device.siteId, at: 0, items: [] };
    }
    if (view.dialog) render();
  }

  // ---------- commands ----------

  /** Labels of actions kept in the queue: a key and its parameters, written in the language of the moment. */
  function labelOf(label) {
    return label && typeof label === 'object' ? t(label.key, resolve(label.params)) : String(label ?? '');
  }

  /** Message parameters that are labels themselves (`{key, params}`) are written at painting time. */
  function resolve(params) {
    if (!params) return params;
    return Object.fromEntries(
      Object.entries(params).map(([name, value]) => [
        name,
        value && typeof value === 'object' && typeof value.key === 'string' ? labelOf(value) : value,
      ]),
    );
  }

  async function command(verb, item, body = {}, params = {}, variant = verb) {
    const label = {
      key: `terminal.did.${variant}`,
      params: { wo: item.workOrderCode, seq: item.seq, ...params },
    };
    view.busy = true;
    view.message = null;
    render();
    try {
      const result = await queue.send({
        key: newKey(),
        path: `/terminal/operations/${item.operationId}/${verb}`,
        body,
        label,
        userId: operator.user.id,
        token: operator.token,
        operationId: item.operationId,
      });
      view.message =
        result.status === 'sent'
          ? { tone: 'ok', key: label.key, params: label.params }
          : { tone: 'warning', key: 'terminal.queued', params: { action: label } };
      if (result.status === 'sent') {
        refreshList(true);
        if (verb !== 'pause') refreshInspections();
        await loadInstructions();
      }
    } catch (error) {
      if (!handleUnauthorized(error))
        view.message = { tone: 'error', key: 'terminal.failed', params: { action: label }, error };
    } finally {
      view.busy = false;
      render();
    }
  }

  /** Names the reason of a machine-reported stop; queued with its key while the network is away. */
  async function classifyStop(stop, reasonCode, note) {
    const label = {
      key: 'terminal.did.classify',
      params: { machine: machineOf(stop).code, reason: reasonCode },
    };
    view.busy = true;
    view.message = null;
    render();
    try {
      const result = await queue.send({
        key: newKey(),
        path: `/sites/${device.siteId}/downtime/${stop.id}/classify`,
        body: { reasonCode, ...(note ? { note } : {}) },
        label,
        userId: operator.user.id,
        token: operator.token,
        downtimeId: stop.id,
      });
      view.message =
        result.status === 'sent'
          ? { tone: 'ok', key: label.key, params: label.params }
          : { tone: 'warning', key: 'terminal.queued', params: { action: label } };
      if (result.status === 'sent') {
        view.stops = (view.stops ?? []).filter((s) => s.id !== stop.id);
        refreshStops(true);
      }
    } catch (error) {
      if (!handleUnauthorized(error)) {
        view.message = { tone: 'error', key: 'terminal.failed', params: { action: label }, error };
        // Classified meanwhile (elsewhere, or twice): the list tells what is left.
        refreshStops(true);
      }
    } finally {
      view.busy = false;
      render();
    }
  }

  async function raiseAndon(kind) {
    const item = selected();
    const label = { key: 'terminal.did.andon', params: { kind: { key: `terminal.andon.${kind}` } } };
    try {
      const result = await queue.send({
        key: newKey(),
        path: '/terminal/andon',
        body: {
          kind,
          workCenterId: device.workCenter.id,
          ...(item && item.state !== 'completed' ? { operationId: item.operationId } : {}),
        },
        label,
        userId: operator.user.id,
        token: operator.token,
      });
      view.message =
        result.status === 'sent'
          ? { tone: 'ok', key: label.key, params: label.params }
          : { tone: 'warning', key: 'terminal.queued', params: { action: label } };
      if (result.status === 'sent') refreshAndon(true);
    } catch (error) {
      if (!handleUnauthorized(error))
        view.message = { tone: 'error', key: 'terminal.failed', params: { action: label }, error };
    }
    render();
  }

  // ---------- scanning ----------

  function submitScan(event) {
    event.preventDefault();
    const code = view.scan.trim();
    view.scan = '';
    handleScan(code);
  }

  /** A work order code selects its operation here; anything else is a lot for the selected operation. */
  function handleScan(raw) {
    const code = raw.trim();
    if (!code) return render();
    const match = (view.items ?? []).find((i) => i.workOrderCode.toLowerCase() === code.toLowerCase());
    if (match) {
      view.message = {
        tone: 'ok',
        key: 'terminal.scan.selected',
        params: { wo: match.workOrderCode, seq: match.seq },
      };
      select(match.operationId);
      return;
    }
    const item = selected();
    if (!item || item.state !== 'running') {
      view.message = { tone: 'error', key: 'terminal.scan.noOperation', params: { code } };
      view.focus = 'terminal-scan';
      return render();
    }
    openDialog({ kind: 'consume', lot: code });
  }

  /** Scanner input while no field has the focus: fast keys ending in Enter are a scan. */
  function onKeydown(event) {
    if (view.screen !== 'work' || view.dialog) {
      if (view.dialog && event.key === 'Escape') closeDialog();
      return;
    }
    const target = event.target;
    if (
      target instanceof HTMLInputElement ||
      target instanceof HTMLSelectElement ||
      target instanceof HTMLTextAreaElement
    )
      return;
    const now = Date.now();
    if (event.key === 'Enter') {
      const scanned = wedge.buffer;
      wedge = { buffer: '', at: 0 };
      if (scanned.length >= 3) {
        event.preventDefault();
        handleScan(scanned);
      }
      return;
    }
    if (event.key.length !== 1 || event.ctrlKey || event.metaKey || event.altKey) return;
    wedge = { buffer: now - wedge.at <= SCANNER_KEY_GAP_MS ? wedge.buffer + event.key : event.key, at: now };
  }

  // ---------- data ----------

  function select(operationId) {
    view.selectedId = operationId;
    view.instructions = view.instructions?.operation?.id === operationId ? view.instructions : null;
    view.instructionsError = null;
    render();
    void loadInstructions();
  }

  async function loadInstructions() {
    const id = view.selectedId;
    if (!id || !operator) return;
    try {
      const wi = await request(`/terminal/operations/${id}/work-instructions`, { token: operator.token });
      if (!alive || view.selectedId !== id) return;
      view.instructions = wi;
      view.instructionsError = null;
    } catch (error) {
      if (handleUnauthorized(error) || !alive || view.selectedId !== id) return;
      view.instructionsError = error;
    }
    if (view.screen === 'work') render();
  }

  let listInFlight = false;
  let listAgain = false;
  async function loadList() {
    if (!operator || view.screen !== 'work') return;
    void loadInspections();
    if (listInFlight) {
      listAgain = true;
      return;
    }
    listInFlight = true;
    try {
      const items = await request('/terminal/dispatch', {
        token: operator.token,
        query: { workCenterId: device.workCenter.id, siteId: device.siteId },
      });
      if (!alive) return;
      view.items = items;
      view.listError = null;
    } catch (error) {
      if (handleUnauthorized(error) || !alive) return;
      view.listError = error;
    } finally {
      listInFlight = false;
    }
    if (view.screen === 'work') render();
    if (listAgain) {
      listAgain = false;
      void loadList();
    }
  }

  function refreshList(immediately = false) {
    if (immediately) {
      clearTimeout(timers.coalesce);
      timers.coalesce = null;
      void loadList();
      return;
    }
    timers.coalesce ??= setTimeout(() => {
      timers.coalesce = null;
      void loadList();
    }, COALESCE_MS);
  }

  let stopsInFlight = false;
  let stopsAgain = false;
  /** The work center's unclassified stops (the site's list, kept to this work center), and its machines once. */
  async function loadStops() {
    if (!operator || view.screen !== 'work') return;
    if (stopsInFlight) {
      stopsAgain = true;
      return;
    }
    stopsInFlight = true;
    try {
      const [stops] = await Promise.all([
        request(`/sites/${device.siteId}/downtime`, {
          token: operator.token,
          query: { unclassified: 'true' },
        }),
        view.equipment ? null : loadEquipment(),
      ]);
      if (!alive) return;
      view.stops = (stops ?? []).filter(
        (stop) => stop.workCenterId === device.workCenter.id && !stop.reasonCodeId,
      );
      view.stopsError = null;
    } catch (error) {
      if (handleUnauthorized(error) || !alive) return;
      // Offline: the stops read last time stay.
      view.stopsError = error;
    } finally {
      stopsInFlight = false;
    }
    if (view.screen === 'work') render();
    if (stopsAgain) {
      stopsAgain = false;
      void loadStops();
    }
  }

  async function loadEquipment() {
    try {
      const page = await request(`/sites/${device.siteId}/equipment`, {
        token: operator.token,
        query: { workCenterId: device.workCenter.id, limit: 200, sort: 'code' },
      });
      view.equipment = Object.fromEntries(
        (page.items ?? []).map((eq) => [eq.id, { code: eq.code, name: eq.name, nameZh: eq.nameZh }]),
      );
    } catch (error) {
      if (handleUnauthorized(error)) throw error;
      // Without the machines' names a stop shows the machine's id; read again with the next list.
    }
  }

  function refreshStops(immediately = false) {
    if (immediately) {
      clearTimeout(timers.stops);
      timers.stops = null;
      void loadStops();
      return;
    }
    timers.stops ??= setTimeout(() => {
      timers.stops = null;
      void loadStops();
    }, COALESCE_MS);
  }

  const listsInFlight = new Set();
  /**
   * Reads one of the work center's lists into `view[name]` (its error into `view[name + 'Error']`) and paints the
   * work screen when it changed. One read per list at a time; offline, the list read last time stays.
   */
  async function loadWorkCenterList(name, read) {
    if (!operator || view.screen !== 'work' || listsInFlight.has(name)) return;
    listsInFlight.add(name);
    try {
      const items = await read();
      if (!alive) return;
      const same = view[name] !== null && JSON.stringify(view[name]) === JSON.stringify(items);
      view[name] = items;
      view[`${name}Error`] = null;
      // An unchanged list is painted again only for its ages (the periodic read does that).
      if (same) return;
    } catch (error) {
      if (handleUnauthorized(error) || !alive) return;
      view[`${name}Error`] = error;
    } finally {
      listsInFlight.delete(name);
    }
    if (view.screen === 'work' && !view.dialog) render();
  }

  function loadAndon() {
    return loadWorkCenterList('andon', async () => {
      const calls = await request('/terminal/andon', {
        token: operator.token,
        query: { workCenterId: device.workCenter.id },
      });
      return calls ?? [];
    });
  }

  function refreshAndon(immediately = false) {
    clearTimeout(timers.andon);
    timers.andon = setTimeout(
      () => {
        timers.andon = null;
        void loadAndon();
      },
      immediately ? 0 : COALESCE_MS,
    );
  }

  /** The work center's IPQC inspections still open; the detail panel shows those of the selected operation. */
  function loadInspections() {
    return loadWorkCenterList('inspections', async () => {
      const page = await request(`/sites/${device.siteId}/quality/inspections`, {
        token: operator.token,
        query: { workCenter: device.workCenter.id, type: 'ipqc', status: 'pending,in_progress', limit: 200 },
      });
      return page.items ?? [];
    });
  }

  /** Inspections fall due just after a report or a start commits: read now and once more a moment later. */
  function refreshInspections(immediately = false) {
    clearTimeout(timers.inspections);
    if (immediately) void loadInspections();
    timers.inspections = setTimeout(() => {
      timers.inspections = null;
      void loadInspections();
    }, 1500);
  }

  /** The server's word on this terminal's work center (registrations that kept it only in this browser go on). */
  async function syncIdentity() {
    if (!operator) return;
    try {
      const identity = await request('/terminal/whoami', { token: operator.token });
      if (!alive || !operator) return;
      const before = device.workCenter.id;
      adoptWorkCenter(identity.workCenter);
      if (device.workCenter.id !== before && view.screen === 'work') {
        closeLive();
        openLive();
        refreshList(true);
        refreshStops(true);
        refreshAndon(true);
        if (!view.dialog) render();
      }
    } catch (error) {
      handleUnauthorized(error);
      // Offline: the work center remembered here stays.
    }
  }

  /** A refused token: the operator signs in again (queued actions stay and are sent with their own token). */
  function handleUnauthorized(error) {
    if (!(error instanceof ApiError) || error.status !== 401) return false;
    signOutOperator();
    view.badge.message = { tone: 'warning', key: 'terminal.badge.expired' };
    show('badge');
    return true;
  }

  // ---------- live ----------

  function openLive() {
    if (live || !operator || !view.online) return;
    live = connectShopFloor(operator.token);
    const room = `workcenter:${device.workCenter.id}`;
    live.subscribe([room]);
    const paintLive = () => {
      const element = main.querySelector('#terminal-live');
      if (!element || !live) return;
      const status = live.status();
      element.className = `live-status ${status}`;
      element.textContent = t(`live.${status}`);
      element.dataset.rooms = live.joinedRooms().join(' ');
    };
    const ours = (data) => !data?.workCenterId || data.workCenterId === device.workCenter.id;
    liveRemovers = [
      live.onStatus(paintLive),
      live.on('joined', (rooms) => {
        paintLive();
        if (rooms.includes(room)) {
          refreshList();
          refreshStops();
          refreshAndon();
        }
      }),
      live.on('resync', () => {
        refreshList();
        refreshStops();
        refreshAndon();
      }),
      live.on('downtime.changed', (data) => {
        if (!ours(data)) return;
        refreshStops();
        // A machine down holds its operations (waiting reason), and its return frees them.
        refreshList();
      }),
      live.on('operation.progress', (data) => {
        if (!ours(data)) return;
        refreshList();
        if (data?.operationId && data.operationId === view.selectedId) void loadInstructions();
      }),
      live.on('andon', (data) => {
        if (!ours(data)) return;
        refreshList();
        refreshAndon();
      }),
      live.on('workorder.status', (data) => {
        if (!data?.siteId || data.siteId === device.siteId) refreshList();
      }),
    ];
  }

  function closeLive() {
    for (const remove of liveRemovers) remove();
    liveRemovers = [];
    live?.close();
    live = null;
  }

  // The connection is closed while the browser is offline (no reconnection attempts into the void).
  function onOffline() {
    view.online = false;
    closeLive();
    paintQueue();
    const element = main.querySelector('#terminal-live');
    if (element) {
      element.className = 'live-status offline';
      element.textContent = t('live.offline');
    }
  }

  function onOnline() {
    view.online = true;
    paintQueue();
    if (view.screen === 'work') {
      openLive();
      refreshList(true);
      refreshStops(true);
      refreshAndon(true);
    }
  }

  // ---------- screens ----------

  function show(screen) {
    view.screen = screen;
    view.message = screen === 'work' ? view.message : null;
    if (screen === 'work') {
      openLive();
      clearInterval(timers.periodic);
      timers.periodic = setInterval(() => {
        if (!view.online) return;
        refreshList();
        refreshStops();
        refreshAndon();
      }, REFRESH_EVERY_MS);
      view.focus = 'terminal-scan';
      render();
      refreshList(true);
      refreshStops(true);
      refreshAndon(true);
      void syncIdentity();
      void loadReasons();
      void queue.flush();
      return;
    }
    closeLive();
    clearInterval(timers.periodic);
    view.focus = screen === 'badge' ? 'badge-code' : 'setup-username';
    render();
  }

  function signOutOperator() {
    operator = null;
    writeJson(sessionStorage, OPERATOR_KEY, null);
    view.items = null;
    view.stops = null;
    view.stopsError = null;
    view.equipment = null;
    view.andon = null;
    view.andonError = null;
    view.inspections = null;
    view.inspectionsError = null;
    view.selectedId = null;
    view.instructions = null;
    view.dialog = null;
    closeLive();
  }

  function signOut() {
    signOutOperator();
    show('badge');
  }

  window.addEventListener('keydown', onKeydown);
  window.addEventListener('online', onOnline);
  window.addEventListener('offline', onOffline);
  view.queue = queue.state();
  show(view.screen);

  return {
    unmount() {
      alive = false;
      queue.close();
      closeLive();
      clearTimeout(timers.coalesce);
      clearTimeout(timers.stops);
      clearTimeout(timers.andon);
      clearTimeout(timers.inspections);
      clearInterval(timers.periodic);
      window.removeEventListener('keydown', onKeydown);
      window.removeEventListener('online', onOnline);
      window.removeEventListener('offline', onOffline);
    },
    relabel: render,
  };
}
