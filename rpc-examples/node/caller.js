#!/usr/bin/env node
// Calls demo.UserService through the Outrigger sidecar with Node.js and no dependencies.
//
//   java -cp rpc-examples/target/rpc-examples.jar io.outrigger.examples.DemoServer 7001 &
//   java -jar rpc-sidecar/target/rpc-sidecar.jar --static demo.UserService=127.0.0.1:7001 &
//   node rpc-examples/node/caller.js [SIDECAR_HOST:PORT]
'use strict';
const http = require('http');

const [host, port] = (process.argv[2] || '127.0.0.1:15001').split(':');
const agent = new http.Agent({ keepAlive: true });

function call(method, body, contentType) {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host, port, agent, method: 'POST', path: `/rpc/demo.UserService/${method}`,
      headers: {
        'Content-Type': contentType,
        'Content-Length': body.length,
        'X-Outrigger-Timeout-Ms': '2000',
        'X-Outrigger-Meta-Caller': 'node-example',
      },
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({
        status: res.statusCode,
        code: res.headers['x-outrigger-status'],
        body: Buffer.concat(chunks),
      }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function main() {
  // JSON works for protobuf services whose descriptors the sidecar knows (see docs/sidecar.md).
  let r = await call('getUser', Buffer.from(JSON.stringify({ id: 1 })), 'application/json');
  console.log('json:    ', r.status, r.code, r.body.toString());

  // Protobuf bytes pass through undecoded: GetUserRequest{id: 1} is 0x08 0x01.
  r = await call('getUser', Buffer.from([0x08, 0x01]), 'application/x-protobuf');
  console.log('protobuf:', r.status, r.code, `${r.body.length} bytes`);

  r = await call('getUser', Buffer.from('{"id": "not a number"}'), 'application/json');
  console.log('bad json:', r.status, r.code, r.body.toString());
  agent.destroy();
}

main().catch((e) => { console.error(e.message); process.exit(1); });
