// Drives the license holder's portal (/portal/) in Debian's Chromium against real US and EU gateways.
// Started by tests/integration/test_portal.py, which seeds the licenses and generates traffic first.
// Environment: PORTAL_US, PORTAL_EU (https://localhost:PORT), LICENSE_ID, ADMIN_KEY, EU_LICENSE_ID, EU_ADMIN_KEY,
// ARTIFACTS_DIR (screenshots), TESTDATA (tests/data), TRAFFIC_APP_ID (the app that tries documents), THREE_PAGE_TIF
// (phototest.tif three times); optional: CA_FILE (gateway certificate), CHROMIUM (browser binary),
// TRAFFIC_APP_ID and TRAFFIC_MIN_REQUESTS / TRAFFIC_MIN_4XX / TRAFFIC_MIN_PAGES / TRAFFIC_MIN_JOBS (what the
// analytics of that app must show at least).
// Output is TAP-like; the exit status is 0 only when every step passed and the browser saw no CSP violation.
import fs from 'node:fs';
import crypto from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { chromium } from 'playwright-core';

const need = ['PORTAL_US', 'PORTAL_EU', 'LICENSE_ID', 'ADMIN_KEY', 'EU_LICENSE_ID', 'EU_ADMIN_KEY', 'ARTIFACTS_DIR', 'TESTDATA',
  'TRAFFIC_APP_ID', 'THREE_PAGE_TIF'];
for (const k of need) {
  if (!process.env[k]) {
    console.log(`Bail out! environment variable ${k} is not set`);
    process.exit(2);
  }
}
const E = process.env;
const US = E.PORTAL_US.replace(/\/+$/, '');
const EU = E.PORTAL_EU.replace(/\/+$/, '');
const ART = E.ARTIFACTS_DIR;
const BROWSER = E.CHROMIUM || '/usr/bin/chromium';
const minOf = (k, d) => Number(E[k] || d);
const fmt1 = (v) => Number(v).toLocaleString('en-US', { maximumFractionDigits: 1 });
const EXPECTED_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
  "connect-src 'self' https:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
fs.mkdirSync(ART, { recursive: true });

/* ---------- plain HTTPS client for checks outside the browser ---------- */

const agent = new https.Agent(E.CA_FILE ? { ca: fs.readFileSync(E.CA_FILE) } : { rejectUnauthorized: false });

