/** Server-rendered SVG bars: requests in grey-blue, failures stacked in red. No chart library, no script. */
export function BarChart({
  bars,
  title,
  labelFor,
}: {
  bars: { start: Date; total: number; failures: number }[]
  title: string
  labelFor: (start: Date) => string
}) {
  const width = 320
  const height = 80
  const max = Math.max(1, ...bars.map((bar) => bar.total))
  const slot = width / bars.length
  const total = bars.reduce((sum, bar) => sum + bar.total, 0)
  const failures = bars.reduce((sum, bar) => sum + bar.failures, 0)
  return (
    <figure>
      <figcaption className="mb-1 text-xs text-slate-600">
        {title}: {total} requests, {failures} failed
      </figcaption>
      <svg
        viewBox={`0 0 ${width} ${height}`}
        className="h-20 w-full"
        role="img"
        aria-label={`${title}: ${total} requests, ${failures} failed`}
      >
        {bars.map((bar, index) => {
          const h = (bar.total / max) * (height - 2)
          const f = (bar.failures / max) * (height - 2)
          return (
            <g key={bar.start.toISOString()}>
              <title>{`${labelFor(bar.start)}: ${bar.total} requests, ${bar.failures} failed`}</title>
              <rect x={index * slot + 1} y={height - h} width={Math.max(1, slot - 2)} height={h} className="fill-slate-400" />
              <rect x={index * slot + 1} y={height - f} width={Math.max(1, slot - 2)} height={f} className="fill-red-600" />
            </g>
          )
        })}
      </svg>
    </figure>
  )
}
