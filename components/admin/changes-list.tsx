/** The `changes` of a write, `[{attribute, old, new}]`, shown old → new. */
function show(value: unknown) {
  if (value === undefined || value === null) return <span className="text-slate-500 italic">none</span>
  return <code className="break-all font-mono text-xs">{typeof value === 'string' ? value : JSON.stringify(value)}</code>
}

export function ChangesList({ changes }: { changes: unknown }) {
  const list = Array.isArray(changes) ? (changes as Array<{ attribute?: string; old?: unknown; new?: unknown }>) : []
  if (list.length === 0) return <p className="text-sm text-slate-500">No attribute changed.</p>
  return (
    <ul className="space-y-1 text-sm">
      {list.map((change, index) => (
        <li key={`${change.attribute}-${index}`}>
          <strong className="font-mono text-xs">{change.attribute}</strong>: {show(change.old)}{' '}
          <span aria-label="changed to">→</span> {show(change.new)}
        </li>
      ))}
    </ul>
  )
}
