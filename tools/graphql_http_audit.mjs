// The GraphQL-over-HTTP audit suite of the npm package graphql-http, against a running server:
//   npm install graphql-http graphql && node tools/graphql_http_audit.mjs http://127.0.0.1:8000/graphql TOKEN
import { auditServer } from 'graphql-http';
const url = process.argv[2];
const token = process.argv[3];
const results = await auditServer({
  url,
  fetchFn: (input, init = {}) => {
    init.headers = { ...(init.headers || {}), Authorization: `Bearer ${token}` };
    return fetch(input, init);
  },
});
let failed = 0;
for (const r of results) {
  if (r.status !== 'ok') { failed++; console.log(r.status.toUpperCase(), r.id, r.name, '-', r.reason); }
}
console.log(`${results.length - failed} ok, ${failed} not ok`);
