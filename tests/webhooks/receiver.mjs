// A webhook receiver on loopback for tests/integration/test_webhooks.py. Every delivery is checked with the
// reference verifier of the Standard Webhooks specification (the `standardwebhooks` package), once per secret
// the test registered, never with ocrgate's own code.
//
//   node receiver.mjs PORT        prints "ready PORT" once listening
//   POST /hook/NAME               a delivery: verified, logged, answered as the test scripted
//   POST /control/NAME            {"secrets": [...], "script": [{status, retryAfter, hang, delayMs, location}],
//                                  "default": {...}, "reset": true} sets how NAME answers
//   GET  /control/NAME            {"log": [...], "maxInFlightPerId": n}
import http from "node:http";
import { Webhook } from "standardwebhooks";

const port = Number(process.argv[2]);
const hooks = new Map();

function hook(name) {
  if (!hooks.has(name)) {
    hooks.set(name, { secrets: [], script: [], dflt: { status: 200 }, log: [], inFlight: new Map(), maxInFlight: 0 });
  }
  return hooks.get(name);
}

function readBody(req) {
  return new Promise((resolve) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
  });
}

function verifyWith(secret, body, headers) {
  try {
    new Webhook(secret).verify(body, headers);
    return true;
  } catch (e) {
    return false;
  }
}

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, "http://x");
  const [, kind, name] = url.pathname.split("/");
  const body = await readBody(req);
  if (kind === "control" && req.method === "POST") {
    const h = hook(name);
    const c = JSON.parse(body);
    if (c.reset) { h.log = []; h.maxInFlight = 0; }
    if (c.secrets) h.secrets = c.secrets;
    if (c.script) h.script = c.script;
    if (c.default) h.dflt = c.default;
    res.writeHead(204).end();
    return;
  }
  if (kind === "control") {
    const h = hook(name);
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ log: h.log, maxInFlightPerId: h.maxInFlight }));
    return;
  }
  if (kind !== "hook" || req.method !== "POST") {
    res.writeHead(404).end();
    return;
  }
  const h = hook(name);
  const id = req.headers["webhook-id"] || "";
  const n = (h.inFlight.get(id) || 0) + 1;
  h.inFlight.set(id, n);
  h.maxInFlight = Math.max(h.maxInFlight, n);
  let parsed = null;
  try { parsed = JSON.parse(body); } catch (e) { /* logged as null */ }
  const action = h.script.length > 0 ? h.script.shift() : h.dflt;
  const entry = {
    id,
    timestamp: req.headers["webhook-timestamp"] || null,
    signature: req.headers["webhook-signature"] || null,
    contentType: req.headers["content-type"] || null,
    verified: h.secrets.map((s) => verifyWith(s, body, req.headers)),
    type: parsed ? parsed.type : null,
    data: parsed ? parsed.data : null,
    receivedAt: Date.now() / 1000,
    answered: action.hang ? null : action.status,
  };
  h.log.push(entry);
  const done = () => h.inFlight.set(id, h.inFlight.get(id) - 1);
  if (action.hang) {
    req.socket.on("close", done);
    return; // never answers: the sender's timeout, or its death, ends the exchange
  }
  setTimeout(() => {
    const headers = { "content-type": "text/plain" };
    if (action.retryAfter !== undefined) headers["retry-after"] = String(action.retryAfter);
    if (action.location) headers["location"] = action.location;
    done();
    res.writeHead(action.status, headers).end(action.body || "answered " + action.status);
  }, action.delayMs || 0);
});

server.keepAliveTimeout = 30000;
server.listen(port, "127.0.0.1", () => console.log(`ready ${port}`));
