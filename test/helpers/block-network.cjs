// Preloaded with NODE_OPTIONS=--require (so it runs in the main thread and in every worker
// thread): any attempt to reach the network (DNS lookup, TCP/TLS connect, fetch) is appended to
// the file named by BLOCK_NETWORK_LOG and fails. Used to prove that code runs offline.
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS file, loaded with --require */
'use strict';
const fs = require('node:fs');
const net = require('node:net');
const dns = require('node:dns');
const { isMainThread, threadId } = require('node:worker_threads');

const logFile = process.env.BLOCK_NETWORK_LOG;
if (!logFile) throw new Error('block-network.cjs needs BLOCK_NETWORK_LOG');

function record(kind, target) {
  const line = JSON.stringify({
    kind,
    target: String(target),
    thread: isMainThread ? 'main' : threadId,
  });
  fs.appendFileSync(logFile, line + '\n');
  return new Error(`network access blocked (${kind} ${target})`);
}

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function blockedConnect(...args) {
  // net.connect() passes its arguments normalised: [[options, callback]].
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  const options =
    typeof first === 'object' && first !== null ? first : { port: first, host: args[1] };
  // Local IPC (a socket path, e.g. tsx talking to its loader) is not the network.
  if (typeof options.path === 'string') return connect.apply(this, args);
  const error = record('connect', `${options.host ?? 'localhost'}:${options.port}`);
  process.nextTick(() => this.destroy(error));
  return this;
};

dns.lookup = function blockedLookup(hostname, ...rest) {
  const callback = rest.at(-1);
  const error = record('dns', hostname);
  if (typeof callback === 'function') process.nextTick(() => callback(error));
  else throw error;
};
dns.promises.lookup = async (hostname) => {
  throw record('dns', hostname);
};

globalThis.fetch = async (input) => {
  throw record('fetch', typeof input === 'string' ? input : (input && input.url) || input);
};
