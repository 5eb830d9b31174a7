/**
 * Summarises a V8 CPU profile (`node --cpu-prof dist/server.mjs`): the top functions by self time and by
 * inclusive time (each function counted once per sampled stack), and self time per package or source file.
 *   npm run bench:profile -- <file.cpuprofile> [--top 25] [--grep <regex>]
 * With --grep, the inclusive and self time of every function whose name or file matches.
 */
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '25' }, grep: { type: 'string' } },
})
if (positionals.length !== 1) {
  console.error('Usage: npm run bench:profile -- <file.cpuprofile> [--top 25]')
  process.exit(2)
}
const top = Number(values.top)

type CallFrame = { functionName: string; url: string; lineNumber: number }
type ProfileNode = { id: number; callFrame: CallFrame; children?: number[] }
type Profile = { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }

const profile = JSON.parse(readFileSync(positionals[0]!, 'utf8')) as Profile
const byId = new Map(profile.nodes.map((node) => [node.id, node]))
const parent = new Map<number, number>()
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id)

function shortUrl(url: string): string {
  const modules = url.lastIndexOf('node_modules/')
  if (modules >= 0) return url.slice(modules + 'node_modules/'.length)
  return url.replace(/^file:\/\/.*?\/(dist|lib|app|scripts)\//, '$1/')
}
const frameKey = (frame: CallFrame) =>
  `${frame.functionName || '(anonymous)'} ${frame.url ? `${shortUrl(frame.url)}:${frame.lineNumber + 1}` : ''}`.trim()

/** The package (node_modules/<pkg>), node internals, or our bundle's source file the frame belongs to. */
function area(frame: CallFrame): string {
  if (!frame.url) return frame.functionName.startsWith('(') ? frame.functionName : '(native)'
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(frame.url)
  if (modules) return modules[1]!
  if (frame.url.startsWith('node:')) return 'node:' + frame.url.slice(5).split('/')[0]
  return shortUrl(frame.url)
}

// Sample i lasts timeDeltas[i + 1] (the delta to the next sample); the last one gets the average.
const durations = profile.samples.map(
  (_, i) => profile.timeDeltas[i + 1] ?? (profile.endTime - profile.startTime) / profile.samples.length,
)
const self = new Map<string, number>()
const inclusive = new Map<string, number>()
const areas = new Map<string, number>()
let total = 0
let idle = 0
profile.samples.forEach((id, i) => {
  const us = durations[i]!
  const node = byId.get(id)!
  const key = frameKey(node.callFrame)
  if (node.callFrame.functionName === '(idle)') {
    idle += us
    return
  }
  total += us
  self.set(key, (self.get(key) ?? 0) + us)
  areas.set(area(node.callFrame), (areas.get(area(node.callFrame)) ?? 0) + us)
  const seen = new Set<string>()
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const frameName = frameKey(byId.get(at)!.callFrame)
    if (seen.has(frameName)) continue
    seen.add(frameName)
    inclusive.set(frameName, (inclusive.get(frameName) ?? 0) + us)
  }
})

const ms = (us: number) => `${(us / 1000).toFixed(0).padStart(7)} ms ${((100 * us) / total).toFixed(1).padStart(5)} %`
function print(title: string, map: Map<string, number>, skip: (key: string) => boolean = () => false) {
  console.log(`\n${title}`)
  ;[...map]
    .filter(([key]) => !skip(key))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .forEach(([key, us]) => console.log(`${ms(us)}  ${key}`))
}

console.log(
  `${positionals[0]}: ${(total / 1000).toFixed(0)} ms busy, ${(idle / 1000).toFixed(0)} ms idle, ${profile.samples.length} samples`,
)
print('Self time by function', self)
print('Inclusive time by function (outermost frames left out)', inclusive, (key) => /^\((root|program)\)/.test(key))
print('Self time by package or source file', areas)
if (values.grep) {
  const pattern = new RegExp(values.grep)
  console.log(`\nFunctions matching /${values.grep}/: inclusive, self`)
  ;[...inclusive]
    .filter(([key]) => pattern.test(key))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .forEach(([key, us]) => console.log(`${ms(us)}  ${ms(self.get(key) ?? 0)}  ${key}`))
}
