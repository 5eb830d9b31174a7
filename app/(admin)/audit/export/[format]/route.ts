import { currentOperator } from '@/lib/auth/session'
import { downloadResponse, unreadableFilterResponse } from '@/lib/http/download'
import { roleAllows } from '@/lib/auth/roles'
import { exportAudit } from '@/lib/services/portal-audit'
import { readAuditFilter } from '@/lib/portal/audit-filter'

// GET /audit/export/csv|json – the current audit filter as a download, for admins, streamed, capped at 50 000 rows
export const dynamic = 'force-dynamic'

export async function GET(request: Request, { params }: { params: Promise<{ format: string }> }) {
  const { format } = await params
  if (format !== 'csv' && format !== 'json') return new Response('Not found', { status: 404 })
  const operator = await currentOperator()
  if (!operator) return new Response('Sign in first.', { status: 401 })
  // Support staff do not see the audit log: the same not-found answer as its page.
  if (!roleAllows(operator.role, 'admin')) return new Response('Not found', { status: 404 })
  const { params: filter, errors } = readAuditFilter(Object.fromEntries(new URL(request.url).searchParams))
  const refusal = unreadableFilterResponse(errors)
  if (refusal) return refusal
  return downloadResponse(exportAudit({ name: operator.email }, filter, format), format, 'audit-log')
}
