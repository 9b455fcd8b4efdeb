// Policies as @grpc/grpc-js-xds takes them, against a real ursa-cp: two Echo
// instances (XdsServer) and two clients of service echo-client, one sending
// ordinary calls and one asking the server to hold each call for 3 s
// ("sleep:3000", with a 10 s application deadline), all under real
// `ursa-dp run --proxy grpc`. In order:
//   1. MeshTimeout requestTimeout 1s: grpc-js applies it exactly (no
//      headroom, unlike gRPC C++ 1.51): the slow calls end with
//      DEADLINE_EXCEEDED after 1 s, the ordinary calls still succeed;
//   2. MeshLoadBalancingStrategy RingHash reaches grpc-js as RING_HASH
//      (gRPC C++ 1.51 would get round robin and a warning): accepted (no
//      NACK), calls keep succeeding, and inspection shows no RingHash warning.
'use strict';
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');

const { requireDeps } = require('../echo');
const { ControlPlane, Fatal, freePort, waitFor, scratchDir, grpcDataplane } = require('../harness');

requireDeps();

const NODE_DIR = path.join(__dirname, '..');
const MESH = 'default';
const WINDOW = 10;

const dataplane = (name, service, port) => grpcDataplane(name, service, port, MESH);

describe('policies through @grpc/grpc-js-xds', { timeout: 150000 }, () => {
  let cp;
  const procs = {};
  const calls = (name) => procs[name].events.filter((e) => e.event === 'call');
  const lastWindow = (name, since, n = WINDOW) => {
    const c = calls(name).slice(since);
    return c.length >= n ? c.slice(-n) : null;
  };
  const show = (w) => JSON.stringify(w && w.map((c) => (c.ok ? `${c.instance}:${c.ms}ms` : `E${c.code}:${c.ms}ms`)));
  const checkAlive = () => {
    for (const p of Object.values(procs)) {
      if (!p.alive()) throw new Fatal(`${p.name} exited (${JSON.stringify(p.exited)}):\n${p.tail()}`);
    }
  };

  async function rejected(name) {
    const r = await cp.mustApi('GET', `/meshes/${MESH}/dataplanes+insights/${name}`);
    const subs = (r.json.dataplaneInsight && r.json.dataplaneInsight.subscriptions) || [];
    return subs.flatMap((s) => Object.entries(s.status || {})
      .filter(([, v]) => v && v.responsesRejected > 0).map(([k]) => k));
  }

  before(async () => {
    cp = await ControlPlane.start({ scratch: scratchDir('ursa-node-policies') });
    for (const name of ['echo-1', 'echo-2']) {
      const port = await freePort();
      procs[name] = await cp.runProxyless(dataplane(name, 'echo', port),
        [process.execPath, path.join(NODE_DIR, 'server.js'), name, `127.0.0.1:${port}`]);
    }
    procs['client-1'] = await cp.runProxyless(dataplane('client-1', 'echo-client', await freePort()),
      [process.execPath, path.join(NODE_DIR, 'client.js'), 'xds:///echo.mesh', '40']);
    procs['client-slow'] = await cp.runProxyless(
      dataplane('client-slow', 'echo-client', await freePort()),
      [process.execPath, path.join(NODE_DIR, 'client.js'), 'xds:///echo.mesh', '10', 'sleep:3000', '10000']);
    await waitFor('client-1 calling both instances', () => {
      checkAlive();
      const w = lastWindow('client-1', 0, 20);
      return w && w.every((c) => c.ok) && new Set(w.map((c) => c.instance)).size === 2;
    }, { timeoutMs: 60000 });
  });

  after(async () => {
    if (cp) {
      await cp.stop();
      // eslint-disable-next-line no-console
      console.log(`logs: ${cp.scratch}`);
    }
  });

  it('applies a MeshTimeout requestTimeout exactly', async () => {
    await cp.mustApi('PUT', `/meshes/${MESH}/meshtimeouts/echo-1s`, {
      type: 'MeshTimeout', mesh: MESH, name: 'echo-1s',
      spec: {
        targetRef: { kind: 'MeshService', name: 'echo-client' },
        to: [{ targetRef: { kind: 'MeshService', name: 'echo' }, default: { http: { requestTimeout: '1s' } } }],
      },
    });
    const since = calls('client-slow').length;
    const w = await waitFor('3 slow calls ending with DEADLINE_EXCEEDED', () => {
      checkAlive();
      const win = lastWindow('client-slow', since, 3);
      return win && win.every((c) => !c.ok && c.code === 4) ? win : null;
    }, { timeoutMs: 40000 }).catch((e) => {
      throw new Error(`${e.message}; last calls: ${show(calls('client-slow').slice(-5))}`);
    });
    // Timer resolution and a loaded machine may add a little, never subtract.
    for (const c of w) assert.ok(c.ms >= 1000 && c.ms <= 1500, `deadline after ${c.ms} ms: ${show(w)}`);
    // eslint-disable-next-line no-console
    console.log(`grpc-js requestTimeout 1s, server delay 3s: calls ended after ${w.map((c) => c.ms).join(', ')} ms`);
    const fast = lastWindow('client-1', 0, 20);
    assert.ok(fast.every((c) => c.ok), show(fast));
    const policies = (await cp.mustApi('GET', `/meshes/${MESH}/dataplanes/client-slow/policies`)).json;
    assert.ok(!policies.warnings.some((x) => /requestTimeout/.test(x)), JSON.stringify(policies.warnings));
  });

  it('sends RING_HASH to grpc-js, which takes it', async () => {
    await cp.mustApi('PUT', `/meshes/${MESH}/meshloadbalancingstrategies/echo-ring`, {
      type: 'MeshLoadBalancingStrategy', mesh: MESH, name: 'echo-ring',
      spec: {
        targetRef: { kind: 'Mesh' },
        to: [{ targetRef: { kind: 'MeshService', name: 'echo' }, default: { loadBalancer: { type: 'RingHash', ringHash: { minRingSize: 64 } } } }],
      },
    });
    await waitFor('client-1 served a RING_HASH cluster for echo', async () => {
      const xds = (await cp.mustApi('GET', `/meshes/${MESH}/dataplanes/client-1/xds`)).json;
      return xds.types.Cluster.resources.some((r) => r.resource.lbPolicy === 'RING_HASH');
    }, { timeoutMs: 10000 });
    const since = calls('client-1').length;
    await waitFor('client-1 calls succeeding under ring hash', () => {
      checkAlive();
      const w = lastWindow('client-1', since, 20);
      return w && w.every((c) => c.ok);
    }, { timeoutMs: 20000 }).catch((e) => {
      throw new Error(`${e.message}; last calls: ${show(calls('client-1').slice(-WINDOW))}`);
    });
    assert.deepEqual(await rejected('client-1'), [], 'client-1 NACKed its configuration');
    const policies = (await cp.mustApi('GET', `/meshes/${MESH}/dataplanes/client-1/policies`)).json;
    assert.ok(!policies.warnings.some((x) => /RingHash/.test(x)), JSON.stringify(policies.warnings));
  });
});
