import { currentOperator } from '@/lib/auth/session'
import { exportLog, readLogFilter } from '@/lib/services/portal-logs'

// GET /logs/export/csv|json – the current log filter as a download, streamed, capped at 50 000 rows
export const dynamic = 'force-dynamic'

export async function GET(request: Request, { params }: { params: Promise<{ format: string }> }) {
  const { format } = await params
  if (format !== 'csv' && format !== 'json') return new Response('Not found', { status: 404 })
  const operator = await currentOperator()
  if (!operator) return new Response('Sign in first.', { status: 401 })
  const { params: filter, errors } = readLogFilter(Object.fromEntries(new URL(request.url).searchParams))
  // An export that silently widened a filter it could not read would hand out the wrong records.
  const problems = Object.entries(errors).map(([field, message]) => `${field}: ${message}`)
  if (problems.length > 0) return new Response(`The filter was not exported.\n${problems.join('\n')}\n`, { status: 400 })
  const chunks = exportLog({ name: operator.email }, filter, format)
  const encoder = new TextEncoder()
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await chunks.next()
      if (next.done) controller.close()
      else controller.enqueue(encoder.encode(next.value))
    },
    // An abandoned download still ends the export, which audits it.
    async cancel() {
      await chunks.return(undefined)
    },
  })
  const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-')
  return new Response(body, {
    headers: {
      'content-type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8',
      'content-disposition': `attachment; filename="provisioning-log-${stamp}.${format}"`,
      'cache-control': 'no-store',
    },
  })
}