function call(base, method, p, headers = {}, body) {
  return new Promise((resolve, reject) => {
    const u = new URL(base + p);
    const data = body === undefined ? undefined : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    const h = { ...headers };
    if (data) {
      h['Content-Type'] = h['Content-Type'] || 'application/json';
      h['Content-Length'] = data.length;
    }
    const req = https.request({ method, hostname: u.hostname, port: u.port, path: u.pathname + u.search, headers: h, agent,
      servername: u.hostname === 'localhost' ? 'localhost' : undefined, timeout: 15000 }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json = null;
        try { json = JSON.parse(text); } catch { /* not JSON */ }
        resolve({ status: res.statusCode, headers: res.headers, text, json });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${p} timed out`)));
    req.on('error', reject);
    if (data) req.write(data);
    req.end();
  });
}

const admin = (lic, key) => ({ 'X-License-Id': lic, Authorization: 'Bearer ' + key });
const tenant = (lic, app) => ({ 'X-License-Id': lic, 'X-App-Id': app });
let usKey = E.ADMIN_KEY;       // rotated by the key step; every key the tab used is checked against URLs and storage
const usedKeys = [E.ADMIN_KEY];
const usAdmin = (m, p, b) => call(US, m, p, admin(E.LICENSE_ID, usKey), b);

/* ---------- tiny TAP runner ---------- */

let n = 0, failed = 0, skipped = 0, bailed = false;
let page = null;

function assert(cond, msg) { if (!cond) throw new Error(msg); }
function eq(got, want, what) { if (got !== want) throw new Error(`${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`); }
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function shot(name) {
  if (page && !page.isClosed()) {
    try { await page.mouse.move(0, 0); await page.screenshot({ path: path.join(ART, `portal-${name}.png`), fullPage: true }); } catch { /* best effort */ }
  }
}

async function step(name, fn, always = false) {
  n++;
  if (bailed && !always) {
    skipped++;
    console.log(`ok ${n} - ${name} # SKIP earlier step failed`);
    return;
  }
  const t0 = Date.now();
  try {
    await fn();
    console.log(`ok ${n} - ${name} (${((Date.now() - t0) / 1000).toFixed(1)}s)`);
  } catch (e) {
    failed++;
    bailed = true;
    console.log(`not ok ${n} - ${name}`);
    for (const line of String(e && e.stack || e).split('\n')) console.log('#   ' + line);
    await shot(`fail-${n}`);
  }
}

async function poll(what, fn, ms) {
  const deadline = Date.now() + ms;
  let last;
  for (;;) {
    last = await fn();
    if (last.ok) return last;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms; last: ${last.why}`);
    await sleep(100);
  }
}

const num = (s) => Number(String(s).replace(/[^0-9.]/g, ''));

/* ---------- browser ---------- */

if (!fs.existsSync(BROWSER)) {
  console.log(`Bail out! ${BROWSER} not found: install it with apt-get install -y chromium`);
  process.exit(2);
}
const browser = await chromium.launch({
  executablePath: BROWSER,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--ignore-certificate-errors'],
});
console.log(`# ${BROWSER} ${browser.version()}`);
const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 900 }, acceptDownloads: true });
context.setDefaultTimeout(10000);
// Reports CSP violations as console errors, whatever the page does (init scripts are not subject to the CSP).
await context.addInitScript(() => {
  document.addEventListener('securitypolicyviolation', (e) => {
    console.error(`Content Security Policy violation: ${e.effectiveDirective} blocked ${e.blockedURI || 'inline'} ` +
      `at ${e.sourceFile}:${e.lineNumber}`);
  });
});

const csp = [], pageErrors = [], consoleErrors = [], requestUrls = [], navigations = [];
const analyticsUrls = [];
let cspExpected = false;

function watch(p) {
  p.on('console', (m) => {
    const text = m.text();
    if (/Content Security Policy|Refused to (load|execute|apply|connect|frame)/i.test(text)) {
      if (!cspExpected) csp.push(text);
      console.log(`# console ${m.type()}${cspExpected ? ' (expected)' : ''}: ${text}`);
    } else if (m.type() === 'error' || m.type() === 'warning') {
      console.log(`# console ${m.type()}: ${text}`);
      // The 401s of the wrong-key and wrong-region sign-ins, and of nothing else, are expected in the console.
      // So is the one a step provokes on purpose (a garbage upload's 415).
      if (m.type() === 'error' && !/status of 401/.test(text) &&
          !(expectedStatus && text.includes(`status of ${expectedStatus}`))) consoleErrors.push(text);
    }
  });
  p.on('pageerror', (e) => { pageErrors.push(String(e)); console.log(`# page error: ${e}`); });
  p.on('request', (r) => {
    requestUrls.push(r.url());
    if (r.url().includes('/analytics?')) analyticsUrls.push(r.url());
  });
  p.on('framenavigated', (f) => { if (f === p.mainFrame()) navigations.push(f.url()); });
}

page = await context.newPage();
watch(page);

const S = {
  signin: '#signin', dashboard: '#dashboard', license: '#license-id', key: '#admin-key', submit: '#signin-submit',
  signinError: '#signin-error',
};
const row = (id) => `#apps-body tr[data-app-id="${id}"]`;
const act = (id, a) => `${row(id)} button[data-action="${a}"]`;
const text = async (sel) => (await page.locator(sel).textContent()).trim();

async function signIn(lic, key) {
  await page.fill(S.license, lic);
  await page.fill(S.key, key);
  await page.click(S.submit);
}

async function tenantStatus(app) {
  const r = await call(US, 'GET', '/v1/languages', tenant(E.LICENSE_ID, app));
  return { status: r.status, code: r.json && r.json.errorCode };
}

let usage = null, createdApp = null, newName = null;

await step('portal files are served with the CSP and framing headers', async () => {
  const r = await call(US, 'GET', '/portal/');
  eq(r.status, 200, 'GET /portal/ status');
  assert(/^text\/html/.test(r.headers['content-type'] || ''), `content-type ${r.headers['content-type']}`);
  eq(r.headers['content-security-policy'], EXPECTED_CSP, 'Content-Security-Policy');
  eq(r.headers['x-frame-options'], 'DENY', 'X-Frame-Options');
  const inline = r.text.replace(/<script src="[^"]+" defer><\/script>/g, '')
    .match(/<script\b|<style\b|\sstyle=|\son[a-z]+=|javascript:/i);
  assert(!inline, `index.html has inline script or style: ${inline}`);
  const js = await call(US, 'GET', '/portal/portal.js');
  eq(js.status, 200, 'portal.js status');
  assert(/javascript/.test(js.headers['content-type'] || ''), `portal.js content-type ${js.headers['content-type']}`);
  eq(js.headers['content-security-policy'], EXPECTED_CSP, 'portal.js CSP');
  const css = await call(US, 'GET', '/portal/portal.css');
  eq(css.status, 200, 'portal.css status');
  assert(/^text\/css/.test(css.headers['content-type'] || ''), `portal.css content-type ${css.headers['content-type']}`);
  const idx = await call(US, 'GET', '/portal/index.html');
  eq(idx.status, 200, '/portal/index.html status');
  const bare = await call(US, 'GET', '/portal');
  assert([301, 302, 307, 308].includes(bare.status) && /\/portal\/$/.test(bare.headers.location || ''),
    `/portal should redirect to /portal/, got ${bare.status} ${bare.headers.location}`);
  const missing = await call(US, 'GET', '/portal/nope.js');
  eq(missing.status, 404, '/portal/nope.js status');
  eq(missing.json && missing.json.errorCode, 'NoSuchEndpoint', '/portal/nope.js errorCode');
});

await step('sign-in form is shown', async () => {
  const r = await page.goto(US + '/portal/');
  eq(r.status(), 200, 'page status');
  await page.locator(S.signin).waitFor({ state: 'visible' });
  assert(await page.locator(S.dashboard).isHidden(), 'dashboard visible before sign-in');
  eq(await page.getAttribute(S.key, 'type'), 'password', 'admin key input type');
  await shot('signin');
});

await step('a wrong admin key is refused with a visible error', async () => {
  await signIn(E.LICENSE_ID, 'not-the-admin-key-' + Date.now());
  await page.locator(S.signinError).waitFor({ state: 'visible' });
  eq(await text(S.signinError), 'License ID or admin key not accepted', 'error text');
  assert(await page.locator(S.dashboard).isHidden(), 'dashboard shown after a wrong key');
  // An unknown License ID gets the same answer.
  // Wait for the answer registered before the click, so that a fast answer cannot be missed.
  const answered = page.waitForResponse((r) => r.url().endsWith('/v1/usage'));
  await signIn('00000000-0000-4000-8000-000000000000', E.ADMIN_KEY);
  await answered;
  await page.locator(S.signinError).waitFor({ state: 'visible' });
  eq(await text(S.signinError), 'License ID or admin key not accepted', 'error text for an unknown license');
  await shot('wrong-key');
});

await step('sign-in shows region, tier and the quota window', async () => {
  await signIn(E.LICENSE_ID, E.ADMIN_KEY);
  await page.locator(S.dashboard).waitFor({ state: 'visible' });
  assert(await page.locator(S.signin).isHidden(), 'sign-in form still visible');
  const u = await usAdmin('GET', '/v1/usage');
  eq(u.status, 200, 'GET /v1/usage status');
  usage = u.json;
  await page.waitForFunction(() => document.getElementById('region').textContent.trim() !== '');
  eq(await text('#region'), 'US', 'processing region');
  eq(await text('#tier'), usage.tier, 'tier');
  eq(await text('#license'), E.LICENSE_ID, 'license id');
  const limit = num(await text('#quota-limit')), used = num(await text('#quota-used')),
    remaining = num(await text('#quota-remaining'));
  eq(limit, usage.limit, 'quota limit');
  eq(used + remaining, limit, 'used + remaining');
  assert(used >= 1, `quota used ${used}: the traffic should show`);
  const resets = await text('#quota-resets');
  const want = usage.resetsAt.slice(0, 10) + ' ' + usage.resetsAt.slice(11, 16) + ' UTC';
  eq(resets, want, 'resets at');
  assert((await text('#quota-window')).includes('UTC'), 'quota window shown');
});

await step('the admin key is in no URL, cookie or localStorage', async () => {
  const s = await page.evaluate(() => ({ url: location.href, local: JSON.stringify(localStorage), cookie: document.cookie }));
  for (const [k, v] of Object.entries(s)) assert(!v.includes(E.ADMIN_KEY), `admin key found in ${k}`);
  eq(await page.evaluate(() => localStorage.length), 0, 'localStorage entries');
});

await step('the app list matches GET /v1/apps', async () => {
  const r = await usAdmin('GET', '/v1/apps');
  eq(r.status, 200, 'GET /v1/apps status');
  const want = r.json.apps;
  await page.locator('#apps-body tr').first().waitFor();
  eq(await page.locator('#apps-body tr').count(), want.length, 'rows');
  for (const a of want) {
    eq(await text(`${row(a.appId)} td.name`), a.name, `name of ${a.appId}`);
    eq(await text(`${row(a.appId)} .badge`), a.enabled ? 'enabled' : 'disabled', `status of ${a.appId}`);
  }
  if (E.TRAFFIC_APP_ID) assert(want.some((a) => a.appId === E.TRAFFIC_APP_ID), 'traffic app not listed');
  await shot('dashboard');
});

await step('create an app', async () => {
  const name = 'browser-test ' + Date.now();
  await page.fill('#new-app-name', name);
  await page.click('#create-app');
  const cell = page.locator('#apps-body tr td.name', { hasText: name });
  await cell.waitFor();
  createdApp = await cell.locator('xpath=..').getAttribute('data-app-id');
  assert(/^[0-9a-f-]{36}$/.test(createdApp || ''), `app id ${createdApp}`);
  eq(await text(`${row(createdApp)} .badge`), 'enabled', 'new app status');
  const r = await usAdmin('GET', '/v1/apps');
  const a = r.json.apps.find((x) => x.appId === createdApp);
  assert(a && a.name === name && a.enabled === true, `API does not list the new app: ${r.text}`);
  eq(await page.inputValue('#new-app-name'), '', 'name field cleared');
});

await step('the new app can call the tenant API', async () => {
  await poll('tenant call 200', async () => {
    const s = await tenantStatus(createdApp);
    return { ok: s.status === 200, why: JSON.stringify(s) };
  }, 2000);
});

await step('rename the app', async () => {
  newName = 'renamed ' + Date.now();
  await page.click(act(createdApp, 'rename'));
  await page.fill(`${row(createdApp)} .rename-input`, newName);
  await page.click(act(createdApp, 'rename-save'));
  await page.locator(`${row(createdApp)} td.name`, { hasText: newName }).waitFor();
  assert(await page.locator(`${row(createdApp)} .rename-input`).count() === 0, 'rename field still open');
  const r = await usAdmin('GET', '/v1/apps');
  eq(r.json.apps.find((x) => x.appId === createdApp).name, newName, 'name from the API');
});

await step('disable the app: its calls get 401 AppDisabled', async () => {
  await page.click(act(createdApp, 'disable'));
  await page.locator(`${row(createdApp)} .badge`, { hasText: 'disabled' }).waitFor();
  await poll('tenant call 401 AppDisabled', async () => {
    const s = await tenantStatus(createdApp);
    return { ok: s.status === 401 && s.code === 'AppDisabled', why: JSON.stringify(s) };
  }, 2000);
  const r = await usAdmin('GET', '/v1/apps');
  eq(r.json.apps.find((x) => x.appId === createdApp).enabled, false, 'enabled from the API');
  await shot('disabled');
});

await step('enable the app again: its calls succeed', async () => {
  await page.click(act(createdApp, 'enable'));
  await page.locator(`${row(createdApp)} .badge`, { hasText: 'enabled' }).waitFor();
  await poll('tenant call 200', async () => {
    const s = await tenantStatus(createdApp);
    return { ok: s.status === 200, why: JSON.stringify(s) };
  }, 2000);
});

const totalsOf = async () => {
  const out = {};
  for (const k of ['requests', '2xx', '4xx', '5xx', 'pages', 'jobsCreated', 'jobsCompleted'])
    out[k] = num(await text(`[data-total="${k}"] .v`));
  return out;
};

let shownTotals = null;
const trafficApp = E.TRAFFIC_APP_ID;

await step('analytics of the traffic app show the traffic (last 24 hours)', async () => {
  assert(trafficApp, 'TRAFFIC_APP_ID not set');
  await page.click(act(trafficApp, 'analytics'));
  await page.locator('#analytics').waitFor({ state: 'visible' });
  eq(await page.getAttribute('button[data-range="24h"]', 'aria-pressed'), 'true', '24h chosen by default');
  const want = { requests: minOf('TRAFFIC_MIN_REQUESTS', 1), '4xx': minOf('TRAFFIC_MIN_4XX', 0),
    pages: minOf('TRAFFIC_MIN_PAGES', 0), jobsCreated: minOf('TRAFFIC_MIN_JOBS', 0) };
  // The gateways flush analytics from memory every few seconds; refresh until the totals show everything.
  await poll('analytics totals', async () => {
    await page.waitForFunction(() => !document.getElementById('analytics').classList.contains('loading'));
    const t = await page.locator('[data-total="requests"] .v').count() ? await totalsOf() : {};
    const short = Object.entries(want).filter(([k, v]) => !(t[k] >= v));
    if (short.length) {
      await page.click('#an-refresh');
      await sleep(400);
    }
    return { ok: short.length === 0, why: `shown ${JSON.stringify(t)}, want at least ${JSON.stringify(want)}` };
  }, 20000);
  shownTotals = await totalsOf();
  // The page shows what the API answers for the same query.
  const last = new URL(analyticsUrls[analyticsUrls.length - 1]);
  eq(last.searchParams.get('granularity'), 'hour', 'granularity');
  const span = Date.parse(last.searchParams.get('to')) - Date.parse(last.searchParams.get('from'));
  assert(span > 23 * 3600e3 && span <= 24 * 3600e3, `24 h range spans ${span} ms`);
  const r = await usAdmin('GET', last.pathname + last.search);
  eq(r.status, 200, 'analytics status');
  eq(shownTotals.requests, r.json.totals.requests, 'requests shown vs API');
  eq(shownTotals['4xx'], r.json.totals.responses['4xx'], '4xx shown vs API');
  eq(shownTotals.pages, r.json.totals.pages, 'pages shown vs API');
  eq(shownTotals.jobsCreated, r.json.totals.jobs.created, 'jobs created shown vs API');
  // Charts: one slot per hour, bars where there was traffic, latency points.
  eq(await page.locator('#chart-requests g[data-bucket]').count(), 24, 'request chart buckets');
  assert(await page.locator('#chart-requests rect.bar.b-req').count() >= 1, 'no request bars');
  if (want['4xx'] > 0) assert(await page.locator('#chart-requests rect.bar.b-err4').count() >= 1, 'no 4xx bars');
  if (want.pages > 0) assert(await page.locator('#chart-pages rect.bar.b-pages').count() >= 1, 'no page bars');
  for (const p of ['l-p50', 'l-p95', 'l-p99'])
    assert(await page.locator(`#chart-latency .${p} circle.dot`).count() >= 1, `no ${p} points`);
  const p50 = await text('[data-total="p50"] .v'), p99 = await text('[data-total="p99"] .v');
  assert(/ms|s$/.test(p50) && /ms|s$/.test(p99), `latency totals ${p50} ${p99}`);
  await page.locator('#analytics').scrollIntoViewIfNeeded();
  await shot('analytics-24h');
});

async function chooseRange(range, granularity, buckets, days) {
  const before = analyticsUrls.length;
  await page.click(`button[data-range="${range}"]`);
  await poll('analytics request', async () => ({ ok: analyticsUrls.length > before, why: 'no request' }), 5000);
  await page.waitForFunction(() => !document.getElementById('analytics').classList.contains('loading'));
  eq(await page.getAttribute(`button[data-range="${range}"]`, 'aria-pressed'), 'true', `${range} pressed`);
  const u = new URL(analyticsUrls[analyticsUrls.length - 1]);
  eq(u.searchParams.get('granularity'), granularity, 'granularity');
  const span = Date.parse(u.searchParams.get('to')) - Date.parse(u.searchParams.get('from'));
  assert(span > (days - 1) * 86400e3 && span <= days * 86400e3, `${range} range spans ${span} ms`);
  eq(await page.locator('#chart-requests g[data-bucket]').count(), buckets, 'request chart buckets');
  const t = await totalsOf();
  assert(t.requests >= shownTotals.requests, `requests over ${range} ${t.requests} < ${shownTotals.requests} over 24 h`);
  eq(t.pages, shownTotals.pages, `pages over ${range}`);
  assert(await page.locator('#chart-requests rect.bar.b-req').count() >= 1, 'no request bars');
  await page.locator('#analytics').scrollIntoViewIfNeeded();
  await shot(`analytics-${range}`);
}

await step('analytics over the last 7 days (hourly)', () => chooseRange('7d', 'hour', 168, 7));
await step('analytics over the last 30 days (daily)', () => chooseRange('30d', 'day', 30, 30));

await step('delete the app after a confirm step: its calls get 401', async () => {
  await page.click(act(createdApp, 'delete'));
  await page.locator(act(createdApp, 'delete-confirm')).waitFor();
  await shot('delete-confirm');
  // Nothing is deleted before the confirmation.
  let r = await usAdmin('GET', '/v1/apps');
  assert(r.json.apps.some((x) => x.appId === createdApp), 'app deleted before confirming');
  await page.click(act(createdApp, 'cancel'));
  await page.locator(act(createdApp, 'delete')).waitFor();
  await page.click(act(createdApp, 'delete'));
  await page.click(act(createdApp, 'delete-confirm'));
  await page.locator(row(createdApp)).waitFor({ state: 'detached' });
  r = await usAdmin('GET', '/v1/apps');
  assert(!r.json.apps.some((x) => x.appId === createdApp), 'API still lists the deleted app');
  await poll('tenant call 401', async () => {
    const s = await tenantStatus(createdApp);
    return { ok: s.status === 401 && ['AppDisabled', 'InvalidCredentials'].includes(s.code), why: JSON.stringify(s) };
  }, 2000);
  const again = await usAdmin('DELETE', `/v1/apps/${createdApp}`);
  eq(again.status, 404, 'deleting it again');
});

/* ---------- Try it, Jobs, Webhooks, Keys ---------- */

const LOW = 60;
const trafficTenant = () => tenant(E.LICENSE_ID, trafficApp);
let expectedStatus = null;             // a 4xx the step provokes on purpose: its console line is expected
let tryJobId = null;

async function openTab(name) {
  await page.click(`#tab-${name}`);
  await page.locator(`#panel-${name}`).waitFor({ state: 'visible' });
  eq(await page.getAttribute(`#tab-${name}`, 'aria-selected'), 'true', `${name} tab selected`);
}

async function pickApp(sel, appId) {
  await page.locator(`${sel} option[value="${appId}"]`).waitFor({ state: 'attached' });
  await page.selectOption(sel, appId);
}

/* Uploads a file in Try it and waits until the job is over; returns the job object from the API. */
async function tryDocument(file, expectWords, pages = '') {
  await openTab('try');
  await pickApp('#try-app', trafficApp);
  await page.locator('#try-outputs input[name="pdf"]').waitFor();
  await page.selectOption('#try-langs', ['eng']);
  await page.fill('#try-pages', pages);
  await page.setInputFiles('#try-file', file);
  const created = page.waitForResponse((r) => r.url().endsWith('/v1/jobs') && r.request().method() === 'POST');
  await page.click('#try-submit');
  const res = await created;
  eq(res.status(), 201, 'POST /v1/jobs status');
  const jobId = (await res.json()).jobId;
  await page.locator('#try-job', { hasText: jobId }).waitFor();
  await page.locator('#try-status', { hasText: 'completed' }).waitFor({ timeout: 120000 });
  await page.locator('#try-downloads button[data-format]').first().waitFor();
  await poll('word boxes drawn', async () => {
    const n = await page.locator('#try-pages-view rect.word').count();
    return { ok: n >= expectWords, why: `${n} boxes` };
  }, 20000);
  const j = await call(US, 'GET', `/v1/jobs/${jobId}`, trafficTenant());
  eq(j.status, 200, 'job from the API');
  return j.json;
}

/* The words of page 1 from the API, and the boxes as the page drew them over its image. */
async function boxesOfPage1(jobId) {
  const r = await call(US, 'GET', `/v1/jobs/${jobId}/pages/1/results/json`, trafficTenant());
  eq(r.status, 200, 'page JSON status');
  const pg = r.json.pages ? r.json.pages[0] : r.json;
  const drawn = await page.evaluate(() => {
    const v = document.querySelector('#try-pages-view .page-view[data-page="1"]');
    const img = v.querySelector('img'), svg = v.querySelector('svg.boxes');
    const ir = img.getBoundingClientRect();
    return {
      src: img.src.slice(0, 22), natural: [img.naturalWidth, img.naturalHeight], shown: [ir.width, ir.height],
      viewBox: svg.getAttribute('viewBox'),
      rects: [...svg.querySelectorAll('rect.word')].map((r) => {
        const b = r.getBoundingClientRect();
        return { low: r.classList.contains('low'), x: b.left - ir.left, y: b.top - ir.top, w: b.width, h: b.height,
          label: r.getAttribute('aria-label'), stroke: getComputedStyle(r).stroke, dash: getComputedStyle(r).strokeDasharray };
      }),
    };
  });
  return { pg, drawn };
}

await step('try it: phototest.tif shows every word boxed, its text, and a PDF download', async () => {
  const job = await tryDocument(path.join(E.TESTDATA, 'phototest.tif'), 40);
  tryJobId = job.jobId;
  eq(job.status, 'completed', 'job status');
  const { pg, drawn } = await boxesOfPage1(job.jobId);
  assert(drawn.rects.length >= 40, `${drawn.rects.length} word boxes drawn, want at least 40`);
  eq(drawn.rects.length, pg.words.length, 'one box per word of the JSON result');
  eq(drawn.src, 'data:image/png;base64,', 'page image shown from a data: URL');
  eq(drawn.viewBox, `0 0 ${pg.width} ${pg.height}`, 'boxes in page pixels');
  eq(drawn.rects.filter((r) => r.low).length, pg.words.filter((w) => w.confidence < LOW).length, 'low-confidence boxes');
  // Each box sits where the JSON puts its word, at the scale the image is shown.
  const k = drawn.shown[0] / pg.width;
  pg.words.forEach((w, i) => {
    const r = drawn.rects[i];
    assert(Math.abs(r.x - w.box.x * k) < 1.5 && Math.abs(r.y - w.box.y * k) < 1.5 && Math.abs(r.w - w.box.w * k) < 1.5,
      `box ${i} (${w.text}) drawn at ${JSON.stringify(r)}, JSON box ${JSON.stringify(w.box)} at scale ${k}`);
  });
  const textShown = await text('#try-pages-view .page-view[data-page="1"] .pv-text');
  assert(/quick brown/.test(textShown), `page text does not show "quick brown": ${textShown.slice(0, 200)}`);
  eq(await text('#try-page-list li[data-page="1"]').then((t) => t.startsWith('Page 1: completed')), true, 'page list');
  // Hover shows the word and its confidence.
  const first = page.locator('#try-pages-view rect.word').first();
  await first.hover();
  const tip = page.locator('#try-pages-view .tip');
  await tip.waitFor({ state: 'visible' });
  eq(await tip.textContent(), `${pg.words[0].text} ${fmt1(pg.words[0].confidence)} %`, 'tooltip on hover');
  // So does keyboard focus, and the arrow keys move from word to word.
  await page.mouse.move(0, 0);
  await first.focus();
  await page.keyboard.press('ArrowRight');
  eq(await page.evaluate(() => document.activeElement.getAttribute('data-i')), '1', 'ArrowRight focuses the next word');
  eq(await tip.textContent(), `${pg.words[1].text} ${fmt1(pg.words[1].confidence)} %`, 'tooltip on focus');
  eq(drawn.rects[1].label, `${pg.words[1].text}, confidence ${fmt1(pg.words[1].confidence)} %`, 'accessible name of a word');
  await shot('try-it');
  // Every output has a download; the PDF one saves a PDF, fetched with the headers (no credential in its URL).
  const formats = (await page.locator('#try-downloads button[data-format]').evaluateAll((bs) => bs.map((b) => b.dataset.format)));
  eq(formats.join(','), Object.keys(job.results).join(','), 'a download per output');
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#try-downloads button[data-format="pdf"]')]);
  eq(dl.suggestedFilename(), 'phototest.pdf', 'PDF file name');
  const bytes = fs.readFileSync(await dl.path());
  eq(bytes.subarray(0, 5).toString('latin1'), '%PDF-', 'the download is a PDF');
  assert(bytes.length > 1000, `PDF of ${bytes.length} bytes`);
  assert(dl.url().startsWith('blob:'), `download URL ${dl.url()}`);
  const [tx] = await Promise.all([page.waitForEvent('download'), page.click('#try-downloads button[data-format="text"]')]);
  eq(tx.suggestedFilename(), 'phototest.txt', 'text file name');
  assert(/quick brown/.test(fs.readFileSync(await tx.path(), 'utf8')), 'the text download holds the text');
});

await step('try it: a large page is fetched scaled and its boxes are scaled to match', async () => {
  const job = await tryDocument(path.join(E.TESTDATA, '8087_054.3B.tif'), 40);
  const { pg, drawn } = await boxesOfPage1(job.jobId);
  assert(pg.width > 1200, `test page is ${pg.width} px wide`);
  assert(requestUrls.some((u) => u.includes(`/v1/jobs/${job.jobId}/pages/1/image?width=1200`)), 'no scaled image request');
  eq(drawn.natural[0], 1200, 'image fetched 1200 px wide');
  eq(drawn.viewBox, `0 0 ${pg.width} ${pg.height}`, 'boxes in page pixels');
  eq(drawn.rects.length, pg.words.length, 'one box per word');
  const k = drawn.shown[0] / pg.width;
  for (const i of [0, Math.floor(pg.words.length / 2), pg.words.length - 1]) {
    const w = pg.words[i], r = drawn.rects[i];
    assert(Math.abs(r.x - w.box.x * k) < 1.5 && Math.abs(r.y - w.box.y * k) < 1.5, `box ${i} misplaced: ${JSON.stringify(r)}`);
  }
  const low = pg.words.filter((w) => w.confidence < LOW).length;
  eq(drawn.rects.filter((r) => r.low).length, low, 'low-confidence boxes');
  assert(low > 0, 'this scan should have words below 60 % confidence');
  const a = drawn.rects.find((r) => !r.low), b = drawn.rects.find((r) => r.low);
  assert(a.stroke !== b.stroke && a.dash !== b.dash, `low-confidence words look the same: ${a.stroke}/${a.dash} vs ${b.stroke}/${b.dash}`);
  await page.locator('#try-pages-view rect.word.low').first().scrollIntoViewIfNeeded();
  await shot('try-it-large');
});

await step('try it: a three-page TIFF with pages 1,3 shows those two pages, page 2 skipped', async () => {
  // A clean-up option of the form reaches the job (and leaves these clean pages readable).
  await openTab('try');
  await page.check('#try-form input[name="removeColorNoise"]');
  const job = await tryDocument(E.THREE_PAGE_TIF, 40, '1,3');
  await page.uncheck('#try-form input[name="removeColorNoise"]');
  eq(job.options.pages, '1,3', 'pages option sent');
  eq(job.options.removeColorNoise, true, 'removeColorNoise option sent');
  eq(job.document.pages, 3, 'document pages');
  await poll('page views', async () => {
    const v = await page.locator('#try-pages-view .page-view').evaluateAll((vs) => vs.map((x) => x.dataset.page + ':' + x.querySelectorAll('rect.word').length));
    return { ok: v.length === 2 && v[0].startsWith('1:') && v[1].startsWith('3:') && v.every((x) => Number(x.split(':')[1]) >= 40), why: v.join() };
  }, 20000);
  const items = await page.locator('#try-page-list li').allTextContents();
  eq(items.length, 3, 'page list entries');
  assert(items[0].startsWith('Page 1: completed') && items[1] === 'Page 2: skipped' && items[2].startsWith('Page 3: completed'),
    `page list ${items.join(' | ')}`);
  assert((await text('#try-message')).includes('2 of 3'), `progress message ${await text('#try-message')}`);
  await shot('try-it-pages');
});

await step('try it: a garbage upload shows the API\'s message', async () => {
  await openTab('try');
  // Dropped on the drop zone, as a user drags it from the desktop.
  await page.evaluate(() => {
    const dt = new DataTransfer();
    dt.items.add(new File(['this is not a document\n'.repeat(20)], 'garbage.tif', { type: 'image/tiff' }));
    const zone = document.getElementById('try-drop');
    zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
    zone.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  });
  eq(await text('#try-file-name'), 'garbage.tif (460 B)', 'the dropped file is chosen');
  expectedStatus = 415;
  const answered = page.waitForResponse((r) => r.url().endsWith('/v1/jobs') && r.request().method() === 'POST');
  await page.click('#try-submit');
  const res = await answered;
  eq(res.status(), 415, 'status of the garbage upload');
  const body = await res.json();
  await page.locator('#try-error').waitFor({ state: 'visible' });
  eq(await text('#try-error'), body.message, 'the API\'s message is shown');
  assert(body.message.length > 10, `message ${body.message}`);
  await shot('try-it-garbage');
  expectedStatus = null;
});

await step('jobs: the list matches the API, filters by status and correlation id, pages with the cursor', async () => {
  const RUN = Date.now().toString(36);
  // Twelve jobs without a document (status created), so that the created filter needs two pages of ten.
  const made = [];
  for (let i = 0; i < 12; i++) {
    const r = await call(US, 'POST', '/v1/jobs', trafficTenant(), { correlationId: `portal-page-${RUN}-${i}`, autostart: false });
    eq(r.status, 201, 'job without document');
    made.push(r.json.jobId);
  }
  await openTab('jobs');
  await pickApp('#jobs-app', trafficApp);
  await page.selectOption('#jobs-status', '');
  await page.fill('#jobs-corr', '');
  await page.click('#jobs-show');
  const api10 = await call(US, 'GET', '/v1/jobs?limit=10', trafficTenant());
  const ids = async () => page.locator('#jobs-body tr').evaluateAll((rs) => rs.map((r) => r.dataset.jobId));
  await poll('job rows', async () => {
    const got = await ids();
    return { ok: got.join() === api10.json.jobs.map((j) => j.jobId).join(), why: `${got} vs API` };
  }, 5000);
  const tryRow = `#jobs-body tr[data-job-id="${tryJobId}"]`;
  await page.selectOption('#jobs-status', 'completed');
  await poll('completed only', async () => {
    const st = await page.locator('#jobs-body .badge').allTextContents();
    return { ok: st.length > 0 && st.every((x) => x === 'completed'), why: st.join() };
  }, 5000);
  await page.locator(tryRow).waitFor();
  const cells = await page.locator(`${tryRow} td`).allTextContents();
  eq(cells[1], 'phototest.tif', 'document');
  eq(cells[3], '1 / 1', 'pages');
  assert(/^\d+(\.\d)? %$/.test(cells[4]), `confidence ${cells[4]}`);
  await page.selectOption('#jobs-status', '');
  await page.fill('#jobs-corr', `portal-page-${RUN}-3`);
  await page.click('#jobs-show');
  await poll('correlation filter', async () => {
    const c = await page.locator('#jobs-body td.id').allTextContents();
    return { ok: c.length === 1 && c[0] === `portal-page-${RUN}-3`, why: c.join() };
  }, 5000);
  await page.fill('#jobs-corr', '');
  await page.selectOption('#jobs-status', 'created');
  const apiCreated = await call(US, 'GET', '/v1/jobs?status=created&limit=10', trafficTenant());
  const p1 = apiCreated.json.jobs.map((j) => j.jobId);
  await poll('first page of created jobs', async () => ({ ok: (await ids()).join() === p1.join(), why: String(await ids()) }), 5000);
  eq(p1.length, 10, 'a full first page');
  assert(await page.isDisabled('#jobs-newer'), 'Newer enabled on the first page');
  await page.click('#jobs-older');
  const apiNext = await call(US, `GET`, `/v1/jobs?status=created&limit=10&cursor=${encodeURIComponent(apiCreated.json.nextCursor)}`, trafficTenant());
  const p2 = apiNext.json.jobs.map((j) => j.jobId);
  assert(p2.length >= 2, `second page ${p2.length}`);
  await poll('second page', async () => ({ ok: (await ids()).join() === p2.join(), why: String(await ids()) }), 5000);
  eq(await text('#jobs-pageinfo'), 'Page 2', 'page number');
  for (const id of made) assert(p1.includes(id) || p2.includes(id), `job ${id} on neither page`);
  await page.click('#jobs-newer');
  await poll('back to the first page', async () => ({ ok: (await ids()).join() === p1.join(), why: String(await ids()) }), 5000);
  await shot('jobs-list');
});

await step('jobs: a job\'s detail shows its options, pages and results', async () => {
  await page.selectOption('#jobs-status', 'completed');
  const tryRow = `#jobs-body tr[data-job-id="${tryJobId}"]`;
  await page.locator(tryRow).waitFor();
  await page.click(`${tryRow} button[data-action="job-detail"]`);
  await page.locator('#job-detail').waitFor({ state: 'visible' });
  await page.locator('#jd-status:not(:empty)').waitFor();
  eq(await text('#jd-id'), tryJobId, 'job id');
  eq(await text('#jd-status'), 'completed', 'status');
  const facts = await page.locator('#jd-facts').textContent();
  assert(facts.includes('phototest.tif') && facts.includes('image/tiff'), `document facts: ${facts}`);
  const opts = await page.locator('#jd-options dt').allTextContents();
  const job = (await call(US, 'GET', `/v1/jobs/${tryJobId}`, trafficTenant())).json;
  eq(opts.join(','), Object.keys(job.options).join(','), 'every option listed');
  const langDd = await page.locator('#jd-options dt:text-is("languages") + dd').textContent();
  eq(langDd, 'eng', 'languages option');
  await page.locator('#jd-pages tr[data-page="1"]').waitFor();
  eq(await text('#jd-pages tr[data-page="1"] .badge'), 'completed', 'page 1 status');
  eq(await page.locator('#jd-results button[data-format]').count(), Object.keys(job.results).length, 'result downloads');
  assert(await page.isHidden('#jd-cancel'), 'cancel offered for a completed job');
  await shot('job-detail');
});

await step('jobs: cancel a job, then delete it', async () => {
  const r = await call(US, 'POST', '/v1/jobs', trafficTenant(), { correlationId: `portal-cancel-${Date.now().toString(36)}`, autostart: false });
  eq(r.status, 201, 'job to cancel');
  const id = r.json.jobId;
  await page.selectOption('#jobs-status', '');
  await page.fill('#jobs-corr', r.json.correlationId);
  await page.click('#jobs-show');
  await page.locator(`#jobs-body tr[data-job-id="${id}"]`).waitFor();
  await page.click(`#jobs-body tr[data-job-id="${id}"] button[data-action="job-detail"]`);
  await page.locator('#jd-status', { hasText: 'created' }).waitFor();
  await page.click('#jd-cancel');
  await page.locator('#jd-status', { hasText: 'canceled' }).waitFor();
  eq((await call(US, 'GET', `/v1/jobs/${id}`, trafficTenant())).json.status, 'canceled', 'status from the API');
  await page.locator(`#jobs-body tr[data-job-id="${id}"] .badge`, { hasText: 'canceled' }).waitFor();
  assert(await page.isHidden('#jd-cancel'), 'cancel still offered');
  await shot('job-canceled');
  await page.click('#jd-delete');
  await page.locator('#jd-delete-confirm').waitFor();
  eq((await call(US, 'GET', `/v1/jobs/${id}`, trafficTenant())).status, 200, 'deleted before confirming');
  await page.click('#jd-delete-confirm');
  await page.locator('#job-detail').waitFor({ state: 'hidden' });
  await page.locator(`#jobs-body tr[data-job-id="${id}"]`).waitFor({ state: 'detached' });
  eq((await call(US, 'GET', `/v1/jobs/${id}`, trafficTenant())).status, 404, 'job after delete');
});

await step('webhooks: add an endpoint (secret shown once), send a test event to a loopback receiver, see the delivery', async () => {
  const got = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      got.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('ok');
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${server.address().port}/hook`;
  try {
    await openTab('webhooks');
    await pickApp('#wh-app', trafficApp);
    await page.fill('#wh-url', url);
    await page.uncheck('#wh-events input[name="job.failed"]');
    await page.check('#wh-events input[name="job.failed"]');
    await page.click('#wh-add');
    await page.locator('#wh-secret').waitFor({ state: 'visible' });
    const secret = await page.inputValue('#wh-secret-value');
    assert(/^whsec_[A-Za-z0-9+/]{43}=$/.test(secret), `secret ${secret}`);
    const list = await usAdmin('GET', `/v1/apps/${trafficApp}/webhooks`);
    eq(list.status, 200, 'webhook list status');
    assert(!list.text.includes(secret.slice(6)), 'the list shows the secret');
    const w = list.json.webhooks.find((x) => x.url === url);
    assert(w, `endpoint not listed: ${list.text}`);
    eq(w.events.join(','), 'job.completed,job.failed,job.canceled', 'events chosen in the form');
    const id = w.webhookId;
    const rowSel = `#wh-body tr[data-hook-id="${id}"]`;
    await page.locator(rowSel).waitFor();
    eq(await text(`${rowSel} .badge`), 'enabled', 'new endpoint enabled');
    await shot('webhook-added');
    await page.click('#wh-secret-done');
    eq(await page.inputValue('#wh-secret-value'), '', 'secret left in the page');
    // A test event reaches the receiver, signed with that secret.
    await page.click(`${rowSel} button[data-action="hook-test"]`);
    await poll('test event received', async () => ({ ok: got.length > 0, why: 'nothing received' }), 30000);
    const h = got[0].headers;
    assert(h['webhook-id'] && h['webhook-timestamp'] && /^v1,/.test(h['webhook-signature'] || ''), `headers ${JSON.stringify(h)}`);
    const mac = crypto.createHmac('sha256', Buffer.from(secret.slice(6), 'base64'))
      .update(`${h['webhook-id']}.${h['webhook-timestamp']}.${got[0].body}`).digest('base64');
    assert(h['webhook-signature'].split(' ').includes(`v1,${mac}`), 'signature does not verify with the secret shown');
    assert(/webhook\.test/.test(got[0].body), `body ${got[0].body.slice(0, 200)}`);
    // The delivery shows in the endpoint's last deliveries.
    await page.click(`${rowSel} button[data-action="hook-deliveries"]`);
    await poll('delivery listed', async () => {
      await page.click('#whd-refresh');
      await sleep(300);
      const codes = await page.locator('#whd-body .badge').allTextContents();
      return { ok: codes.includes('200'), why: codes.join() };
    }, 30000);
    await shot('webhook-deliveries');
    // Disable and enable again; rotate the secret (shown once); delete after a confirm step.
    await page.click(`${rowSel} button[data-action="hook-disable"]`);
    await page.locator(`${rowSel} .badge`, { hasText: 'disabled' }).waitFor();
    await page.click(`${rowSel} button[data-action="hook-enable"]`);
    await page.locator(`${rowSel} .badge`, { hasText: 'enabled' }).waitFor();
    await page.click(`${rowSel} button[data-action="hook-rotate"]`);
    await page.locator('#wh-secret').waitFor({ state: 'visible' });
    const secret2 = await page.inputValue('#wh-secret-value');
    assert(/^whsec_/.test(secret2) && secret2 !== secret, 'rotated secret');
    await page.click('#wh-secret-done');
    await page.click(`${rowSel} button[data-action="hook-delete"]`);
    await page.click(`${rowSel} button[data-action="hook-delete-confirm"]`);
    await page.locator(rowSel).waitFor({ state: 'detached' });
    const after = await usAdmin('GET', `/v1/apps/${trafficApp}/webhooks`);
    assert(!after.text.includes(url), 'endpoint still listed after delete');
  } finally {
    server.close();
  }
});

async function noOverflow(what) {
  const w = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert(w[0] <= w[1], `${what}: the page is ${w[0]} px wide in a ${w[1]} px viewport`);
}

await step('phone width (390 px): every tab fits, the page view stacks', async () => {
  await page.setViewportSize({ width: 390, height: 844 });
  try {
    for (const t of ['overview', 'try', 'jobs', 'webhooks', 'keys']) {
      await openTab(t);
      await sleep(300);
      await noOverflow(t);
      await shot(`phone-${t}`);
    }
    await openTab('try');
    const [img, pre] = await Promise.all(['#try-pages-view .page-view[data-page="1"] .pv-stage',
      '#try-pages-view .page-view[data-page="1"] .pv-text'].map((s) => page.locator(s).boundingBox()));
    if (img && pre) assert(pre.y >= img.y + img.height - 1, 'text beside the image at phone width instead of below');
    assert(img && img.width <= 390, `page image ${img && img.width} px wide`);
  } finally {
    await page.setViewportSize({ width: 1280, height: 900 });
  }
});

await step('keys: rotate the admin key; the new one is shown once, the old one is refused, the tab stays signed in', async () => {
  await openTab('keys');
  await page.click('#key-rotate');
  await page.locator('#key-rotate-confirm').waitFor();
  eq((await usAdmin('GET', '/v1/usage')).status, 200, 'key changed before confirming');
  const answered = page.waitForResponse((r) => r.url().endsWith('/v1/license/admin-key'));
  await page.click('#key-rotate-confirm');
  const res = await answered;
  eq(res.status(), 200, 'rotation status');
  await page.locator('#key-new').waitFor({ state: 'visible' });
  const key = await page.inputValue('#key-value');
  assert(/^ocg_[0-9a-f]{64}$/.test(key) && key !== usKey, `new key ${key}`);
  const old = usKey;
  usKey = key;
  usedKeys.push(key);
  const refused = await call(US, 'GET', '/v1/usage', admin(E.LICENSE_ID, old));
  eq(refused.status, 401, 'the old key right after the rotation');
  eq(refused.json.errorCode, 'InvalidCredentials', 'errorCode of the old key');
  eq((await call(US, 'GET', '/v1/usage', admin(E.LICENSE_ID, key))).status, 200, 'the new key');
  await shot('key-rotated');
  // The copy button puts the key on the clipboard.
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: US });
  await page.click('#key-copy');
  await page.locator('#key-copied', { hasText: 'Copied' }).waitFor();
  eq(await page.evaluate(() => navigator.clipboard.readText()), key, 'clipboard');
  await page.evaluate(() => navigator.clipboard.writeText(''));
  await page.click('#key-done');
  assert(await page.isHidden('#key-new'), 'key still shown after Done');
  eq(await page.inputValue('#key-value'), '', 'key left in the page');
  // This tab goes on with the new key, across a reload too.
  await openTab('overview');
  const again = page.waitForResponse((r) => r.url().endsWith('/v1/usage'));
  await page.click('#usage-refresh');
  eq((await again).status(), 200, 'usage with the tab\'s key');
  await page.reload();
  await page.locator(S.dashboard).waitFor({ state: 'visible' });
  await page.waitForFunction(() => document.getElementById('region').textContent.trim() === 'US');
  const st = await page.evaluate(() => JSON.stringify(sessionStorage));
  assert(st.includes(key) && !st.includes(old), 'session storage does not hold the new key alone');
});

