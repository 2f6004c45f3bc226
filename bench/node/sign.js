// Signs one request with the official Node SDK (npm `alipay-sdk`), the way its users do, N times.
//
// Usage: node sign.js <dir holding node_modules/alipay-sdk> <sign.json> <vector name> <iterations>
// Prints one JSON line: per-call times for `util.sign` (the SDK's own sign helper, what AlipaySdk.exec
// calls) and for `AlipaySdk#sdkExecute` (the public "signed order string" API), the signature and the
// sign content, so bench/run.sh can compare them with ours byte for byte.
'use strict';
const path = require('node:path');
const fs = require('node:fs');
const { createRequire } = require('node:module');

const [scratch, vectorsFile, vectorName, itersArg] = process.argv.slice(2);
if (!scratch || !vectorsFile || !vectorName) {
  console.error('usage: node sign.js <scratch dir> <sign.json> <vector name> [iterations]');
  process.exit(2);
}
const iterations = Number(itersArg || 1000);
const req = createRequire(path.join(path.resolve(scratch), 'package.json'));
const { AlipaySdk } = req('alipay-sdk');
// `sign` lives in the package's util module, which its `exports` map does not expose by name:
// resolve the package root, then load the same compiled module AlipaySdk itself uses.
const pkgRoot = path.dirname(req.resolve('alipay-sdk/package.json'));
const util = req(path.join(pkgRoot, 'dist', 'commonjs', 'util.js'));
const version = req('alipay-sdk/package.json').version;

const vectorsDir = path.dirname(path.resolve(vectorsFile));
const all = JSON.parse(fs.readFileSync(vectorsFile, 'utf8'));
const vectors = Array.isArray(all) ? all : all.vectors;
const v = vectors.find((x) => x.name === vectorName);
if (!v) {
  console.error(`no vector named ${vectorName}`);
  process.exit(2);
}
const p = v.params;
const sdk = new AlipaySdk({
  appId: p.app_id,
  privateKey: fs.readFileSync(path.join(vectorsDir, v.private_key_file), 'utf8'),
  signType: v.sign_type,
  charset: p.charset,
  version: p.version,
});
// The SDK adds app_id, charset, version, sign_type and a fresh timestamp itself; pin the timestamp and
// pass the business content as an object, as a user does.
const bizParams = {
  timestamp: p.timestamp,
  format: p.format,
  bizContent: JSON.parse(p.biz_content),
};
for (const k of Object.keys(p)) {
  if (!['app_id', 'method', 'charset', 'version', 'sign_type', 'timestamp', 'format', 'biz_content'].includes(k)) {
    bizParams[k] = p[k];
  }
}
if (p.format === undefined) delete bizParams.format;

function signOnce() {
  return util.sign(p.method, bizParams, sdk.config);
}

function timeIt(fn, n) {
  for (let i = 0; i < Math.min(200, n); i++) fn(); // warm up the JIT and OpenSSL's key cache
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn();
  return Number(process.hrtime.bigint() - start) / n;
}

const signed = signOnce();
const signContent = Object.keys(signed).filter((k) => k !== 'sign').sort()
  .map((k) => `${k}=${signed[k]}`).join('&');
const signNs = timeIt(signOnce, iterations);
const sdkExecNs = timeIt(() => sdk.sdkExecute(p.method, bizParams), iterations);

console.log(JSON.stringify({
  sdk: `alipay-sdk ${version}`,
  node: process.version,
  iterations,
  sign_ns_per_call: signNs,
  sdk_execute_ns_per_call: sdkExecNs,
  sign: signed.sign,
  sign_content: signContent,
  matches_vector: signed.sign === v.sign && signContent === v.sign_content,
}));
