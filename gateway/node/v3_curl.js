// By hand (not a test: the project's tests need no Node): the official Node SDK's v3 client
// (`AlipaySdk#curl`, npm alipay-sdk 4.14.0) against `alipay gateway`.
//
//   alipay gateway --port 18733 --keys-dir /tmp/gw-keys &
//   npm install alipay-sdk@4.14.0
//   node gateway/node/v3_curl.js 18733 /tmp/gw-keys
//
// Each line says what the SDK returned: OK with the verified data (the SDK verified the
// answer's alipay-signature), or the AlipayRequestError it threw for an error answer.
const { AlipaySdk } = require('alipay-sdk');
const fs = require('fs');
const [port, keys] = process.argv.slice(2);
const privateKey = fs.readFileSync(`${keys}/app_private.pem`, 'ascii');
const sdk = new AlipaySdk({
  appId: '2021000000000000',
  privateKey,
  keyType: privateKey.includes('BEGIN RSA PRIVATE KEY') ? 'PKCS1' : 'PKCS8',
  alipayPublicKey: fs.readFileSync(`${keys}/alipay_public.pem`, 'ascii'),
  endpoint: `http://127.0.0.1:${port}`,
});
const calls = [
  ['a JSON body', 'POST', '/v3/alipay/trade/create',
    { body: { out_trade_no: 'NODE-1', total_amount: '88.88', subject: 'Node 测试 & <x>', buyer_id: '2088102146225135' } }],
  ['a business error', 'POST', '/v3/alipay/trade/query', { body: { out_trade_no: 'NO-SUCH' } }],
  ['a GET with a query', 'GET', '/v3/alipay/data/dataservice/bill/downloadurl/query',
    { query: { bill_type: 'trade', bill_date: '2024-07-30' } }],
  ['a path parameter', 'GET', '/v3/alipay/marketing/activity/ACT%201', {}],
  ['an app_auth_token', 'POST', '/v3/alipay/trade/query',
    { body: { out_trade_no: 'NODE-1' }, appAuthToken: '202407BBa1b2c3d4e5f60718293a4b5c6d7e8F90' }],
  ['an invalid field', 'POST', '/v3/alipay/trade/query', { body: { out_trade_no: 'x'.repeat(100) } }],
];
(async () => {
  for (const [label, method, path, options] of calls) {
    try {
      const r = await sdk.curl(method, path, options);
      console.log(`${label}: OK ${r.responseHttpStatus} ${JSON.stringify(r.data)}`);
    } catch (e) {
      console.log(`${label}: THREW ${e.name} ${e.code} HTTP ${e.responseHttpStatus}: ${e.message}`);
    }
  }
})();
