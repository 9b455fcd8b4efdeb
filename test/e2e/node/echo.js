// Loads the demo's echo.proto (examples/grpc-demo, shared with the C++ demo
// so either side's clients and servers call each other) and checks that the
// npm dependencies are installed.
'use strict';
const path = require('node:path');
const fs = require('node:fs');

const here = __dirname;
const ECHO_PROTO = path.join(here, '..', '..', '..', 'examples', 'grpc-demo', 'echo.proto');

function requireDeps() {
  if (!fs.existsSync(path.join(here, 'node_modules', '@grpc', 'grpc-js-xds'))) {
    throw new Error(
      `test/e2e/node: node_modules is missing; install it with \`npm ci --prefix ${here}\` ` +
        '(scripts/test.sh does it)');
  }
  return {
    grpc: require('@grpc/grpc-js'),
    xds: require('@grpc/grpc-js-xds'),
    protoLoader: require('@grpc/proto-loader'),
  };
}

function loadEcho() {
  const { grpc, xds, protoLoader } = requireDeps();
  const def = protoLoader.loadSync(ECHO_PROTO, { keepCase: false });
  const pkg = grpc.loadPackageDefinition(def);
  return { grpc, xds, Echo: pkg.ursa.demo.Echo };
}

// The URI SAN of a Node TLS peer certificate ("URI:spiffe://m/s, ..."), or "".
function uriSan(cert) {
  if (!cert || !cert.subjectaltname) return '';
  const uri = cert.subjectaltname.split(/,\s*/).find((s) => s.startsWith('URI:'));
  return uri ? uri.slice(4) : '';
}

// "tls" or "insecure" from a grpc-js AuthContext (transportSecurityType "ssl").
function securityOf(auth) {
  return auth && auth.transportSecurityType === 'ssl' ? 'tls' : 'insecure';
}

// One JSON line on stdout per event: the tests read them.
function emit(event) {
  process.stdout.write(JSON.stringify({ t: Date.now(), ...event }) + '\n');
}

module.exports = { requireDeps, loadEcho, uriSan, securityOf, emit };