await step('keyboard: tabs move with the arrow keys, every control has a label, focus is visible', async () => {
  await page.click('#tab-overview');
  await page.focus('#tab-overview');
  await page.keyboard.press('ArrowRight');
  eq(await page.evaluate(() => document.activeElement.id), 'tab-try', 'ArrowRight moves to the next tab');
  eq(await page.getAttribute('#tab-try', 'aria-selected'), 'true', 'and selects it');
  await page.keyboard.press('End');
  eq(await page.evaluate(() => document.activeElement.id), 'tab-keys', 'End moves to the last tab');
  await page.keyboard.press('Tab');
  eq(await page.evaluate(() => document.activeElement.id), 'key-rotate', 'Tab enters the panel');
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert(outline !== 'none', `no visible focus on a button reached by keyboard (${outline})`);
  const unlabelled = await page.evaluate(() => [...document.querySelectorAll('input, select, textarea, button')]
    .filter((e) => e.type !== 'hidden')
    .filter((e) => !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !(e.textContent || '').trim())
    .map((e) => e.id || e.outerHTML.slice(0, 80)));
  eq(unlabelled.join(', '), '', 'controls without a label');
});

await step('a reload keeps the session of this tab; sign out forgets the key', async () => {
  await page.reload();
  await page.locator(S.dashboard).waitFor({ state: 'visible' });
  await page.waitForFunction(() => document.getElementById('region').textContent.trim() === 'US');
  await page.click('#signout');
  await page.locator(S.signin).waitFor({ state: 'visible' });
  const st = await page.evaluate(() => JSON.stringify(sessionStorage) + JSON.stringify(localStorage));
  for (const k of usedKeys) assert(!st.includes(k), 'admin key still stored after sign-out');
  await page.reload();
  await page.locator(S.signin).waitFor({ state: 'visible' });
});

