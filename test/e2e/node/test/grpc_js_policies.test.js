// Policies as @grpc/grpc-js-xds takes them, against a real ursa-cp: two Echo
// instances (XdsServer) and three clients of service echo-client, all under
// real `ursa-dp run --proxy grpc`: client-1 sends ordinary calls, each with
// metadata `x-user: alice`; client-keys cycles `x-user` through 16 users;
// client-slow asks the server to hold each call for 3 s ("sleep:3000", with
// a 10 s application deadline). In order:
//   1. control: under round robin alice's calls reach both instances;
//   2. MeshTimeout requestTimeout 1s: grpc-js applies it exactly (no
//      headroom, unlike gRPC C++ 1.51): the slow calls end with
//      DEADLINE_EXCEEDED after 1 s, the ordinary calls still succeed;
//   3. MeshLoadBalancingStrategy RingHash reaches grpc-js as RING_HASH
//      (gRPC C++ 1.51 would get round robin and a warning): accepted (no
//      NACK), calls keep succeeding, and inspection shows no RingHash
//      warning; with no hash policy each call hashes at random (gRFC A42),
//      so alice's calls still reach both instances;
//   4. RingHash with hashPolicies Header x-user: every call of alice lands
//      on one instance, every user stays on one instance, and the 16 users
//      together reach both (hashing, not pinning).
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
const KEY_WINDOW = 30;  // calls of one key that must agree
// alice among them: a second channel must hash her to the same instance.
const USERS = ['alice', ...Array.from({ length: 15 }, (_, i) => `user-${i + 1}`)];

const dataplane = (name, service, port) => grpcDataplane(name, service, port, MESH);

