import t from "tap";
import { parseWrk } from "../../bench/loadClients.js";

t.test("wrk's report is read into the benchmark's figures", async (t) => {
  const output = `Running 6s test @ http://127.0.0.1:9300
  1 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.03ms  689.95us  14.22ms   91.31%
  Latency Distribution
     50%  850.00us
     75%    1.10ms
     90%    1.54ms
     99%    4.23ms
  120713 requests in 6.00s, 70.23MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 5
Requests/sec:  20121.81
Transfer/sec:     11.70MB
`;
  t.same(parseWrk(output), { requestsPerSecond: 20122, p50Ms: 0.85, p99Ms: 4.23, errors: 3, non2xx: 5 });
});
