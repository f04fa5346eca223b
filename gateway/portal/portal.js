/* ocrgate license portal: a page over the admin-key calls of API.md (usage, apps, analytics).
 * No framework and no inline code (the page is served with a strict CSP). The admin key lives in memory and in
 * sessionStorage of this tab only; it never goes into a URL or localStorage. */
'use strict';

(function () {
  const STORE = 'ocrgate.portal';
  const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
  const NOT_ACCEPTED = 'License ID or admin key not accepted';
  const HOUR = 3600e3, DAY = 24 * HOUR;
  const RANGES = {
    '24h': { granularity: 'hour', step: HOUR, count: 24, label: 'last 24 hours' },
    '7d': { granularity: 'hour', step: HOUR, count: 168, label: 'last 7 days' },
    '30d': { granularity: 'day', step: DAY, count: 30, label: 'last 30 days' },
  };

  let cred = null;            // {licenseId, key}
  let apps = [];
  const rowMode = new Map();  // appId -> 'rename' | 'delete'
  let current = null;         // app shown in the analytics panel
  let range = '24h';
  let analyticsSeq = 0;

  const $ = (id) => document.getElementById(id);

  function el(tag, props, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (k === 'text') e.textContent = v;
      else if (k === 'class') e.className = v;
      else if (k.startsWith('data-') || k.startsWith('aria-')) e.setAttribute(k, v);
      else e[k] = v;
    }
    for (const c of children) if (c != null) e.append(c);
    return e;
  }

  function show(node, on) { node.hidden = !on; }

  function setError(node, msg) {
    node.textContent = msg || '';
    show(node, !!msg);
  }

  /* ---------- API ---------- */

  class ApiError extends Error {
    constructor(status, code, message, body) {
      super(message || code || ('HTTP ' + status));
      this.status = status;
      this.code = code || '';
      this.body = body || {};
    }
  }

  /* One request of the portal. `headers` carry the credentials (never the URL); `body` is sent as JSON unless
   * it is FormData; `raw` returns the Response of a 2xx instead of its JSON. Non-2xx answers throw ApiError
   * with the API's own message. */
  async function request(headers, method, path, body, raw) {
    headers = Object.assign({ 'Accept': raw ? '*/*' : 'application/json' }, headers);
    const init = { method, headers, cache: 'no-store', credentials: 'omit', redirect: 'error' };
    if (body instanceof FormData) {
      init.body = body;
    } else if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let res;
    try {
      res = await fetch(path, init);
    } catch (e) {
      throw new ApiError(0, 'NetworkError', 'The service cannot be reached. Check your connection and try again.');
    }
    if (res.ok && raw) return res;
    let data = null;
    if (res.status !== 204) {
      try { data = await res.json(); } catch (e) { data = null; }
    }
    if (!res.ok) {
      const d = data || {};
      let msg = d.message || ('The service answered ' + res.status);
      if (Array.isArray(d.errorDetails) && d.errorDetails.length)
        msg += ': ' + d.errorDetails.map((x) => (x.field ? x.field + ': ' : '') + (x.message || '')).join('; ');
      if (res.status === 429 || res.status === 503) {
        const ra = res.headers.get('Retry-After');
        if (ra) msg += ' (try again in ' + ra + ' s)';
      }
      throw new ApiError(res.status, d.errorCode, msg, d);
    }
    if (res.status === 202) return { pending: true, data };
    return data;
  }

  /* License-admin calls: the admin key. */
  function api(method, path, body) {
    return request({ 'X-License-Id': cred.licenseId, 'Authorization': 'Bearer ' + cred.key }, method, path, body);
  }

  /* Tenant calls of one app (Try it, Jobs): License ID + App ID. Their 401s (a disabled app) are shown where the
   * call was made; they do not end the session. */
  function tapi(appId, method, path, body, raw) {
    return request({ 'X-License-Id': cred.licenseId, 'X-App-Id': appId }, method, path, body, raw);
  }

  /* A 401 ends the session (or moves it to the license's region). Returns true when handled. */
  function handleAuth(err) {
    if (!(err instanceof ApiError) || err.status !== 401) return false;
    if (err.code === 'WrongRegion') {
      goToRegion(err.body);
      return true;
    }
    const msg = err.code === 'LicenseInactive' ? 'This license is not active: ' + err.message : NOT_ACCEPTED;
    signOut(msg);
    return true;
  }

  function goToRegion(body) {
    const licenseId = cred ? cred.licenseId : '';
    let url = null;
    try {
      url = new URL(String(body.endpoint || '').replace(/\/+$/, '') + '/portal/');
    } catch (e) { url = null; }
    if (!url || url.protocol !== 'https:' || url.origin === location.origin) {
      signOut('This license is processed in region ' + (body.processingRegion || '?') +
              ', but its portal address is not known. Contact support.');
      return;
    }
    // Only the License ID travels, in the fragment (never sent to a server); the key stays behind and is forgotten.
    url.hash = 'license=' + encodeURIComponent(licenseId) + '&region=' + encodeURIComponent(body.processingRegion || '');
    forget();
    location.assign(url.href);
  }

  /* ---------- session ---------- */

  function remember(c) {
    cred = c;
    try { sessionStorage.setItem(STORE, JSON.stringify(c)); } catch (e) { /* memory only */ }
  }

  function forget() {
    cred = null;
    try { sessionStorage.removeItem(STORE); } catch (e) { /* nothing stored */ }
  }

  function signOut(message) {
    forget();
    apps = [];
    current = null;
    rowMode.clear();
    $('apps-body').replaceChildren();
    resetTools();
    show($('dashboard'), false);
    show($('analytics'), false);
    show($('who'), false);
    show($('signin'), true);
    $('admin-key').value = '';
    setError($('signin-error'), message || '');
    $(message ? 'admin-key' : 'license-id').focus();
  }

  /* Forgets everything the tools showed: nothing of one session stays on the page for the next. */
  function resetTools() {
    ++trySeq; ++jobsSeq; ++detailSeq; ++hooksSeq;
    workApp = null; preparedFor = null; formats = null; languages = null; tryFile = null; detail = null;
    hooks = []; hookMode.clear(); deliveriesOf = null;
    for (const id of ['try-page-list', 'try-downloads', 'try-pages-view', 'jobs-body', 'wh-body', 'whd-body'])
      $(id).replaceChildren();
    for (const id of ['try-progress', 'job-detail', 'wh-deliveries', 'wh-secret', 'key-new', 'key-confirm']) show($(id), false);
    $('key-value').value = '';
    $('wh-secret-value').value = '';
    $('try-form').reset();
    chooseFile(null);
    selectTab('overview');
  }

  async function signIn(ev) {
    ev.preventDefault();
    const licenseId = $('license-id').value.trim();
    const key = $('admin-key').value.trim();
    setError($('signin-error'), '');
    show($('signin-notice'), false);
    if (!licenseId || !key) {
      setError($('signin-error'), 'Enter your License ID and admin key.');
      return;
    }
    if (!UUID.test(licenseId) || !/^[\x21-\x7e]+$/.test(key)) {
      setError($('signin-error'), NOT_ACCEPTED);
      return;
    }
    const btn = $('signin-submit');
    btn.disabled = true;
    cred = { licenseId, key };
    try {
      const usage = await api('GET', '/v1/usage');
      remember(cred);
      $('admin-key').value = '';
      enterDashboard(usage);
    } catch (err) {
      if (!handleAuth(err)) {
        cred = null;
        setError($('signin-error'), err.message);
      }
    } finally {
      btn.disabled = false;
    }
  }

  function enterDashboard(usage) {
    show($('signin'), false);
    show($('dashboard'), true);
    show($('who'), true);
    $('who-license').textContent = cred.licenseId;
    setError($('banner'), '');
    if (usage) renderUsage(usage); else loadUsage();
    loadApps();
  }

  /* ---------- formatting ---------- */

  const pad = (n) => String(n).padStart(2, '0');

  function fmtTime(iso, withDate = true) {
    const d = new Date(iso);
    if (isNaN(d)) return '—';
    const t = pad(d.getUTCHours()) + ':' + pad(d.getUTCMinutes());
    return (withDate ? d.getUTCFullYear() + '-' + pad(d.getUTCMonth() + 1) + '-' + pad(d.getUTCDate()) + ' ' : '') + t + ' UTC';
  }

  function fmtNum(v) {
    if (v == null || isNaN(v)) return '—';
    return Number(v).toLocaleString('en-US', { maximumFractionDigits: 1 });
  }

  function fmtCompact(v) {
    if (v >= 1e6) return (v / 1e6).toFixed(v >= 1e7 ? 0 : 1).replace(/\.0$/, '') + 'M';
    if (v >= 1e3) return (v / 1e3).toFixed(v >= 1e4 ? 0 : 1).replace(/\.0$/, '') + 'k';
    return String(Math.round(v * 10) / 10);
  }

  function fmtBytes(v) {
    if (v == null) return '—';
    const u = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let i = 0;
    while (v >= 1024 && i < u.length - 1) { v /= 1024; i++; }
    return (i ? v.toFixed(1) : String(v)) + ' ' + u[i];
  }

  function fmtMs(v) {
    if (v == null) return '—';
    return v >= 10000 ? (v / 1000).toFixed(1) + ' s' : fmtNum(Math.round(v)) + ' ms';
  }

  /* ---------- usage ---------- */

  function renderUsage(u) {
    $('region').textContent = u.processingRegion || '—';
    $('tier').textContent = u.tier || '—';
    $('license').textContent = u.licenseId || cred.licenseId;
    $('quota-limit').textContent = fmtNum(u.limit);
    $('quota-used').textContent = fmtNum(u.used);
    $('quota-remaining').textContent = fmtNum(u.remaining);
    $('quota-window').textContent = fmtTime(u.windowStart, false) + ' – ' + fmtTime(u.resetsAt, false);
    $('quota-resets').textContent = fmtTime(u.resetsAt);
    const bar = $('quota-bar');
    bar.max = Math.max(1, u.limit || 0);
    bar.value = Math.min(bar.max, u.used || 0);
    bar.classList.toggle('full', u.remaining === 0);
  }

  async function loadUsage() {
    try {
      renderUsage(await api('GET', '/v1/usage'));
    } catch (err) {
      if (!handleAuth(err)) setError($('banner'), 'Quota: ' + err.message);
    }
  }

  /* ---------- apps ---------- */

  async function loadApps() {
    try {
      const data = await api('GET', '/v1/apps');
      apps = (data && data.apps) || [];
      setError($('apps-error'), '');
      renderApps();
    } catch (err) {
      if (!handleAuth(err)) setError($('apps-error'), 'Apps: ' + err.message);
    }
  }

  function button(text, action, appId, cls) {
    return el('button', { type: 'button', text, class: cls || 'small', 'data-action': action, 'data-app-id': appId });
  }

  function renderApps() {
    const body = $('apps-body');
    body.replaceChildren();
    for (const a of apps) {
      const mode = rowMode.get(a.appId);
      const tr = el('tr', { 'data-app-id': a.appId, class: a.enabled ? '' : 'off' });
      let nameCell;
      if (mode === 'rename') {
        const input = el('input', { value: a.name, maxLength: 256, class: 'rename-input', 'aria-label': 'New name for ' + a.name });
        const form = el('form', { class: 'inline', 'data-app-id': a.appId, 'data-action': 'rename-form' },
          input, button('Save', 'rename-save', a.appId), button('Cancel', 'cancel', a.appId, 'small quiet'));
        form.addEventListener('submit', (ev) => { ev.preventDefault(); renameApp(a.appId, input.value); });
        nameCell = el('td', { class: 'name' }, form);
        setTimeout(() => { input.focus(); input.select(); }, 0);
      } else {
        nameCell = el('td', { class: 'name', text: a.name });
      }
      tr.append(
        nameCell,
        el('td', { class: 'mono id', text: a.appId }),
        el('td', {}, el('span', { class: 'badge ' + (a.enabled ? 'on' : 'off'), text: a.enabled ? 'enabled' : 'disabled' })),
        el('td', { class: 'when', text: fmtTime(a.createdAt) }));
      const actions = el('td', { class: 'actions' });
      if (mode === 'delete') {
        actions.append(el('span', { class: 'confirm', text: 'Delete this app? Its calls will be refused. ' }),
          button('Delete app', 'delete-confirm', a.appId, 'small danger'), button('Cancel', 'cancel', a.appId, 'small quiet'));
      } else {
        actions.append(button('Analytics', 'analytics', a.appId),
          mode === 'rename' ? null : button('Rename', 'rename', a.appId),
          button(a.enabled ? 'Disable' : 'Enable', a.enabled ? 'disable' : 'enable', a.appId),
          button('Delete', 'delete', a.appId, 'small danger-outline'));
      }
      tr.append(actions);
      if (current && current.appId === a.appId) tr.classList.add('selected');
      body.append(tr);
    }
    show($('apps-empty'), apps.length === 0);
    fillPickers();
  }

  function replaceApp(app) {
    const i = apps.findIndex((x) => x.appId === app.appId);
    if (i >= 0) apps[i] = app; else apps.push(app);
    if (current && current.appId === app.appId) {
      current = app;
      $('an-app').textContent = app.name;
    }
  }

  async function appCall(fn) {
    setError($('apps-error'), '');
    try {
      await fn();
    } catch (err) {
      if (handleAuth(err)) return;
      if (err.status === 404) {
        setError($('apps-error'), 'That app no longer exists.');
        loadApps();
      } else {
        setError($('apps-error'), err.message);
      }
    }
    renderApps();
  }

  async function createApp(ev) {
    ev.preventDefault();
    const input = $('new-app-name');
    const name = input.value.trim();
    if (!name) {
      setError($('apps-error'), 'Give the new app a name.');
      return;
    }
    const btn = $('create-app');
    btn.disabled = true;
    await appCall(async () => {
      replaceApp(await api('POST', '/v1/apps', { name }));
      input.value = '';
    });
    btn.disabled = false;
  }

  async function renameApp(appId, name) {
    name = name.trim();
    if (!name) {
      setError($('apps-error'), 'The name cannot be empty.');
      return;
    }
    await appCall(async () => {
      replaceApp(await api('PATCH', '/v1/apps/' + encodeURIComponent(appId), { name }));
      rowMode.delete(appId);
    });
  }

  async function setEnabled(appId, enabled) {
    await appCall(async () => replaceApp(await api('PATCH', '/v1/apps/' + encodeURIComponent(appId), { enabled })));
  }

  async function deleteApp(appId) {
    await appCall(async () => {
      await api('DELETE', '/v1/apps/' + encodeURIComponent(appId));
      apps = apps.filter((a) => a.appId !== appId);
      rowMode.delete(appId);
      if (current && current.appId === appId) closeAnalytics();
    });
  }

  function onAppsClick(ev) {
    const b = ev.target.closest('button[data-action]');
    if (!b) return;
    const id = b.getAttribute('data-app-id');
    switch (b.getAttribute('data-action')) {
      case 'analytics': openAnalytics(id); break;
      case 'rename': rowMode.set(id, 'rename'); renderApps(); break;
      case 'rename-save': b.closest('form').requestSubmit(); break;
      case 'cancel': rowMode.delete(id); renderApps(); break;
      case 'disable': setEnabled(id, false); break;
      case 'enable': setEnabled(id, true); break;
      case 'delete': rowMode.set(id, 'delete'); renderApps(); break;
      case 'delete-confirm': deleteApp(id); break;
    }
  }

  /* ---------- analytics ---------- */

  function openAnalytics(appId) {
    current = apps.find((a) => a.appId === appId) || null;
    if (!current) return;
    $('an-app').textContent = current.name;
    show($('analytics'), true);
    renderApps();
    loadAnalytics();
    $('analytics').scrollIntoView({ block: 'start' });
  }

  function closeAnalytics() {
    current = null;
    show($('analytics'), false);
    renderApps();
  }

  function span(r) {
    const spec = RANGES[r];
    const now = Date.now();
    const floor = Math.floor(now / spec.step) * spec.step;   // hour and day buckets are aligned to UTC
    const from = floor - (spec.count - 1) * spec.step;
    return { spec, from, to: now };
  }

  const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

  async function loadAnalytics() {
    if (!current) return;
    const seq = ++analyticsSeq;
    for (const b of document.querySelectorAll('button[data-range]'))
      b.setAttribute('aria-pressed', String(b.getAttribute('data-range') === range));
    const { spec, from, to } = span(range);
    const q = new URLSearchParams({ from: iso(from), to: iso(to), granularity: spec.granularity });
    $('an-span').textContent = 'From ' + fmtTime(iso(from)) + ' to ' + fmtTime(iso(to)) + ', by ' + spec.granularity + '.';
    $('analytics').classList.add('loading');
    try {
      const data = await api('GET', '/v1/apps/' + encodeURIComponent(current.appId) + '/analytics?' + q);
      if (seq !== analyticsSeq) return;
      setError($('an-error'), '');
      renderAnalytics(data, spec, from);
    } catch (err) {
      if (seq !== analyticsSeq) return;
      if (handleAuth(err)) return;
      setError($('an-error'), err.status === 404 ? 'That app no longer exists.' : 'Analytics: ' + err.message);
    } finally {
      if (seq === analyticsSeq) $('analytics').classList.remove('loading');
    }
  }

  function blank(start) {
    return { start, requests: 0, responses: { '2xx': 0, '4xx': 0, '5xx': 0 }, quotaRejections: 0,
      jobs: { created: 0, completed: 0, failed: 0, canceled: 0 }, pages: 0, errorPages: 0, bytesIn: 0, bytesOut: 0,
      latencyMs: { p50: null, p95: null, p99: null }, engineMs: 0, meanConfidence: null, empty: true };
  }

  /* One bucket per step over the whole range, whether or not the server sent a row for it. */
  function buckets(series, spec, from) {
    const out = [];
    for (let i = 0; i < spec.count; i++) out.push(blank(from + i * spec.step));
    for (const s of series || []) {
      const t = Date.parse(s.start);
      const i = Math.floor((t - from) / spec.step);
      if (!isNaN(i) && i >= 0 && i < spec.count) out[i] = Object.assign({}, s, { start: out[i].start });
    }
    return out;
  }

  function sum(list, f) { return list.reduce((a, x) => a + (f(x) || 0), 0); }

  let lastDrawn = null;
  let resizeTimer = 0;
  window.addEventListener('resize', () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => { if (lastDrawn && !$('analytics').hidden) renderAnalytics(...lastDrawn); }, 150);
  });

  function renderAnalytics(data, spec, from) {
    lastDrawn = [data, spec, from];
    const bs = buckets(data.series, spec, from);
    const t = data.totals || {};
    const resp = t.responses || {};
    const jobs = t.jobs || {};
    const lat = t.latencyMs || {};
    const tiles = [
      ['requests', 'Requests', fmtNum(t.requests)],
      ['2xx', 'Successful (2xx)', fmtNum(resp['2xx'])],
      ['4xx', 'Client errors (4xx)', fmtNum(resp['4xx'])],
      ['5xx', 'Server errors (5xx)', fmtNum(resp['5xx'])],
      ['quotaRejections', 'Quota rejections', fmtNum(t.quotaRejections)],
      ['jobsCreated', 'Jobs created', fmtNum(jobs.created)],
      ['jobsCompleted', 'Jobs completed', fmtNum(jobs.completed)],
      ['jobsFailed', 'Jobs failed', fmtNum(jobs.failed)],
      ['jobsCanceled', 'Jobs canceled', fmtNum(jobs.canceled)],
      ['pages', 'Pages', fmtNum(t.pages)],
      ['errorPages', 'Error pages', fmtNum(t.errorPages)],
      ['bytesIn', 'Bytes in', fmtBytes(t.bytesIn)],
      ['bytesOut', 'Bytes out', fmtBytes(t.bytesOut)],
      ['p50', 'Latency p50', fmtMs(lat.p50)],
      ['p95', 'Latency p95', fmtMs(lat.p95)],
      ['p99', 'Latency p99', fmtMs(lat.p99)],
      ['engineMs', 'Engine time', fmtMs(t.engineMs)],
      ['meanConfidence', 'Mean confidence', t.meanConfidence == null ? '—' : fmtNum(t.meanConfidence) + ' %'],
    ];
    $('an-totals').replaceChildren(...tiles.map(([k, label, v]) =>
      el('div', { class: 'tile', 'data-total': k }, el('span', { class: 'v', text: v }), el('span', { class: 'l', text: label }))));

    const lbl = (b) => spec.granularity === 'hour' ? fmtTime(iso(b.start)) : fmtTime(iso(b.start)).slice(0, 10);
    const active = (b) => (b.requests || 0) > 0;
    barChart($('chart-requests'), bs, spec, [
      { cls: 'b-req', label: 'requests', get: (b) => b.requests || 0, base: true },
      { cls: 'b-err4', label: '4xx', get: (b) => (b.responses || {})['4xx'] || 0 },
      { cls: 'b-err5', label: '5xx', get: (b) => (b.responses || {})['5xx'] || 0 },
    ], lbl, sum(bs, (b) => b.requests) === 0 ? 'No requests in this period' : '');
    barChart($('chart-pages'), bs, spec, [
      { cls: 'b-pages', label: 'pages', get: (b) => b.pages || 0, base: true },
      { cls: 'b-errp', label: 'error pages', get: (b) => b.errorPages || 0 },
    ], lbl, sum(bs, (b) => b.pages) === 0 ? 'No pages in this period' : '');
    lineChart($('chart-latency'), bs, spec, [
      { cls: 'l-p50', label: 'p50', get: (b) => active(b) ? (b.latencyMs || {}).p50 : null },
      { cls: 'l-p95', label: 'p95', get: (b) => active(b) ? (b.latencyMs || {}).p95 : null },
      { cls: 'l-p99', label: 'p99', get: (b) => active(b) ? (b.latencyMs || {}).p99 : null },
    ], lbl, sum(bs, (b) => b.requests) === 0 ? 'No requests in this period' : '');
  }

  /* ---------- SVG charts ---------- */

  const SVGNS = 'http://www.w3.org/2000/svg';
  const H = 200, ML = 46, MR = 10, MT = 10, MB = 24;

  function s(tag, attrs, parent) {
    const e = document.createElementNS(SVGNS, tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
    if (parent) parent.appendChild(e);
    return e;
  }

  /* Axis scale: a 1-2-5 step giving at most five intervals; whole numbers for counts. */
  function scale(v) {
    if (!(v > 0)) return { max: 4, step: 1 };
    const raw = v / 4;
    const p = Math.pow(10, Math.floor(Math.log10(raw)));
    let step = 10 * p;
    for (const m of [1, 2, 5]) if (m * p >= raw) { step = m * p; break; }
    step = Math.max(step, 1);
    return { max: Math.ceil(v / step) * step, step };
  }

  function frame(container, n, sc, bs, spec, empty) {
    // Drawn at the container's pixel width so that text and dots are not stretched.
    const W = Math.max(320, Math.round(container.clientWidth - 10) || 640);
    const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'img', class: 'plot' });
    const pw = W - ML - MR, ph = H - MT - MB;
    const g = s('g', { class: 'axis' }, svg);
    for (let v = 0; v <= sc.max + sc.step / 2; v += sc.step) {
      const y = MT + ph - (ph * v) / sc.max;
      s('line', { x1: ML, x2: W - MR, y1: y, y2: y, class: v ? 'grid' : 'base' }, g);
      const t = s('text', { x: ML - 6, y: y + 4, 'text-anchor': 'end' }, g);
      t.textContent = fmtCompact(v);
    }
    // About six time labels: every 4 hours over a day, midnights over a week, every 5 days over a month.
    for (let i = 0; i < n; i++) {
      const d = new Date(bs[i].start);
      const hourly = spec.granularity === 'hour';
      const show = hourly ? (spec.count <= 24 ? d.getUTCHours() % 4 === 0 : d.getUTCHours() === 0) : (n - 1 - i) % 5 === 0;
      if (!show) continue;
      const t = s('text', { x: ML + (pw * (i + 0.5)) / n, y: H - 6, 'text-anchor': 'middle' }, g);
      t.textContent = hourly && spec.count <= 24 ? pad(d.getUTCHours()) + ':00' : pad(d.getUTCMonth() + 1) + '-' + pad(d.getUTCDate());
    }
    if (empty) {
      const t = s('text', { x: ML + pw / 2, y: MT + ph / 2, 'text-anchor': 'middle', class: 'empty' }, svg);
      t.textContent = empty;
    }
    container.replaceChildren(svg);
    return { svg, pw, ph, x0: ML, y0: MT + ph };
  }

  /* The first series is the full bar; the others stack inside it from the baseline (e.g. 4xx then 5xx). */
  function barChart(container, bs, spec, series, labelOf, empty) {
    const n = bs.length;
    const sc = scale(Math.max(0, ...bs.map((b) => series[0].get(b))));
    const ymax = sc.max;
    const f = frame(container, n, sc, bs, spec, empty);
    const slot = f.pw / n;
    const bw = Math.max(1, slot * 0.78);
    const g = s('g', { class: 'bars' }, f.svg);
    bs.forEach((b, i) => {
      const x = f.x0 + slot * i + (slot - bw) / 2;
      const col = s('g', { 'data-bucket': iso(b.start) }, g);
      const title = s('title', {}, col);
      title.textContent = labelOf(b) + ': ' + series.map((sr) => fmtNum(sr.get(b)) + ' ' + sr.label).join(', ');
      // An invisible full-height target so that the tooltip works over empty buckets too.
      s('rect', { x: f.x0 + slot * i, y: f.y0 - f.ph, width: slot, height: f.ph, class: 'hit' }, col);
      let stacked = 0;
      series.forEach((sr, k) => {
        const v = sr.get(b);
        if (!(v > 0)) return;
        const h = (v / ymax) * f.ph;
        const y = k === 0 ? f.y0 - h : f.y0 - stacked - h;
        if (k > 0) stacked += h;
        s('rect', { x, y, width: bw, height: Math.max(h, 1), class: 'bar ' + sr.cls }, col);
      });
    });
  }

  function lineChart(container, bs, spec, series, labelOf, empty) {
    const n = bs.length;
    const vals = [];
    for (const b of bs) for (const sr of series) { const v = sr.get(b); if (v != null) vals.push(v); }
    const sc = scale(Math.max(0, ...vals));
    const ymax = sc.max;
    const f = frame(container, n, sc, bs, spec, empty);
    const slot = f.pw / n;
    const X = (i) => f.x0 + slot * (i + 0.5);
    const Y = (v) => f.y0 - (v / ymax) * f.ph;
    // Drawn from the last series (p99) to the first with shrinking dots, so that equal values stay visible.
    const big = n > 48 ? 2 : 3;
    series.slice().reverse().forEach((sr, k) => {
      const r = big + 2 * (series.length - 1 - k);
      const g = s('g', { class: 'series ' + sr.cls }, f.svg);
      let d = '';
      let pen = false;
      bs.forEach((b, i) => {
        const v = sr.get(b);
        if (v == null) { pen = false; return; }
        d += (pen ? 'L' : 'M') + X(i).toFixed(1) + ' ' + Y(v).toFixed(1) + ' ';
        pen = true;
      });
      if (d) s('path', { d, fill: 'none', class: 'line' }, g);
      bs.forEach((b, i) => {
        const v = sr.get(b);
        if (v == null) return;
        const c = s('circle', { cx: X(i), cy: Y(v), r, class: 'dot' }, g);
        const t = s('title', {}, c);
        t.textContent = labelOf(b) + ': ' + sr.label + ' ' + fmtMs(v);
      });
    });
  }

  /* ---------- tabs ---------- */

  const TABS = ['overview', 'try', 'jobs', 'webhooks', 'keys'];
  let tab = 'overview';

  function selectTab(name, focus) {
    tab = name;
    for (const t of TABS) {
      const b = $('tab-' + t);
      const on = t === name;
      b.setAttribute('aria-selected', String(on));
      b.tabIndex = on ? 0 : -1;
      show($('panel-' + t), on);
    }
    if (focus) $('tab-' + name).focus();
    if (name === 'try') prepareTry();
    else if (name === 'jobs') loadJobs(true);
    else if (name === 'webhooks') loadWebhooks();
  }

  function onTabKey(ev) {
    const i = TABS.indexOf(tab);
    let j = -1;
    if (ev.key === 'ArrowRight') j = (i + 1) % TABS.length;
    else if (ev.key === 'ArrowLeft') j = (i + TABS.length - 1) % TABS.length;
    else if (ev.key === 'Home') j = 0;
    else if (ev.key === 'End') j = TABS.length - 1;
    if (j < 0) return;
    ev.preventDefault();
    selectTab(TABS[j], true);
  }

  /* ---------- the app the tools work with ---------- */

  let workApp = null;  // appId used by Try it, Jobs and Webhooks

  function fillPickers() {
    const usable = apps.filter((a) => a.enabled);
    if (!usable.some((a) => a.appId === workApp)) workApp = usable.length ? usable[0].appId : null;
    for (const sel of document.querySelectorAll('select.app-pick')) {
      sel.replaceChildren(...usable.map((a) => el('option', { value: a.appId, text: a.name + ' (' + a.appId.slice(0, 8) + ')' })));
      if (workApp) sel.value = workApp;
      sel.disabled = usable.length === 0;
    }
  }

  function onPick(ev) {
    workApp = ev.target.value;
    for (const sel of document.querySelectorAll('select.app-pick')) sel.value = workApp;
    if (ev.target.id === 'jobs-app') loadJobs(true);
    else if (ev.target.id === 'wh-app') loadWebhooks();
    else if (ev.target.id === 'try-app') prepareTry(true);
  }

  function needApp(errNode) {
    if (workApp) return true;
    setError(errNode, apps.length ? 'Every app is disabled: enable one on the Overview tab.' : 'Create an app first (Overview tab).');
    return false;
  }

  /* ---------- downloads: fetched with the credentials in headers, saved from a blob ---------- */

  let formats = null;      // [{format, contentType, extension}]
  let languages = null;

  function extensionOf(fmt) {
    const f = (formats || []).find((x) => x.format === fmt);
    return f && f.extension ? f.extension : fmt;
  }

  function baseName(job) {
    const n = (job.document && job.document.name) || 'document';
    return n.replace(/\.[A-Za-z0-9]{1,5}$/, '') || 'document';
  }

  function saveBlob(blob, name) {
    const u = URL.createObjectURL(blob);
    const a = el('a', { href: u, download: name, hidden: true });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(u), 60000);
  }

  function renderDownloads(container, appId, job, errNode) {
    container.replaceChildren();
    const results = job.results || {};
    const names = Object.keys(results);
    if (job.status !== 'completed' || names.length === 0) {
      container.append(el('p', { class: 'hint', text: job.status === 'completed' ? 'This job kept no outputs.' :
        'Downloads appear when the job has completed.' }));
      return;
    }
    for (const fmt of names) {
      const name = baseName(job) + '.' + extensionOf(fmt);
      const b = el('button', { type: 'button', class: 'small quiet download', text: 'Download ' + fmt.toUpperCase(),
        'data-format': fmt, 'aria-label': 'Download the ' + fmt + ' result as ' + name });
      b.addEventListener('click', async () => {
        b.disabled = true;
        setError(errNode, '');
        try {
          const res = await tapi(appId, 'GET', results[fmt], undefined, true);
          if (res.status === 202) throw new ApiError(202, '', 'This result is not ready yet.');
          saveBlob(await res.blob(), name);
        } catch (err) {
          setError(errNode, fmt + ': ' + err.message);
        } finally {
          b.disabled = false;
        }
      });
      container.append(b);
    }
  }

  /* ---------- Try it ---------- */

  const CLEANUP = ['deskew', 'autoRotate', 'binarize', 'despeckle', 'removeBorder', 'deleteBlankPages',
                   'removeColorNoise', 'removeHalftone', 'removeHolePunch', 'improveText', 'deskewAdjustPaperSize',
                   'fastMode'];
  const DEFAULT_OUTPUTS = ['text', 'json', 'hocr', 'pdf'];
  const LOW_CONFIDENCE = 60;  // words below it are drawn dashed and in orange
  const VIEW_WIDTH = 1200;    // pages wider than this are fetched scaled (the page image's width parameter)
  let tryFile = null;
  let trySeq = 0;
  let preparedFor = null;

  async function prepareTry(force) {
    const errNode = $('try-error');
    if (!needApp(errNode)) return;
    if (preparedFor === workApp && !force && languages && formats) return;
    preparedFor = workApp;
    const appId = workApp;
    try {
      const [l, f] = await Promise.all([tapi(appId, 'GET', '/v1/languages'), tapi(appId, 'GET', '/v1/formats')]);
      languages = (l && l.languages) || [];
      formats = (f && f.outputs) || [];
      const langSel = $('try-langs');
      const chosen = new Set([...langSel.selectedOptions].map((o) => o.value));
      if (chosen.size === 0) chosen.add('eng');
      langSel.replaceChildren(...languages.map((x) => el('option', { value: x, text: x, selected: chosen.has(x) })));
      const box = $('try-outputs');
      const was = new Set([...box.querySelectorAll('input:checked')].map((i) => i.name));
      const pick = was.size ? was : new Set(DEFAULT_OUTPUTS);
      box.replaceChildren(el('legend', { text: 'Outputs' }), ...formats.map((x) =>
        el('label', { class: 'check' }, el('input', { type: 'checkbox', name: x.format, checked: pick.has(x.format) }), ' ' + x.format)));
      setError(errNode, '');
    } catch (err) {
      preparedFor = null;
      setError(errNode, 'Options: ' + err.message);
    }
  }

  function chooseFile(f) {
    tryFile = f || null;
    $('try-file-name').textContent = f ? f.name + ' (' + fmtBytes(f.size) + ')' : '';
  }

  function tryOptions() {
    const o = {};
    const langs = [...$('try-langs').selectedOptions].map((x) => x.value);
    if (langs.length) o.languages = langs.join('+');
    o.outputs = [...$('try-outputs').querySelectorAll('input:checked')].map((i) => i.name);
    for (const k of CLEANUP) if ($('try-form').querySelector(`input[name="${k}"]`).checked) o[k] = true;
    const pages = $('try-pages').value.trim();
    if (pages) o.pages = pages;
    return o;
  }

  async function submitTry(ev) {
    ev.preventDefault();
    const errNode = $('try-error');
    setError(errNode, '');
    if (!needApp(errNode)) return;
    if (!tryFile) {
      setError(errNode, 'Choose a document first.');
      $('try-file').focus();
      return;
    }
    const opts = tryOptions();
    if (opts.outputs.length === 0) {
      setError(errNode, 'Pick at least one output.');
      return;
    }
    const fd = new FormData();
    fd.append('options', JSON.stringify(opts));
    fd.append('file', tryFile, tryFile.name);
    const btn = $('try-submit');
    btn.disabled = true;
    const appId = workApp;
    try {
      const job = await tapi(appId, 'POST', '/v1/jobs', fd);
      followJob(appId, job);
    } catch (err) {
      setError(errNode, err.message);
    } finally {
      btn.disabled = false;
    }
  }

  function badge(node, status) {
    node.textContent = status;
    node.className = 'badge st-' + status;
  }

  const FINAL = new Set(['completed', 'failed', 'canceled']);

  async function followJob(appId, job) {
    const seq = ++trySeq;
    const shown = new Set();
    show($('try-progress'), true);
    $('try-job').textContent = job.jobId;
    $('try-page-list').replaceChildren();
    $('try-downloads').replaceChildren();
    $('try-pages-view').replaceChildren();
    let delay = 400;
    for (;;) {
      renderProgress(job);
      if (job.pagesDone > shown.size || FINAL.has(job.status)) {
        try {
          const pl = await tapi(appId, 'GET', '/v1/jobs/' + job.jobId + '/pages');
          if (seq !== trySeq) return;
          renderPageList(job, pl.items || []);
          for (const it of pl.items || []) {
            if (it.status !== 'completed' || shown.has(it.page)) continue;
            shown.add(it.page);
            await renderPage(appId, job, it, seq);
            if (seq !== trySeq) return;
          }
        } catch (err) {
          if (seq !== trySeq) return;
          setError($('try-error'), 'Pages: ' + err.message);
        }
      }
      if (FINAL.has(job.status)) break;
      await sleep(delay);
      if (seq !== trySeq) return;
      try {
        job = await tapi(appId, 'GET', '/v1/jobs/' + job.jobId);
        delay = 400;
      } catch (err) {
        if (seq !== trySeq) return;
        $('try-message').textContent = err.message;   // 429 / 503: keep following, a little slower
        delay = 2000;
      }
    }
    renderDownloads($('try-downloads'), appId, job, $('try-error'));
    if (job.status === 'failed' && job.error)
      setError($('try-error'), 'The job failed: ' + job.error.errorCode + ': ' + job.error.message);
  }

  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

  function renderProgress(job) {
    badge($('try-status'), job.status);
    const p = job.progress || {};
    const bar = $('try-bar');
    bar.value = job.status === 'completed' ? 100 : Math.max(0, Math.min(100, p.current || 0));
    const total = job.document && job.document.pages;
    $('try-message').textContent = (p.message || job.status) +
      (total ? ' — ' + (job.pagesDone || 0) + ' of ' + total + ' page' + (total === 1 ? '' : 's') + ' done' : '');
  }

  function renderPageList(job, items) {
    const total = Math.max((job.document && job.document.pages) || 0, ...items.map((i) => i.page));
    const by = new Map(items.map((i) => [i.page, i]));
    const list = $('try-page-list');
    list.replaceChildren();
    for (let n = 1; n <= total; n++) {
      const it = by.get(n);
      const st = it ? it.status : (FINAL.has(job.status) ? 'not processed' : 'waiting');
      list.append(el('li', { class: 'pg st-' + st.replace(/ /g, '-'), 'data-page': String(n), text: 'Page ' + n + ': ' + st +
        (it && it.confidence != null ? ' (' + fmtNum(it.confidence) + ' %)' : '') }));
    }
  }

  function dataUrl(blob) {
    return new Promise((resolve, reject) => {
      const fr = new FileReader();
      fr.onload = () => resolve(fr.result);
      fr.onerror = () => reject(new Error('the page image could not be read'));
      fr.readAsDataURL(blob);
    });
  }

  /* One page: its image (scaled when large), every word's box over it, the page's text beside it. The image is
   * shown from a data: URL (the CSP allows images from the portal and data: only), fetched with the headers. */
  async function renderPage(appId, job, item, seq) {
    const base = '/v1/jobs/' + job.jobId + '/pages/' + item.page;
    const card = el('section', { class: 'card page-view', 'data-page': String(item.page), 'aria-label': 'Page ' + item.page });
    $('try-pages-view').append(card);
    try {
      const r = await tapi(appId, 'GET', base + '/results/json');
      const pg = r && r.pages ? r.pages[0] : r;
      const w = pg.width || item.width, h = pg.height || item.height;
      const width = Math.min(w, VIEW_WIDTH);
      const [img, text] = await Promise.all([
        tapi(appId, 'GET', base + '/image?width=' + width, undefined, true).then((res) => res.blob()).then(dataUrl),
        tapi(appId, 'GET', base + '/results/text', undefined, true).then((res) => res.text()),
      ]);
      if (seq !== trySeq) return;
      drawPage(card, item.page, pg, w, h, img, text, width < w);
    } catch (err) {
      card.append(el('h3', { text: 'Page ' + item.page }), el('p', { class: 'error', text: err.message }));
    }
  }

  function drawPage(card, n, pg, w, h, img, text, scaled) {
    const words = pg.words || [];
    const low = words.filter((x) => x.confidence < LOW_CONFIDENCE).length;
    card.append(el('h3', { text: 'Page ' + n }, el('span', { class: 'hint', text: ' ' + words.length + ' words, ' + low +
      ' below ' + LOW_CONFIDENCE + ' % confidence' + (pg.confidence != null ? ', mean ' + fmtNum(pg.confidence) + ' %' : '') +
      (scaled ? ', shown scaled from ' + w + ' × ' + h + ' px' : '') })));
    const stage = el('div', { class: 'pv-stage' });
    stage.append(el('img', { src: img, alt: 'Page ' + n + ' as processed', width: w, height: h }));
    const svg = s('svg', { viewBox: `0 0 ${w} ${h}`, preserveAspectRatio: 'none', class: 'boxes', role: 'group',
      'aria-label': 'Recognized words of page ' + n + ': arrow keys move from word to word' });
    words.forEach((wd, i) => {
      const b = wd.box || {};
      const r = s('rect', { x: b.x, y: b.y, width: b.w, height: b.h, class: 'word' + (wd.confidence < LOW_CONFIDENCE ? ' low' : ''),
        tabindex: i === 0 ? 0 : -1, 'data-i': i, role: 'img',
        'aria-label': wd.text + ', confidence ' + fmtNum(wd.confidence) + ' %' }, svg);
      r.dataset.text = wd.text;
      r.dataset.conf = fmtNum(wd.confidence);
    });
    stage.append(svg);
    const tip = el('div', { class: 'tip', 'aria-hidden': 'true', hidden: true });
    stage.append(tip);
    const tipFor = (r) => {
      if (!r || !r.classList || !r.classList.contains('word')) { show(tip, false); return; }
      tip.replaceChildren(el('strong', { text: r.dataset.text }), el('span', { text: ' ' + r.dataset.conf + ' %' }));
      tip.classList.toggle('low', r.classList.contains('low'));
      const x = Number(r.getAttribute('x')), y = Number(r.getAttribute('y')) + Number(r.getAttribute('height'));
      tip.style.left = Math.min(85, (100 * x) / w) + '%';
      tip.style.top = Math.min(96, (100 * y) / h) + '%';
      show(tip, true);
    };
    svg.addEventListener('mouseover', (ev) => tipFor(ev.target));
    svg.addEventListener('mouseleave', () => show(tip, false));
    svg.addEventListener('focusin', (ev) => tipFor(ev.target));
    svg.addEventListener('focusout', () => show(tip, false));
    svg.addEventListener('keydown', (ev) => {
      const cur = ev.target.closest && ev.target.closest('rect.word');
      if (!cur) return;
      const rects = svg.querySelectorAll('rect.word');
      let i = Number(cur.dataset.i);
      if (ev.key === 'ArrowRight' || ev.key === 'ArrowDown') i = Math.min(rects.length - 1, i + 1);
      else if (ev.key === 'ArrowLeft' || ev.key === 'ArrowUp') i = Math.max(0, i - 1);
      else if (ev.key === 'Home') i = 0;
      else if (ev.key === 'End') i = rects.length - 1;
      else return;
      ev.preventDefault();
      cur.setAttribute('tabindex', '-1');
      rects[i].setAttribute('tabindex', '0');
      rects[i].focus();
    });
    const pre = el('pre', { class: 'pv-text', tabindex: 0, 'aria-label': 'Text of page ' + n, text: text });
    card.append(el('div', { class: 'pv' }, stage, pre),
      el('p', { class: 'legend' }, el('span', { class: 'k k-word' }), 'word ', el('span', { class: 'k k-low' }),
        'confidence below ' + LOW_CONFIDENCE + ' %'));
  }

  /* ---------- Jobs ---------- */

  const JOBS_PER_PAGE = 10;
  const jobsNav = { cursors: [null], index: 0, next: null };
  let jobsSeq = 0;
  let detail = null;  // {appId, jobId}
  let detailSeq = 0;

  async function loadJobs(reset) {
    const errNode = $('jobs-error');
    setError(errNode, '');
    if (!needApp(errNode)) return;
    if (reset) { jobsNav.cursors = [null]; jobsNav.index = 0; }
    const seq = ++jobsSeq;
    const q = new URLSearchParams({ limit: String(JOBS_PER_PAGE) });
    const st = $('jobs-status').value, corr = $('jobs-corr').value.trim();
    if (st) q.set('status', st);
    if (corr) q.set('correlationId', corr);
    const cur = jobsNav.cursors[jobsNav.index];
    if (cur) q.set('cursor', cur);
    try {
      const data = await tapi(workApp, 'GET', '/v1/jobs?' + q);
      if (seq !== jobsSeq) return;
      jobsNav.next = data.nextCursor || null;
      renderJobs(data.jobs || []);
    } catch (err) {
      if (seq !== jobsSeq) return;
      setError(errNode, 'Jobs: ' + err.message);
    }
  }

  function renderJobs(list) {
    const body = $('jobs-body');
    body.replaceChildren(...list.map((j) => {
      const total = j.document && j.document.pages;
      const tr = el('tr', { 'data-job-id': j.jobId });
      tr.append(el('td', { class: 'when', text: fmtTime(j.createdAt) }),
        el('td', { class: 'name', text: (j.document && j.document.name) || '—' }),
        el('td', {}, el('span', { class: 'badge st-' + j.status, text: j.status })),
        el('td', { class: 'num', text: (j.pagesDone || 0) + (total ? ' / ' + total : '') }),
        el('td', { class: 'num', text: j.meanConfidence == null ? '—' : fmtNum(j.meanConfidence) + ' %' }),
        el('td', { class: 'mono id', text: j.correlationId || '' }),
        el('td', { class: 'actions' }, el('button', { type: 'button', class: 'small', text: 'Details', 'data-action': 'job-detail',
          'data-job-id': j.jobId, 'aria-label': 'Details of job ' + j.jobId })));
      if (detail && detail.jobId === j.jobId) tr.classList.add('selected');
      return tr;
    }));
    show($('jobs-empty'), list.length === 0);
    $('jobs-newer').disabled = jobsNav.index === 0;
    $('jobs-older').disabled = !jobsNav.next;
    $('jobs-pageinfo').textContent = 'Page ' + (jobsNav.index + 1);
  }

  function jobsPage(delta) {
    if (delta > 0) {
      if (!jobsNav.next) return;
      jobsNav.cursors[jobsNav.index + 1] = jobsNav.next;
      jobsNav.index++;
    } else if (jobsNav.index > 0) {
      jobsNav.index--;
    }
    loadJobs(false);
  }

  async function openJob(jobId, focus) {
    detail = { appId: workApp, jobId };
    const seq = ++detailSeq;
    if ($('jd-id').textContent !== jobId) {
      // Nothing of the job shown before stays while this one loads.
      $('jd-id').textContent = jobId;
      $('jd-status').textContent = '';
      for (const id of ['jd-facts', 'jd-options', 'jd-pages', 'jd-results']) $(id).replaceChildren();
      setError($('jd-failure'), '');
    }
    show($('job-detail'), true);
    show($('jd-confirm'), false);
    setError($('jd-error'), '');
    for (const tr of $('jobs-body').querySelectorAll('tr')) tr.classList.toggle('selected', tr.getAttribute('data-job-id') === jobId);
    if (focus) $('job-detail').focus();
    for (;;) {
      let job;
      try {
        job = await tapi(detail.appId, 'GET', '/v1/jobs/' + jobId);
        if (seq !== detailSeq) return;
        renderJob(job);
        const pl = job.status === 'created' ? { items: [] } : await tapi(detail.appId, 'GET', '/v1/jobs/' + jobId + '/pages');
        if (seq !== detailSeq) return;
        renderJobPages(pl.items || []);
      } catch (err) {
        if (seq !== detailSeq) return;
        if (err.status === 404 || err.status === 410) {
          setError($('jd-error'), err.status === 410 ? 'This job has expired: its document and results are gone.' : 'This job no longer exists.');
          return;
        }
        setError($('jd-error'), err.message);
      }
      // A job that may still move is followed while its detail is open.
      if (job && FINAL.has(job.status)) return;
      await sleep(1000);
      if (seq !== detailSeq || $('job-detail').hidden) return;
    }
  }

  function fact(dl, k, v, mono) {
    dl.append(el('dt', { text: k }), el('dd', { text: v == null || v === '' ? '—' : String(v), class: mono ? 'mono' : '' }));
  }

  function renderJob(j) {
    $('jd-id').textContent = j.jobId;
    badge($('jd-status'), j.status);
    const d = j.document || {};
    const dl = $('jd-facts');
    dl.replaceChildren();
    fact(dl, 'Document', d.name ? d.name + ' (' + (d.contentType || '?') + ', ' + fmtBytes(d.bytes) + ')' : '—');
    fact(dl, 'Pages', (j.pagesDone || 0) + ' done' + (d.pages ? ' of ' + d.pages : '') + (j.errorPages ? ', ' + j.errorPages + ' failed' : ''));
    fact(dl, 'Mean confidence', j.meanConfidence == null ? null : fmtNum(j.meanConfidence) + ' %');
    fact(dl, 'Progress', j.progress ? (j.progress.current || 0) + ' % ' + (j.progress.message || '') : null);
    fact(dl, 'Correlation ID', j.correlationId, true);
    fact(dl, 'Description', j.description);
    fact(dl, 'Attempt', j.attempt);
    for (const [k, label] of [['createdAt', 'Created'], ['scheduledAt', 'Scheduled'], ['startedAt', 'Started'],
      ['finishedAt', 'Finished'], ['expiresAt', 'Expires']])
      fact(dl, label, j[k] ? fmtTime(j[k]) : null);
    const od = $('jd-options');
    od.replaceChildren();
    for (const [k, v] of Object.entries(j.options || {}))
      fact(od, k, Array.isArray(v) ? v.join(', ') : v === null ? '—' : typeof v === 'object' ? JSON.stringify(v) : String(v));
    const failure = $('jd-failure');
    if (j.error) setError(failure, j.error.errorCode + ': ' + j.error.message); else setError(failure, '');
    show($('jd-cancel'), ['created', 'scheduled', 'processing'].includes(j.status));
    renderDownloads($('jd-results'), detail.appId, j, $('jd-error'));
  }

  function renderJobPages(items) {
    $('jd-pages').replaceChildren(...items.map((p) => el('tr', { 'data-page': String(p.page) },
      el('td', { class: 'num', text: String(p.page) }),
      el('td', {}, el('span', { class: 'badge st-' + p.status, text: p.status })),
      el('td', { class: 'when', text: p.width ? p.width + ' × ' + p.height : '—' }),
      el('td', { class: 'num', text: p.dpi == null ? '—' : String(p.dpi) }),
      el('td', { class: 'num', text: p.words == null ? '—' : String(p.words) }),
      el('td', { class: 'num', text: p.confidence == null ? '—' : fmtNum(p.confidence) + ' %' }),
      el('td', { class: 'err', text: p.error || '' }))));
    if (items.length === 0) $('jd-pages').append(el('tr', {}, el('td', { colSpan: 7, class: 'hint', text: 'No page processed yet.' })));
  }

  function closeJob() {
    detail = null;
    ++detailSeq;
    show($('job-detail'), false);
    for (const tr of $('jobs-body').querySelectorAll('tr.selected')) tr.classList.remove('selected');
  }

  async function cancelJob() {
    if (!detail) return;
    setError($('jd-error'), '');
    const b = $('jd-cancel');
    b.disabled = true;
    try {
      await tapi(detail.appId, 'POST', '/v1/jobs/' + detail.jobId + '/cancel');
      openJob(detail.jobId);
      loadJobs(false);
    } catch (err) {
      setError($('jd-error'), 'Cancel: ' + err.message);
    } finally {
      b.disabled = false;
    }
  }

  async function deleteJob() {
    if (!detail) return;
    setError($('jd-error'), '');
    try {
      await tapi(detail.appId, 'DELETE', '/v1/jobs/' + detail.jobId);
      closeJob();
      loadJobs(false);
      $('jobs-title').focus();
    } catch (err) {
      show($('jd-confirm'), false);
      setError($('jd-error'), 'Delete: ' + err.message);
    }
  }

  /* ---------- copying a secret shown once ---------- */

  async function copyValue(input, status) {
    try {
      await navigator.clipboard.writeText(input.value);
      status.textContent = 'Copied to the clipboard.';
    } catch (e) {
      input.focus();
      input.select();
      status.textContent = 'Selected: press Ctrl+C (or ⌘C) to copy.';
    }
  }

  /* ---------- Keys ---------- */

  async function rotateKey() {
    setError($('key-error'), '');
    const b = $('key-rotate-confirm');
    b.disabled = true;
    try {
      const r = await api('POST', '/v1/license/admin-key');
      // This tab goes on with the new key; the old one is refused from now on.
      remember({ licenseId: cred.licenseId, key: r.adminKey });
      show($('key-confirm'), false);
      $('key-value').value = r.adminKey;
      $('key-copied').textContent = '';
      show($('key-new'), true);
      $('key-value').focus();
      $('key-value').select();
      loadUsage();
    } catch (err) {
      if (!handleAuth(err)) setError($('key-error'), err.message);
    } finally {
      b.disabled = false;
    }
  }

  function hideKey() {
    $('key-value').value = '';
    show($('key-new'), false);
    $('key-rotate').focus();
  }

  /* ---------- Webhooks ---------- */

  let hooks = [];
  const hookMode = new Map();  // id -> 'delete'
  let hooksSeq = 0;
  let deliveriesOf = null;

  const hookId = (w) => w.webhookId;
  const HOOK_DISABLED = {
    gone: 'disabled by the service: the receiver answered 410 Gone',
    failing: 'disabled by the service: no delivery succeeded for 3 days',
  };
  const hookBase = (appId) => '/v1/apps/' + encodeURIComponent(appId) + '/webhooks';

  async function loadWebhooks() {
    const errNode = $('wh-error');
    setError(errNode, '');
    if (!needApp(errNode)) return;
    const seq = ++hooksSeq;
    try {
      const d = await api('GET', hookBase(workApp));
      if (seq !== hooksSeq) return;
      hooks = (d && d.webhooks) || [];
      renderHooks();
    } catch (err) {
      if (seq !== hooksSeq || handleAuth(err)) return;
      hooks = [];
      renderHooks();
      setError(errNode, 'Webhooks: ' + err.message);
    }
  }

  function hookButton(text, action, id, cls) {
    return el('button', { type: 'button', text, class: cls || 'small', 'data-action': action, 'data-hook-id': id });
  }

  function renderHooks() {
    $('wh-body').replaceChildren(...hooks.map((w) => {
      const id = hookId(w);
      const on = w.enabled !== false;
      const tr = el('tr', { 'data-hook-id': id, class: on ? '' : 'off' });
      const status = el('td', {}, el('span', { class: 'badge ' + (on ? 'on' : 'off'), text: on ? 'enabled' : 'disabled' }));
      // The gateway disables an endpoint by itself when the receiver answers 410 or fails for 3 days: say so.
      const why = HOOK_DISABLED[w.disabledReason] || '';
      if (!on && why) status.append(el('div', { class: 'hint warn', text: why }));
      if (on && w.failingSince) status.append(el('div', { class: 'hint warn', text: 'failing since ' + fmtTime(w.failingSince) }));
      if (w.previousSecretExpiresAt)
        status.append(el('div', { class: 'hint', text: 'previous secret signs until ' + fmtTime(w.previousSecretExpiresAt) }));
      const actions = el('td', { class: 'actions' });
      if (hookMode.get(id) === 'delete') {
        actions.append(el('span', { class: 'confirm', text: 'Delete this endpoint? ' }),
          hookButton('Delete endpoint', 'hook-delete-confirm', id, 'small danger'), hookButton('Cancel', 'hook-cancel', id, 'small quiet'));
      } else {
        actions.append(hookButton('Send test', 'hook-test', id), hookButton('Deliveries', 'hook-deliveries', id),
          hookButton('Rotate secret', 'hook-rotate', id), hookButton(on ? 'Disable' : 'Enable', on ? 'hook-disable' : 'hook-enable', id),
          hookButton('Delete', 'hook-delete', id, 'small danger-outline'));
      }
      tr.append(el('td', { class: 'mono url', text: w.url || '' }), el('td', { text: (w.events || []).join(', ') }), status, actions);
      return tr;
    }));
    show($('wh-empty'), hooks.length === 0);
  }

  function showSecret(secret, what) {
    $('wh-secret-value').value = secret;
    $('wh-secret-copied').textContent = '';
    $('wh-secret').querySelector('label').textContent = what + ' (shown once: keep it now)';
    show($('wh-secret'), true);
    $('wh-secret-value').focus();
    $('wh-secret-value').select();
  }

  function hideSecret() {
    $('wh-secret-value').value = '';
    show($('wh-secret'), false);
  }

  async function hookCall(fn) {
    setError($('wh-error'), '');
    $('wh-notice').textContent = '';
    try {
      await fn();
    } catch (err) {
      if (handleAuth(err)) return;
      setError($('wh-error'), err.status === 404 ? 'That endpoint no longer exists.' : err.message);
      if (err.status === 404) loadWebhooks();
    }
  }

  async function addHook(ev) {
    ev.preventDefault();
    if (!needApp($('wh-error'))) return;
    const url = $('wh-url').value.trim();
    const events = [...$('wh-events').querySelectorAll('input:checked')].map((i) => i.name);
    if (!url) { setError($('wh-error'), 'Enter the URL that receives the events.'); $('wh-url').focus(); return; }
    if (!events.length) { setError($('wh-error'), 'Pick at least one event.'); return; }
    const b = $('wh-add');
    b.disabled = true;
    await hookCall(async () => {
      const w = await api('POST', hookBase(workApp), { url, events });
      $('wh-url').value = '';
      await loadWebhooks();
      if (w && w.secret) showSecret(w.secret, 'Signing secret of the new endpoint');
    });
    b.disabled = false;
  }

  async function onHooksClick(ev) {
    const b = ev.target.closest('button[data-action]');
    if (!b) return;
    const id = b.getAttribute('data-hook-id');
    const at = hookBase(workApp) + '/' + encodeURIComponent(id);
    switch (b.getAttribute('data-action')) {
      case 'hook-test':
        await hookCall(async () => {
          const t = await api('POST', at + '/test');
          $('wh-notice').textContent = 'A webhook.test event (webhook-id ' + ((t && t.messageId) || '?') +
            ') is on its way to the endpoint; see its deliveries.';
          if (deliveriesOf === id) loadDeliveries();
        });
        break;
      case 'hook-deliveries': deliveriesOf = id; loadDeliveries(true); break;
      case 'hook-rotate':
        await hookCall(async () => {
          const r = await api('POST', at + '/rotate-secret');
          if (r && r.secret) showSecret(r.secret, 'New signing secret (the previous one also signs for 24 hours)');
        });
        break;
      case 'hook-disable':
      case 'hook-enable':
        await hookCall(async () => {
          await api('PATCH', at, { enabled: b.getAttribute('data-action') === 'hook-enable' });
          await loadWebhooks();
        });
        break;
      case 'hook-delete': hookMode.set(id, 'delete'); renderHooks(); break;
      case 'hook-cancel': hookMode.delete(id); renderHooks(); break;
      case 'hook-delete-confirm':
        await hookCall(async () => {
          await api('DELETE', at);
          hookMode.delete(id);
          if (deliveriesOf === id) { deliveriesOf = null; show($('wh-deliveries'), false); }
          await loadWebhooks();
        });
        break;
    }
  }

  async function loadDeliveries(focus) {
    if (!deliveriesOf) return;
    const w = hooks.find((x) => hookId(x) === deliveriesOf);
    $('whd-url').textContent = w ? w.url : deliveriesOf;
    show($('wh-deliveries'), true);
    if (focus) $('wh-deliveries').scrollIntoView({ block: 'nearest' });
    await hookCall(async () => {
      const d = await api('GET', hookBase(workApp) + '/' + encodeURIComponent(deliveriesOf) + '/deliveries');
      const list = (d && d.deliveries) || [];
      $('whd-body').replaceChildren(...list.map((x) => el('tr', {},
        el('td', { class: 'when', text: fmtTime(x.at) }),
        el('td', { text: x.eventType + (x.attempt > 1 ? ' (attempt ' + x.attempt + ')' : '') }),
        el('td', {}, el('span', { class: 'badge ' + (x.delivered ? 'on' : 'off'), text: x.statusCode == null ? 'no answer' : String(x.statusCode) })),
        el('td', { class: 'num', text: x.latencyMs == null ? '—' : fmtMs(x.latencyMs) }),
        el('td', { class: 'err', text: (x.error || '') + (x.nextAttemptAt ? (x.error ? '; ' : '') + 'next try ' + fmtTime(x.nextAttemptAt) : '') }))));
      show($('whd-empty'), list.length === 0);
    });
  }

  /* ---------- start ---------- */

  function start() {
    $('signin-form').addEventListener('submit', signIn);
    $('signout').addEventListener('click', () => signOut(''));
    $('create-form').addEventListener('submit', createApp);
    $('apps-body').addEventListener('click', onAppsClick);
    $('usage-refresh').addEventListener('click', loadUsage);
    $('an-refresh').addEventListener('click', loadAnalytics);
    $('an-close').addEventListener('click', closeAnalytics);
    for (const t of TABS) $('tab-' + t).addEventListener('click', () => selectTab(t));
    document.querySelector('[role=tablist]').addEventListener('keydown', onTabKey);
    for (const sel of document.querySelectorAll('select.app-pick')) sel.addEventListener('change', onPick);
    $('try-form').addEventListener('submit', submitTry);
    $('try-file').addEventListener('change', (ev) => chooseFile(ev.target.files[0]));
    const drop = $('try-drop');
    drop.addEventListener('dragover', (ev) => { ev.preventDefault(); drop.classList.add('over'); });
    drop.addEventListener('dragleave', () => drop.classList.remove('over'));
    drop.addEventListener('drop', (ev) => {
      ev.preventDefault();
      drop.classList.remove('over');
      if (ev.dataTransfer && ev.dataTransfer.files.length) chooseFile(ev.dataTransfer.files[0]);
    });
    $('jobs-filter').addEventListener('submit', (ev) => { ev.preventDefault(); loadJobs(true); });
    $('jobs-status').addEventListener('change', () => loadJobs(true));
    $('jobs-older').addEventListener('click', () => jobsPage(1));
    $('jobs-newer').addEventListener('click', () => jobsPage(-1));
    $('jobs-body').addEventListener('click', (ev) => {
      const b = ev.target.closest('button[data-action="job-detail"]');
      if (b) openJob(b.getAttribute('data-job-id'), true);
    });
    $('jd-refresh').addEventListener('click', () => detail && openJob(detail.jobId));
    $('jd-close').addEventListener('click', closeJob);
    $('jd-cancel').addEventListener('click', cancelJob);
    $('jd-delete').addEventListener('click', () => { show($('jd-confirm'), true); $('jd-delete-cancel').focus(); });
    $('jd-delete-cancel').addEventListener('click', () => { show($('jd-confirm'), false); $('jd-delete').focus(); });
    $('jd-delete-confirm').addEventListener('click', deleteJob);
    $('key-rotate').addEventListener('click', () => { show($('key-confirm'), true); $('key-rotate-cancel').focus(); });
    $('key-rotate-cancel').addEventListener('click', () => { show($('key-confirm'), false); $('key-rotate').focus(); });
    $('key-rotate-confirm').addEventListener('click', rotateKey);
    $('key-copy').addEventListener('click', () => copyValue($('key-value'), $('key-copied')));
    $('key-done').addEventListener('click', hideKey);
    $('wh-form').addEventListener('submit', addHook);
    $('wh-body').addEventListener('click', onHooksClick);
    $('wh-secret-copy').addEventListener('click', () => copyValue($('wh-secret-value'), $('wh-secret-copied')));
    $('wh-secret-done').addEventListener('click', hideSecret);
    $('whd-refresh').addEventListener('click', () => loadDeliveries());
    $('whd-close').addEventListener('click', () => { deliveriesOf = null; show($('wh-deliveries'), false); });
    for (const b of document.querySelectorAll('button[data-range]'))
      b.addEventListener('click', () => { range = b.getAttribute('data-range'); loadAnalytics(); });

    // Arriving from another region's portal: #license=<id>&region=<code>. Never a key.
    const frag = new URLSearchParams(location.hash.replace(/^#/, ''));
    if (frag.has('license')) {
      const id = frag.get('license') || '';
      history.replaceState(null, '', location.pathname + location.search);
      forget();
      if (UUID.test(id)) {
        $('license-id').value = id;
        const region = frag.get('region');
        const n = $('signin-notice');
        n.textContent = 'Your license is processed in ' + (region && /^[A-Z]{2,8}$/.test(region) ? 'region ' + region : 'this region') +
                        '. Sign in here with your admin key.';
        show(n, true);
        $('admin-key').focus();
        return;
      }
    }
    let saved = null;
    try { saved = JSON.parse(sessionStorage.getItem(STORE) || 'null'); } catch (e) { saved = null; }
    if (saved && UUID.test(saved.licenseId || '') && saved.key) {
      cred = { licenseId: saved.licenseId, key: saved.key };
      enterDashboard(null);
    } else {
      $('license-id').focus();
    }
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
