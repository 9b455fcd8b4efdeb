// An Echo client through @grpc/grpc-js-xds: dials `xds:///<service>.mesh`
// with XdsChannelCredentials (so the control plane decides plaintext or
// mTLS) and calls every few milliseconds, one call at a time, printing one
// JSON line per call until it is stopped. Each call sends `message`
// (default "call N") with a deadline of `deadline-ms` (default 2000).
//   node client.js <target> [interval-ms] [message] [deadline-ms]
'use strict';
const { loadEcho, uriSan, securityOf, emit } = require('./echo');

const target = process.argv[2];
const intervalMs = Number(process.argv[3] || 50);
const message = process.argv[4];
const deadlineMs = Number(process.argv[5] || 2000);
if (!target) {
  console.error('usage: node client.js xds:///<service>.mesh [interval-ms]');
  process.exit(2);
}

const { grpc, xds, Echo } = loadEcho();
xds.register();

const client = new Echo(target, new xds.XdsChannelCredentials(grpc.credentials.createInsecure()));
let seq = 0;
let stopping = false;

function callOnce() {
  if (stopping) return;
  const n = ++seq;
  const started = Date.now();
  const call = client.Echo({ message: message || `call ${n}` }, { deadline: Date.now() + deadlineMs }, (err, res) => {
    const auth = call.getAuthContext();
    if (err) {
      emit({ event: 'call', seq: n, ok: false, code: err.code, details: err.details, ms: Date.now() - started });
    } else {
      emit({
        event: 'call', seq: n, ok: true, instance: res.instance,
        serverSecurity: res.security, clientIdentity: res.peerIdentity,
        clientCertificate: res.peerCertificate,
        security: securityOf(auth),
        serverIdentity: uriSan(auth && auth.sslPeerCertificate),
        ms: Date.now() - started,
      });
    }
    setTimeout(callOnce, intervalMs);
  });
}

emit({ event: 'start', target });
callOnce();

function stop() {
  stopping = true;
  client.close();
  process.exit(0);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
