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

  async function api(method, path, body) {
    const headers = { 'X-License-Id': cred.licenseId, 'Authorization': 'Bearer ' + cred.key, 'Accept': 'application/json' };
    const init = { method, headers, cache: 'no-store', credentials: 'omit', redirect: 'error' };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let res;
    try {
      res = await fetch(path, init);
    } catch (e) {
      throw new ApiError(0, 'NetworkError', 'The service cannot be reached. Check your connection and try again.');
    }
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
    return data;
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
    show($('dashboard'), false);
    show($('analytics'), false);
    show($('who'), false);
    show($('signin'), true);
    $('admin-key').value = '';
    setError($('signin-error'), message || '');
    $(message ? 'admin-key' : 'license-id').focus();
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

  /* ---------- start ---------- */

  function start() {
    $('signin-form').addEventListener('submit', signIn);
    $('signout').addEventListener('click', () => signOut(''));
    $('create-form').addEventListener('submit', createApp);
    $('apps-body').addEventListener('click', onAppsClick);
    $('usage-refresh').addEventListener('click', loadUsage);
    $('an-refresh').addEventListener('click', loadAnalytics);
    $('an-close').addEventListener('click', closeAnalytics);
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