describe('policies through @grpc/grpc-js-xds', { timeout: 280000 }, () => {
  let cp;
  const procs = {};
  const calls = (name) => procs[name].events.filter((e) => e.event === 'call');
  const lastWindow = (name, since, n = WINDOW) => {
    const c = calls(name).slice(since);
    return c.length >= n ? c.slice(-n) : null;
  };
  const show = (w) => JSON.stringify(w && w.map((c) => (c.ok ? `${c.instance}:${c.ms}ms` : `E${c.code}:${c.ms}ms`)));
  const instancesOf = (w) => [...new Set(w.map((c) => c.instance))].sort();
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
      [process.execPath, path.join(NODE_DIR, 'client.js'), 'xds:///echo.mesh', '40', '', '2000', 'x-user=alice']);
    procs['client-keys'] = await cp.runProxyless(dataplane('client-keys', 'echo-client', await freePort()),
      [process.execPath, path.join(NODE_DIR, 'client.js'), 'xds:///echo.mesh', '20', '', '2000',
        `x-user=${USERS.join(',')}`]);
    procs['client-slow'] = await cp.runProxyless(
      dataplane('client-slow', 'echo-client', await freePort()),
      [process.execPath, path.join(NODE_DIR, 'client.js'), 'xds:///echo.mesh', '10', 'sleep:3000', '10000']);
    await waitFor('client-1 calling both instances', () => {
      checkAlive();
      const w = lastWindow('client-1', 0, 20);
      return w && w.every((c) => c.ok) && new Set(w.map((c) => c.instance)).size === 2;
    }, { timeoutMs: 60000 });
    await waitFor('client-keys calls succeeding', () => {
      checkAlive();
      const w = lastWindow('client-keys', 0, USERS.length);
      return w && w.every((c) => c.ok);
    }, { timeoutMs: 60000 });
  });

  after(async () => {
    if (cp) {
      await cp.stop();
      // eslint-disable-next-line no-console
      console.log(`logs: ${cp.scratch}`);
    }
  });

  it('spreads one key over both instances under round robin (control)', async () => {
    const since = calls('client-1').length;
    const w = await waitFor(`${KEY_WINDOW} more calls of alice`, () => {
      checkAlive();
      return lastWindow('client-1', since, KEY_WINDOW);
    }, { timeoutMs: 30000 });
    assert.ok(w.every((c) => c.ok && c.key === 'alice'), show(w));
    assert.deepEqual(instancesOf(w), ['echo-1', 'echo-2'], show(w));
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
    // No hash policy: a random hash per call, so one key still spreads.
    const after = calls('client-1').length;
    const w = await waitFor(`${KEY_WINDOW} more calls of alice`, () => {
      checkAlive();
      return lastWindow('client-1', after, KEY_WINDOW);
    }, { timeoutMs: 30000 });
    assert.ok(w.every((c) => c.ok), show(w));
    assert.deepEqual(instancesOf(w), ['echo-1', 'echo-2'], show(w));
  });

  it('keeps each x-user on one instance with RingHash hashPolicies Header', async () => {
    await cp.mustApi('PUT', `/meshes/${MESH}/meshloadbalancingstrategies/echo-ring`, {
      type: 'MeshLoadBalancingStrategy', mesh: MESH, name: 'echo-ring',
      spec: {
        targetRef: { kind: 'Mesh' },
        to: [{
          targetRef: { kind: 'MeshService', name: 'echo' },
          default: {
            loadBalancer: {
              type: 'RingHash',
              // A large ring splits the hash space near evenly between the two.
              ringHash: { minRingSize: 1024, hashPolicies: [{ type: 'Header', header: { name: 'x-user' } }] },
            },
          },
        }],
      },
    });
    const put = Date.now();
    const since = { 'client-1': calls('client-1').length, 'client-keys': calls('client-keys').length };
    for (const name of ['client-1', 'client-keys']) {
      await waitFor(`${name} served a route hashing on x-user`, async () => {
        const xds = (await cp.mustApi('GET', `/meshes/${MESH}/dataplanes/${name}/xds`)).json;
        return JSON.stringify(xds.types).includes('"headerName":"x-user"');
      }, { timeoutMs: 10000 });
    }
    const served = Date.now() - put;

    const alice = await waitFor(`${KEY_WINDOW} calls of alice on one instance`, () => {
      checkAlive();
      const w = lastWindow('client-1', since['client-1'], KEY_WINDOW);
      return w && w.every((c) => c.ok) && instancesOf(w).length === 1 ? w : null;
    }, { timeoutMs: 60000 }).catch((e) => {
      throw new Error(`${e.message}; last calls: ${show(calls('client-1').slice(-KEY_WINDOW))}`);
    });
    const home = alice[0].instance;

    // Three rounds of all users, each user on one instance, both reached.
    const perUser = (w) => {
      const m = new Map();
      for (const c of w) m.set(c.key, new Set([...(m.get(c.key) || []), c.instance]));
      return m;
    };
    const showUsers = (m) => JSON.stringify([...m].map(([k, v]) => `${k}:${[...v].join('+')}`));
    const rounds = 3 * USERS.length;
    const users = await waitFor(`${rounds} calls of client-keys, each user on one instance`, () => {
      checkAlive();
      const w = lastWindow('client-keys', since['client-keys'], rounds);
      if (!w || !w.every((c) => c.ok)) return null;
      const m = perUser(w);
      return [...m.values()].every((s) => s.size === 1) ? m : null;
    }, { timeoutMs: 60000 }).catch((e) => {
      throw new Error(`${e.message}; last calls: ${showUsers(perUser(calls('client-keys').slice(-rounds)))}`);
    });
    assert.equal(users.size, USERS.length, showUsers(users));
    assert.deepEqual([...users.get('alice')], [home], `client-1 hashes alice to ${home}: ${showUsers(users)}`);
    const reached = [...new Set([...users.values()].flatMap((s) => [...s]))].sort();
    assert.deepEqual(reached, ['echo-1', 'echo-2'], `users pinned to one instance: ${showUsers(users)}`);

    // Still so afterwards: alice's calls since the window never left home.
    const later = await waitFor(`${KEY_WINDOW} more calls of alice`, () => {
      checkAlive();
      const after = calls('client-1').slice(calls('client-1').indexOf(alice[alice.length - 1]) + 1);
      return after.length >= KEY_WINDOW ? after : null;
    }, { timeoutMs: 30000 });
    assert.ok(later.every((c) => c.ok && c.instance === home), show(later));

    for (const name of ['client-1', 'client-keys']) assert.deepEqual(await rejected(name), [], `${name} NACKed`);
    const warnings = (await cp.mustApi('GET', `/meshes/${MESH}/dataplanes/client-1/policies`)).json.warnings;
    assert.ok(!warnings.some((x) => /hashPolicies/.test(x)), JSON.stringify(warnings));
    const onUser = Object.fromEntries(['echo-1', 'echo-2'].map((i) => [i, [...users].filter(([, s]) => s.has(i)).length]));
    const startOf = (c) => c.t - c.ms;
    // eslint-disable-next-line no-console
    console.log(`grpc-js RingHash hashPolicies Header x-user: route served ${served} ms after the PUT; ` +
      `alice's stable run of ${KEY_WINDOW} calls began ${startOf(alice[0]) - put} ms after it, on ${home}; ` +
      `${USERS.length} users split ${onUser['echo-1']}/${onUser['echo-2']} (echo-1/echo-2)`);
  });
});
