// @grpc/grpc-js-xds, an xDS client nobody here wrote, against a real ursa-cp:
// two Echo instances (XdsServer) and one client (xds:///echo.mesh), each run
// under a real `ursa-dp run --proxy grpc`. The steps share one control plane
// and run in order:
//   1. the client spreads its calls over both instances;
//   2. the control plane saw grpc-js (insights, capabilities) and nothing
//      was NACKed;
//   3. builtin mTLS on the mesh (and an allow-all MeshTrafficPermission):
//      calls still reach both instances, now over mTLS with SPIFFE
//      identities on both sides;
//   4. a MeshTrafficPermission denying the client makes the servers refuse
//      its calls (PERMISSION_DENIED), and removing it lets them through;
//   5. an instance taken out of service (inbound health ready: false) gets no
//      more calls while it is still up (so only EDS can have told the client),
//      and gets them again when it is back;
//   6. a stopped instance is deregistered and the other one takes every call.
'use strict';
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');

const { requireDeps } = require('../echo');
const { ControlPlane, Fatal, freePort, waitFor, scratchDir, grpcDataplane } = require('../harness');

requireDeps();  // a clear message when node_modules is missing

const NODE_DIR = path.join(__dirname, '..');
const MESH = 'default';
const WINDOW = 20;  // calls looked at by each check

const dataplane = (name, service, port) => grpcDataplane(name, service, port, MESH);