await step('an EU license at the US portal is sent to the EU portal and signs in there', async () => {
  const navBefore = navigations.length;
  await signIn(E.EU_LICENSE_ID, E.EU_ADMIN_KEY);
  await page.waitForURL((u) => u.href.startsWith(EU + '/portal/'), { timeout: 10000 });
  await page.locator(S.signin).waitFor({ state: 'visible' });
  const navs = navigations.slice(navBefore);
  assert(navs.some((u) => u === `${EU}/portal/#license=${E.EU_LICENSE_ID}&region=EU` ||
    u.startsWith(`${EU}/portal/#license=${E.EU_LICENSE_ID}`)), `no navigation to the EU portal with the license: ${navs}`);
  for (const u of navs) assert(!u.includes(E.EU_ADMIN_KEY), `admin key in URL ${u}`);
  eq(await page.inputValue(S.license), E.EU_LICENSE_ID, 'license id carried over');
  eq(await page.inputValue(S.key), '', 'key field');
  assert((await text('#signin-notice')).includes('EU'), 'notice names the region');
  assert(!page.url().includes('license='), `fragment left in the address bar: ${page.url()}`);
  await shot('eu-signin');
  await page.fill(S.key, E.EU_ADMIN_KEY);
  await page.click(S.submit);
  await page.locator(S.dashboard).waitFor({ state: 'visible' });
  await page.waitForFunction(() => document.getElementById('region').textContent.trim() !== '');
  eq(await text('#region'), 'EU', 'processing region');
  eq(await text('#license'), E.EU_LICENSE_ID, 'license id');
  assert(new URL(page.url()).origin === new URL(EU).origin, `not at the EU portal: ${page.url()}`);
  await shot('eu-dashboard');
});

