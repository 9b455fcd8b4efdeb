// An Echo client through @grpc/grpc-js-xds: dials `xds:///<service>.mesh`
// with XdsChannelCredentials (so the control plane decides plaintext or
// mTLS) and calls every few milliseconds, one call at a time, printing one
// JSON line per call until it is stopped. Each call sends `message`
// (default "call N", also when given as "") with a deadline of `deadline-ms`
// (default 2000). `header` ("name=v1,v2,...") sends metadata `name` on every
// call, its value cycling through v1, v2, ... one call after another; the
// call's line says which value it sent (`key`).
//   node client.js <target> [interval-ms] [message] [deadline-ms] [header]
'use strict';
const { loadEcho, uriSan, securityOf, emit } = require('./echo');

const target = process.argv[2];
const intervalMs = Number(process.argv[3] || 50);
const message = process.argv[4];
const deadlineMs = Number(process.argv[5] || 2000);
const header = parseHeader(process.argv[6]);
if (!target || header === null) {
  console.error('usage: node client.js xds:///<service>.mesh [interval-ms] [message] [deadline-ms] [name=v1,v2,...]');
  process.exit(2);
}

// {name, values} from "name=v1,v2,..."; undefined when absent, null when malformed.
function parseHeader(arg) {
  if (!arg) return undefined;
  const m = /^([^=]+)=(.+)$/.exec(arg);
  return m ? { name: m[1].toLowerCase(), values: m[2].split(',') } : null;
}

const { grpc, xds, Echo } = loadEcho();
xds.register();

const client = new Echo(target, new xds.XdsChannelCredentials(grpc.credentials.createInsecure()));
let seq = 0;
let stopping = false;

function callOnce() {
  if (stopping) return;
  const n = ++seq;
  const metadata = new grpc.Metadata();
  const key = header ? header.values[(n - 1) % header.values.length] : undefined;
  if (header) metadata.set(header.name, key);
  const started = Date.now();
  const call = client.Echo({ message: message || `call ${n}` }, metadata, { deadline: Date.now() + deadlineMs }, (err, res) => {
    const auth = call.getAuthContext();
    if (err) {
      emit({ event: 'call', seq: n, key, ok: false, code: err.code, details: err.details, ms: Date.now() - started });
    } else {
      emit({
        event: 'call', seq: n, key, ok: true, instance: res.instance,
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