describe('@grpc/grpc-js-xds through ursa', { timeout: 120000 }, () => {
  let cp;
  let client;
  const servers = {};

  const calls = () => client.events.filter((e) => e.event === 'call');
  // The last WINDOW calls made after `since` (a call count), once there are that many.
  const lastWindow = (since) => {
    const c = calls().slice(since);
    return c.length >= WINDOW ? c.slice(-WINDOW) : null;
  };
  const countBy = (window, key) =>
    window.reduce((m, c) => ({ ...m, [c[key]]: (m[c[key]] || 0) + 1 }), {});
  // Both instances took at least a quarter of the calls of `window`.
  const reachesBoth = (window) => {
    const by = countBy(window, 'instance');
    return by['echo-1'] >= WINDOW / 4 && by['echo-2'] >= WINDOW / 4;
  };
  const describeWindow = (w) => JSON.stringify(w && w.map((c) => (c.ok ? c.instance : `E${c.code}`)));
  const serving = (p) => p.events.some((e) => e.event === 'serving' && e.code === 0);
  const checkAlive = () => {
    for (const p of [client, ...Object.values(servers)]) {
      if (!p.alive()) throw new Fatal(`${p.name} exited (${JSON.stringify(p.exited)}):\n${p.tail()}`);
    }
  };

  // Waits until `pred` (given the last WINDOW calls after `since`, or null
  // while there are fewer) returns a truthy value, and returns it; a timeout
  // error shows the last calls.
  const waitForCalls = (what, since, timeoutMs, pred) =>
    waitFor(what, () => {
      checkAlive();
      return pred(lastWindow(since));
    }, { timeoutMs }).catch((e) => {
      throw new Error(`${e.message}; last calls: ${describeWindow(calls().slice(-WINDOW))}`);
    });

  async function subscriptions(name) {
    const r = await cp.mustApi('GET', `/meshes/${MESH}/dataplanes+insights/${name}`);
    return (r.json.dataplaneInsight && r.json.dataplaneInsight.subscriptions) || [];
  }

  // No subscription of these proxies rejected anything (a NACK means the
  // client could not use what the control plane sent).
  async function assertNoNacks(names) {
    for (const name of names) {
      for (const s of await subscriptions(name)) {
        const rejected = Object.entries(s.status || {})
          .filter(([, v]) => v && v.responsesRejected > 0)
          .map(([k, v]) => `${k}=${v.responsesRejected}`);
        assert.deepEqual(rejected, [], `${name} (${s.version && s.version.envoy.version}) NACKed; ` +
          `control plane log:\n${cp.proc.lines.filter((l) => l.includes('NACK')).join('\n')}`);
      }
    }
  }

  before(async () => {
    cp = await ControlPlane.start({ scratch: scratchDir('ursa-node-e2e') });
    const [p1, p2, pc] = [await freePort(), await freePort(), await freePort()];
    for (const [name, port] of [['echo-1', p1], ['echo-2', p2]]) {
      servers[name] = await cp.runProxyless(dataplane(name, 'echo', port),
        [process.execPath, path.join(NODE_DIR, 'server.js'), name, `127.0.0.1:${port}`]);
    }
    client = await cp.runProxyless(dataplane('echo-client', 'echo-client', pc),
      [process.execPath, path.join(NODE_DIR, 'client.js'), 'xds:///echo.mesh', '40']);
  });

  after(async () => {
    if (cp) {
      await cp.stop();
      // eslint-disable-next-line no-console
      console.log(`logs: ${cp.scratch}`);
    }
  });

  it('spreads calls over both instances', async () => {
    await waitFor('both servers serving', () => {
      checkAlive();
      return serving(servers['echo-1']) && serving(servers['echo-2']);
    }, { timeoutMs: 45000 });
    const w = await waitForCalls('the last calls all succeeding and reaching both instances', 0, 30000, (win) => {
      return win && win.every((c) => c.ok) && reachesBoth(win) ? win : null;
    });
    // Plaintext: the mesh has no mTLS yet.
    assert.ok(w.every((c) => c.security === 'insecure' && c.serverSecurity === 'insecure'),
      describeWindow(w));
  });

  it('the control plane saw grpc-js and everything it sent was accepted', async () => {
    for (const name of ['echo-client', 'echo-1', 'echo-2']) {
      const versions = (await subscriptions(name)).map((s) => s.version && s.version.envoy.version);
      assert.ok(versions.some((v) => /^gRPC Node Pure JS 1\.14\./.test(v)),
        `${name}: subscriptions ${JSON.stringify(versions)}`);
    }
    // Capabilities, as the control plane logged them when the stream opened:
    // grpc-js gets the gRPC profile and RING_HASH (C++ 1.51 would not).
    const line = cp.proc.lines.find((l) => l.includes('default.echo-client connected') &&
      l.includes('gRPC Node Pure JS'));
    assert.ok(line, 'no "connected" log line for the grpc-js client');
    assert.match(line, /profile grpc/);
    assert.match(line, /ring_hash yes/);
    assert.match(line, /exact timeouts yes/);
    await assertNoNacks(['echo-client', 'echo-1', 'echo-2']);
  });

  it('with builtin mTLS, calls reach both instances over mTLS', async () => {
    // Under mTLS a server without a permission denies everything (RBAC).
    await cp.mustApi('PUT', `/meshes/${MESH}/meshtrafficpermissions/allow-all`, {
      type: 'MeshTrafficPermission', mesh: MESH, name: 'allow-all',
      spec: { targetRef: { kind: 'Mesh' }, from: [{ targetRef: { kind: 'Mesh' }, default: { action: 'Allow' } }] },
    });
    await cp.mustApi('PUT', `/meshes/${MESH}`, {
      type: 'Mesh', name: MESH,
      mtls: { enabledBackend: 'ca-1', backends: [{ name: 'ca-1', type: 'builtin' }] },
    });
    const since = calls().length;
    const w = await waitForCalls('the last calls all succeeding over mTLS to both instances', since, 30000, (win) => {
      const mtls = (c) => c.ok && c.security === 'tls' && c.serverSecurity === 'tls';
      return win && win.every(mtls) && reachesBoth(win) ? win : null;
    });
    // Each side proved its mesh identity to the other.
    for (const c of w) {
      assert.equal(c.serverIdentity, 'spiffe://default/echo');
      assert.equal(c.clientIdentity, 'spiffe://default/echo-client');
      assert.match(c.clientCertificate, /^[0-9a-f]{64}$/);
    }
    await assertNoNacks(['echo-client', 'echo-1', 'echo-2']);
  });

  it('traffic permissions are enforced by the grpc-js servers', async () => {
    const deny = {
      type: 'MeshTrafficPermission', mesh: MESH, name: 'deny-client',
      spec: {
        targetRef: { kind: 'MeshService', name: 'echo' },
        from: [{ targetRef: { kind: 'MeshService', name: 'echo-client' }, default: { action: 'Deny' } }],
      },
    };
    await cp.mustApi('PUT', `/meshes/${MESH}/meshtrafficpermissions/deny-client`, deny);
    let since = calls().length;
    await waitForCalls('every call denied (PERMISSION_DENIED)', since, 20000, (win) => {
      return win && win.every((c) => !c.ok && c.code === 7);
    });
    await cp.mustApi('DELETE', `/meshes/${MESH}/meshtrafficpermissions/deny-client`);
    since = calls().length;
    await waitForCalls('calls allowed again on both instances', since, 20000, (win) => {
      return win && win.every((c) => c.ok) && reachesBoth(win);
    });
    await assertNoNacks(['echo-client', 'echo-1', 'echo-2']);
  });

  it('an instance out of service gets no calls while it is still up, and gets them back', async () => {
    const setReady = async (ready) => {
      const dp = (await cp.mustApi('GET', `/meshes/${MESH}/dataplanes/echo-2`)).json;
      for (const k of ['creationTime', 'modificationTime']) delete dp[k];
      dp.networking.inbound[0].health = { ready };
      await cp.mustApi('PUT', `/meshes/${MESH}/dataplanes/echo-2`, dp);
    };
    await setReady(false);
    let since = calls().length;
    await waitForCalls('every call on echo-1', since, 20000, (win) => {
      return win && win.every((c) => c.ok && c.instance === 'echo-1');
    });
    assert.ok(servers['echo-2'].alive(), 'echo-2 must still be running');

    await setReady(true);
    since = calls().length;
    await waitForCalls('calls on both instances again', since, 20000, (win) => {
      return win && win.every((c) => c.ok) && reachesBoth(win);
    });
  });

  it('a stopped instance is deregistered and the other takes every call', async () => {
    await servers['echo-2'].stop();
    delete servers['echo-2'];
    await waitFor('the Dataplane echo-2 to be deregistered', async () =>
      (await cp.api('GET', `/meshes/${MESH}/dataplanes/echo-2`)).status === 404,
    { timeoutMs: 15000 });
    const since = calls().length;
    await waitForCalls('every call succeeding on echo-1', since, 15000, (win) => {
      return win && win.every((c) => c.ok && c.instance === 'echo-1');
    });
  });
});