await step('no admin key in any request URL; only same-origin requests', async () => {
  const keys = usedKeys.concat([E.EU_ADMIN_KEY]).flatMap((k) => [k, encodeURIComponent(k)]);
  for (const u of requestUrls.concat(navigations)) {
    for (const k of keys) assert(!u.includes(k), `admin key in ${u}`);
    if (u.startsWith('data:') || u === 'about:blank') continue;
    // Credentials travel in headers only: no License ID with an App ID or a key in a query string either.
    assert(!/[?&](key|adminKey|appId|licenseId|authorization)=/i.test(u), `credential-like parameter in ${u}`);
    const o = new URL(u).origin;
    assert(o === new URL(US).origin || o === new URL(EU).origin, `request to another origin: ${u}`);
  }
});

await step('the CSP is enforced (an injected inline script does not run)', async () => {
  const p2 = await context.newPage();
  const seen = [];
  p2.on('console', (m) => { if (/Content Security Policy|Refused to execute/i.test(m.text())) seen.push(m.text()); });
  cspExpected = true;
  await p2.goto(US + '/portal/');
  const ran = await p2.evaluate(async () => {
    const s = document.createElement('script');
    s.textContent = 'window.__inline = 1';
    document.body.append(s);
    await new Promise((r) => setTimeout(r, 200));
    return window.__inline === 1;
  });
  eq(ran, false, 'inline script ran');
  await poll('violation reported', async () => ({ ok: seen.length > 0, why: 'no report' }), 2000);
  await p2.close();
  cspExpected = false;
});

await step('no CSP violations, page errors or unexpected console errors', async () => {
  assert(csp.length === 0, `CSP violations:\n${csp.join('\n')}`);
  assert(pageErrors.length === 0, `page errors:\n${pageErrors.join('\n')}`);
  assert(consoleErrors.length === 0, `console errors:\n${consoleErrors.join('\n')}`);
}, true);

await browser.close();
console.log(`1..${n}`);
console.log(`# ${n - failed - skipped} passed, ${failed} failed, ${skipped} skipped after the first failure`);
process.exit(failed ? 1 : 0);
