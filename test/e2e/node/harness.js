// What the Node end-to-end tests need around the Node apps: a real ursa-cp
// (free ports, a scratch work dir, the memory store), its REST API, dataplane
// tokens, and apps run under real ursa-dp processes whose JSON stdout lines
// are collected. Every wait is bounded polling; nothing sleeps blindly.
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');

function binaryDir() {
  const dir = process.env.URSA_BINARY_DIR;
  if (!dir) throw new Error('URSA_BINARY_DIR is not set (the build dir holding bin/ursa-cp and bin/ursa-dp)');
  for (const b of ['ursa-cp', 'ursa-dp']) {
    if (!fs.existsSync(path.join(dir, 'bin', b))) {
      throw new Error(`${path.join(dir, 'bin', b)} is missing: build it first (ninja ursa-cp ursa-dp)`);
    }
  }
  return dir;
}

// A port nobody uses right now, below the kernel's ephemeral range so that no
// outgoing connection takes it before the app binds it (grpc-js-xds's
// XdsServer binds every interface, whatever host it was given: check "::").
const usedPorts = new Set();
function ephemeralLow() {
  try {
    return Number(fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
  } catch (_) {
    return 32768;
  }
}
function canBind(port) {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.unref();
    s.once('error', () => resolve(false));
    s.listen({ port, host: '::' }, () => s.close(() => resolve(true)));
  });
}
async function freePort() {
  // The 2000 ports just below the ephemeral range: the C++ tests take theirs
  // below these (test/support/processes.h), so the two never collide.
  const high = Math.min(ephemeralLow(), 65536) - 1;
  const low = high - 2000;
  for (let i = 0; i < 200; i++) {
    const port = low + Math.floor(Math.random() * (high - low));
    if (usedPorts.has(port)) continue;
    if (await canBind(port)) {
      usedPorts.add(port);
      return port;
    }
  }
  throw new Error('no free port found');
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// An error that ends waitFor at once (e.g. a process the wait needs died).
class Fatal extends Error {}

// Polls `probe` (sync or async; truthy = done) every `every` ms until
// `timeoutMs`; on timeout throws with `what` and the last value or error.
async function waitFor(what, probe, { timeoutMs = 20000, every = 100 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      last = await probe();
      if (last) return last;
    } catch (e) {
      if (e instanceof Fatal) throw e;
      last = e;
    }
    if (Date.now() >= deadline) {
      const detail = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${detail})`);
    }
    await sleep(every);
  }
}

// A child process whose stdout/stderr lines are kept (JSON lines parsed into
// `events`) and copied to a log file.
class Proc {
  constructor(name, argv, { env, logDir }) {
    this.name = name;
    this.lines = [];
    this.events = [];
    this.exited = null;
    this.logFile = path.join(logDir, `${name}.log`);
    const log = fs.createWriteStream(this.logFile);
    this.child = spawn(argv[0], argv.slice(1), {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,  // its own process group: stop() reaches ursa-dp and its app
    });
    const onLine = (line) => {
      log.write(line + '\n');
      this.lines.push(line);
      if (line.startsWith('{')) {
        try {
          this.events.push(JSON.parse(line));
        } catch (_) { /* not ours */ }
      }
    };
    readline.createInterface({ input: this.child.stdout }).on('line', onLine);
    readline.createInterface({ input: this.child.stderr }).on('line', onLine);
    this.done = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        this.exited = { code, signal };
        resolve(this.exited);
      });
    });
  }

  alive() { return this.exited === null; }

  tail(n = 15) { return this.lines.slice(-n).join('\n'); }

  // SIGTERM to the group, SIGKILL after `graceMs`.
  async stop(graceMs = 5000) {
    if (!this.alive()) return this.exited;
    try { process.kill(-this.child.pid, 'SIGTERM'); } catch (_) { /* gone */ }
    const timer = setTimeout(() => {
      try { process.kill(-this.child.pid, 'SIGKILL'); } catch (_) { /* gone */ }
    }, graceMs);
    const r = await this.done;
    clearTimeout(timer);
    return r;
  }
}

class ControlPlane {
  static async start({ scratch }) {
    const bin = binaryDir();
    const cp = new ControlPlane();
    cp.scratch = scratch;
    cp.bin = bin;
    cp.procs = [];
    cp.ports = {
      http: await freePort(), https: await freePort(), dp: await freePort(), diag: await freePort(),
    };
    const work = path.join(scratch, 'cp');
    fs.mkdirSync(work, { recursive: true });
    cp.work = work;
    cp.proc = new Proc('ursa-cp', [path.join(bin, 'bin', 'ursa-cp'), 'run'], {
      logDir: scratch,
      env: {
        HOME: scratch,
        URSA_GENERAL_WORK_DIR: work,
        URSA_STORE_TYPE: 'memory',
        URSA_API_SERVER_HTTP_PORT: String(cp.ports.http),
        URSA_API_SERVER_HTTPS_PORT: String(cp.ports.https),
        URSA_DP_SERVER_PORT: String(cp.ports.dp),
        URSA_DIAGNOSTICS_SERVER_PORT: String(cp.ports.diag),
        // A stopped instance's Dataplane goes away quickly.
        URSA_XDS_DATAPLANE_DEREGISTRATION_DELAY: '1s',
      },
    });
    cp.procs.push(cp.proc);
    await waitFor('ursa-cp /ready', async () => {
      if (!cp.proc.alive()) throw new Fatal(`ursa-cp exited: ${cp.proc.tail()}`);
      const r = await fetch(`http://127.0.0.1:${cp.ports.diag}/ready`).catch(() => null);
      return r && r.ok;
    }, { timeoutMs: 30000 });
    return cp;
  }

  async api(method, urlPath, body) {
    const res = await fetch(`http://127.0.0.1:${this.ports.http}${urlPath}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let json = null;
    try { json = JSON.parse(text); } catch (_) { /* text */ }
    return { status: res.status, text, json };
  }

  async mustApi(method, urlPath, body) {
    const r = await this.api(method, urlPath, body);
    if (r.status < 200 || r.status >= 300) {
      throw new Error(`${method} ${urlPath}: ${r.status} ${r.text}`);
    }
    return r;
  }

  async dataplaneToken(name, mesh = 'default') {
    return (await this.mustApi('POST', '/tokens/dataplane', { name, mesh })).text;
  }

  // Registers `dataplane` (an object) through `ursa-dp run --proxy grpc`
  // and runs `app` (argv) under it.
  async runProxyless(dataplane, app) {
    const name = dataplane.name;
    const dir = path.join(this.scratch, name);
    fs.mkdirSync(dir, { recursive: true });
    const dpFile = path.join(dir, 'dataplane.json');
    const tokenFile = path.join(dir, 'token');
    fs.writeFileSync(dpFile, JSON.stringify(dataplane));
    fs.writeFileSync(tokenFile, await this.dataplaneToken(name, dataplane.mesh));
    const p = new Proc(name, [
      path.join(this.bin, 'bin', 'ursa-dp'), 'run',
      '--cp-address', `https://127.0.0.1:${this.ports.dp}`,
      '--dataplane-file', dpFile,
      '--dataplane-token-file', tokenFile,
      '--ca-cert-file', path.join(this.work, 'dp-server.crt'),
      '--work-dir', path.join(dir, 'work'),
      '--proxy', 'grpc',
      '--', ...app,
    ], { logDir: this.scratch, env: {} });
    this.procs.push(p);
    return p;
  }

  async stop() {
    await Promise.all(this.procs.filter((p) => p !== this.proc).map((p) => p.stop()));
    await this.proc.stop();
  }
}

// A Dataplane `name` of mesh `mesh` with one gRPC inbound of `service` on
// 127.0.0.1:`port`.
function grpcDataplane(name, service, port, mesh = 'default') {
  return {
    type: 'Dataplane', mesh, name,
    networking: {
      address: '127.0.0.1',
      inbound: [{ port, tags: { 'kuma.io/service': service, 'kuma.io/protocol': 'grpc' } }],
    },
  };
}

function scratchDir(prefix) {
  const base = process.env.URSA_TEST_TMPDIR || os.tmpdir();
  return fs.mkdtempSync(path.join(base, `${prefix}-`));
}

module.exports = { ControlPlane, Proc, Fatal, freePort, waitFor, sleep, scratchDir, grpcDataplane };
