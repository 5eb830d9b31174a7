/**
 * What the operations code adds to each SCIM request, measured in isolation: the metrics recording of
 * scim-route.ts (a counter and a histogram observation), the request id (reading a given one, or generating
 * one) and a /metrics scrape. Prints ns per call; run with `npm run bench:metrics`.
 */
import { recordScimRequestMetrics, renderMetrics } from '../lib/ops/metrics'
import { requestIdFrom } from '../lib/ops/request-id'

const idps = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID(), null]
const operations = ['create', 'read', 'list', 'update', 'deactivate', 'delete', 'auth_failure']
const statuses = [200, 201, 204, 404, 409]

function measure(name: string, calls: number, fn: (i: number) => void): void {
  for (let i = 0; i < 10_000; i++) fn(i) // warm-up: JIT and the per-series cache
  const rounds: number[] = []
  for (let round = 0; round < 5; round++) {
    const started = process.hrtime.bigint()
    for (let i = 0; i < calls; i++) fn(i)
    rounds.push(Number(process.hrtime.bigint() - started) / calls)
  }
  rounds.sort((a, b) => a - b)
  console.log(
    `${name.padEnd(48)} median ${rounds[2]!.toFixed(0).padStart(6)} ns/call  (min ${rounds[0]!.toFixed(0)}, max ${rounds[4]!.toFixed(0)}; 5 × ${calls})`,
  )
}

let sink = 0
measure('recordScimRequestMetrics (140 series)', 1_000_000, (i) =>
  recordScimRequestMetrics(idps[i % 4]!, operations[i % 7]!, statuses[i % 5]!, (i % 50) / 3),
)
measure('requestIdFrom(valid X-Request-Id)', 1_000_000, (i) => {
  sink += requestIdFrom(i % 2 ? 'f3b1c2d4-entra-request-7781' : 'abc-123').length
})
measure('requestIdFrom(none): a new UUID', 1_000_000, () => {
  sink += requestIdFrom(null).length
})
measure('requestIdFrom(200-character header): replaced', 200_000, () => {
  sink += requestIdFrom('x'.repeat(200)).length
})
const scrapes: number[] = []
for (let i = 0; i < 20; i++) {
  const started = performance.now()
  sink += (await renderMetrics()).body.length
  scrapes.push(performance.now() - started)
}
scrapes.sort((a, b) => a - b)
console.log(
  `${'a /metrics scrape (render)'.padEnd(48)} median ${scrapes[10]!.toFixed(2)} ms (${(await renderMetrics()).body.length} bytes)`,
)
if (sink < 0) console.log(sink)
