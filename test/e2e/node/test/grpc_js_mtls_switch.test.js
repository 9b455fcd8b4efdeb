// Switching a mesh's mTLS on and off under load is hitless for grpc-js-xds
// apps. Two Echo servers (XdsServer) and one client (xds:///echo.mesh,
// a call every 20 ms), each under a real `ursa-dp run --proxy grpc`, while
// the mesh goes plaintext -> STRICT mTLS (builtin CA ca-1) -> plaintext ->
// STRICT mTLS under another CA (ca-2) -> plaintext -> ca-3: the files left
// from one mTLS period hold identities the next one does not trust. Every
// call made from the first switch to the end is counted: none may fail for
// certificates (missing, or from another period), and the only other
// failures allowed are the connection resets of a client and a server
// switching between plaintext and TLS at different moments.
//
// Each plaintext period lasts at least OFF_MS: grpc-js's file_watcher
// provider, used again less than twice its refresh interval (1 s) after its
// last use, serves what it read then without reading the files again, so a
// CA change within 2 s of the previous mTLS period reaches a grpc-js app
// only at its next refresh, whatever ursa-dp does (docs/xds.md).
//
// What this guards: the application's TLS clusters and listeners name
// certificate files that ursa-dp writes from another stream. Without the
// relay holding them until the files are written (certificate_gate.h),
// grpc-js fails calls with UNAVAILABLE "Failed to load credentials" after a
// switch to mTLS, or "self-signed certificate in certificate chain" /
// "unable to verify the first certificate" when peers load different
// periods' files (docs/xds.md, "Turning mTLS on").
'use strict';
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');

const { requireDeps } = require('../echo');
const { ControlPlane, Fatal, freePort, waitFor, sleep, scratchDir, grpcDataplane } = require('../harness');

requireDeps();

const NODE_DIR = path.join(__dirname, '..');
const MESH = 'default';
const WINDOW = 20;  // consecutive calls that show a switch took effect
const OFF_MS = 2500;  // > 2 x the file_watcher refresh interval of the bootstrap
// A call failed because certificates were missing, or not trusted by a peer.
const CERTIFICATE_FAILURE = /credentials|certificate|verify|handshake|alert/i;
// A connection failed because one side spoke TLS and the other did not.
const MODE_MISMATCH = /ECONNRESET|wrong version number|socket disconnected before secure TLS|Failed to connect/;

describe('switching mTLS under load with @grpc/grpc-js-xds', { timeout: 170000 }, () => {
  let cp;
  let client;
  const servers = {};

  const calls = () => client.events.filter((e) => e.event === 'call');
  const checkAlive = () => {
    for (const p of [client, ...Object.values(servers)]) {
      if (!p.alive()) throw new Fatal(`${p.name} exited (${JSON.stringify(p.exited)}):\n${p.tail()}`);
    }
  };
  // Waits until the last WINDOW calls made after `since` all satisfy `ok`.
  const waitForWindow = (what, since, ok, timeoutMs = 30000) =>
    waitFor(what, () => {
      checkAlive();
      const c = calls().slice(since);
      return c.length >= WINDOW && c.slice(-WINDOW).every(ok);
    }, { timeoutMs }).catch((e) => {
      const last = calls().slice(-WINDOW).map((c) => (c.ok ? c.security : `E${c.code}`));
      throw new Error(`${e.message}; last calls: ${JSON.stringify(last)}`);
    });
  const plaintext = (c) => c.ok && c.security === 'insecure' && c.serverSecurity === 'insecure';
  const mtls = (c) => c.ok && c.security === 'tls' && c.serverSecurity === 'tls' &&
    c.serverIdentity === 'spiffe://default/echo' && c.clientIdentity === 'spiffe://default/echo-client';

  // ca: the builtin CA backend to enable, or null for plaintext.
  const putMesh = (ca) => cp.mustApi('PUT', `/meshes/${MESH}`, ca
    ? { type: 'Mesh', name: MESH, mtls: { enabledBackend: ca, backends: [{ name: ca, type: 'builtin' }] } }
    : { type: 'Mesh', name: MESH });

  before(async () => {
    cp = await ControlPlane.start({ scratch: scratchDir('ursa-node-mtls-switch') });
    // Under mTLS a server without a permission denies everything (RBAC).
    await cp.mustApi('PUT', `/meshes/${MESH}/meshtrafficpermissions/allow-all`, {
      type: 'MeshTrafficPermission', mesh: MESH, name: 'allow-all',
      spec: { targetRef: { kind: 'Mesh' }, from: [{ targetRef: { kind: 'Mesh' }, default: { action: 'Allow' } }] },
    });
    const [p1, p2, pc] = [await freePort(), await freePort(), await freePort()];
    for (const [name, port] of [['echo-1', p1], ['echo-2', p2]]) {
      servers[name] = await cp.runProxyless(grpcDataplane(name, 'echo', port, MESH),
        [process.execPath, path.join(NODE_DIR, 'server.js'), name, `127.0.0.1:${port}`]);
    }
    client = await cp.runProxyless(grpcDataplane('echo-client', 'echo-client', pc, MESH),
      [process.execPath, path.join(NODE_DIR, 'client.js'), 'xds:///echo.mesh', '20', '', '5000']);
  });

  after(async () => {
    if (cp) {
      await cp.stop();
      // eslint-disable-next-line no-console
      console.log(`logs: ${cp.scratch}`);
    }
  });

  it('no call fails while mTLS goes on and off, under a new CA each time', async () => {
    await waitForWindow('plaintext calls succeeding', 0, plaintext, 60000);
    const start = calls().length;
    for (const ca of ['ca-1', null, 'ca-2', null, 'ca-3']) {
      const switched = Date.now();
      await putMesh(ca);
      await waitForWindow(`every call ${ca ? `over mTLS (${ca})` : 'in plaintext'} after the switch`,
        calls().length, ca ? mtls : plaintext);
      if (!ca) await sleep(OFF_MS - (Date.now() - switched));
    }
    const made = calls().slice(start);
    const failed = made.filter((c) => !c.ok);
    const certificate = failed.filter((c) => CERTIFICATE_FAILURE.test(c.details));
    // eslint-disable-next-line no-console
    console.log(`calls during the switches: ${made.length}, failed: ${failed.length}, ` +
      `of which for certificates: ${certificate.length}`);
    assert.deepEqual(certificate.map((c) => `${c.code} ${c.details}`), [],
      `${certificate.length} of ${made.length} calls failed for certificates`);
    // Each switch may still cost a call or two while a client and a server
    // disagree on plaintext vs TLS (a TLS client meeting a plaintext server or
    // the reverse): gRPC servers cannot serve both on one port (docs/xds.md).
    const other = failed.filter((c) => !CERTIFICATE_FAILURE.test(c.details));
    assert.ok(other.every((c) => c.code === 14 && MODE_MISMATCH.test(c.details)),
      `failures other than connection resets: ${JSON.stringify(other.map((c) => c.details))}`);
  });
});
