import { currentOperator } from '@/lib/auth/session'
import { downloadResponse, unreadableFilterResponse } from '@/lib/http/download'
import { exportLog } from '@/lib/services/portal-logs'
import { readLogFilter } from '@/lib/portal/log-filter'

// GET /logs/export/csv|json – the current log filter as a download, streamed, capped at 50 000 rows
export const dynamic = 'force-dynamic'

export async function GET(request: Request, { params }: { params: Promise<{ format: string }> }) {
  const { format } = await params
  if (format !== 'csv' && format !== 'json') return new Response('Not found', { status: 404 })
  const operator = await currentOperator()
  if (!operator) return new Response('Sign in first.', { status: 401 })
  const { params: filter, errors } = readLogFilter(Object.fromEntries(new URL(request.url).searchParams))
  const refusal = unreadableFilterResponse(errors)
  if (refusal) return refusal
  return downloadResponse(exportLog({ name: operator.email }, filter, format), format, 'provisioning-log')
}
