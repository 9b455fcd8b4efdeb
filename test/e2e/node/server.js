// An xDS-enabled Echo server (@grpc/grpc-js-xds XdsServer): it asks the
// control plane for its Listener "grpc/server?xds.resource.listening_address=
// <address>" and serves plaintext or mTLS as that Listener says. A request
// message "sleep:MS" is answered after MS milliseconds (as the C++ demo
// server does).
//   node server.js <instance-name> <ip:port>
'use strict';
const crypto = require('node:crypto');
const { loadEcho, uriSan, securityOf, emit } = require('./echo');

const [instance, address] = process.argv.slice(2);
if (!instance || !address) {
  console.error('usage: node server.js <instance-name> <ip:port>');
  process.exit(2);
}

const { grpc, xds, Echo } = loadEcho();
xds.register();

const server = new xds.XdsServer();
server.addService(Echo.service, {
  Echo(call, callback) {
    const sleep = /^sleep:(\d+)$/.exec(call.request.message);
    const delay = sleep ? Number(sleep[1]) : 0;
    setTimeout(() => answer(call, callback), delay);
  },
});

function answer(call, callback) {
  const auth = call.getAuthContext();
  const cert = auth && auth.sslPeerCertificate;
  callback(null, {
    message: call.request.message,
    instance,
    peerIdentity: uriSan(cert),
    peerCertificate: cert && cert.raw ? crypto.createHash('sha256').update(cert.raw).digest('hex') : '',
    security: securityOf(auth),
  });
}
server.bindAsync(address, new xds.XdsServerCredentials(grpc.ServerCredentials.createInsecure()),
  (err, port) => {
    if (err) {
      emit({ event: 'bind-error', details: err.message });
      process.exit(1);
    }
    emit({ event: 'bound', port });
  });
// After bindAsync: the port must be known to the server (it is, synchronously).
server.addServingStateListener(address, (status) => {
  emit({ event: 'serving', code: status.code, details: status.details });
});

function stop() {
  server.tryShutdown(() => process.exit(0));
  setTimeout(() => process.exit(0), 1000).unref();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
