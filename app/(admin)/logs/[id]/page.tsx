import type { Metadata } from 'next'
import type { ReactNode } from 'react'
import { requireOperator } from '@/lib/auth/session'
import { getLogRecord } from '@/lib/services/portal-logs'
import { orNotFound } from '@/lib/portal/not-found'
import { Badge, Card, JsonBlock, PageHeader, StatusBadge, TextLink, Time } from '@/components/ui/basics'
import { ChangesList } from '@/components/admin/changes-list'
import { CopyButton } from '@/components/ui/copy-button'

export const metadata: Metadata = { title: 'Request' }

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="grid grid-cols-1 gap-1 border-b border-slate-100 py-2 sm:grid-cols-[12rem_1fr]">
      <dt className="text-sm font-medium text-slate-600">{label}</dt>
      <dd className="min-w-0 break-words text-sm">{children}</dd>
    </div>
  )
}

const none = <span className="text-slate-500">—</span>

/** The permalink of one provisioning request: /logs/<id>. */
export default async function LogRecordPage({ params }: { params: Promise<{ id: string }> }) {
  const operator = await requireOperator()
  const { id } = await params
  const record = await orNotFound(getLogRecord(id))
  return (
    <>
      <PageHeader
        title={`${record.method} ${record.status}`}
        description={<Time value={record.createdAt} />}
        actions={<CopyButton value={`/logs/${record.id}`} label="Copy permalink" />}
      />
      <div className="grid gap-6 xl:grid-cols-2">
        <Card title="Request">
          <dl>
            <Row label="Method">{record.method}</Row>
            <Row label="URL">
              <code className="break-all font-mono text-xs" data-testid="log-url">
                {record.path}
                {record.query ? `?${record.query}` : ''}
              </code>
            </Row>
            <Row label="Status">
              <StatusBadge status={record.status} />{' '}
              {record.scimType ? <Badge tone="amber">scimType {record.scimType}</Badge> : null}
            </Row>
            {record.repeatCount > 1 ? (
              <Row label="Repeated">
                This row stands for {record.repeatCount} identical failed requests from {record.clientIp ?? 'one client'} within a
                minute (+{record.repeatCount - 1} more like this), folded because the address was over its failure rate limit.
              </Row>
            ) : null}
            <Row label="Duration">{record.durationMs} ms</Row>
            <Row label="Operation">{record.operation}</Row>
            <Row label="Identity provider">
              {record.provider ? <TextLink href={`/idps/${record.provider.id}`}>{record.provider.name}</TextLink> : none}
            </Row>
            <Row label="Token">
              {record.token
                ? operator.role === 'admin'
                  ? `${record.token.label || 'unlabelled'} (${record.token.prefix}…)`
                  : 'authenticated'
                : none}
            </Row>
            <Row label="User">
              {record.userId ? (
                <TextLink href={`/users/${record.userId}`}>{record.userEmail ?? record.userName ?? record.userId}</TextLink>
              ) : (
                (record.userEmail ?? record.userName ?? none)
              )}
            </Row>
            <Row label="Error">{record.errorDetail ?? none}</Row>
            <Row label="Discarded attributes">
              {record.discardedAttributes.length
                ? record.discardedAttributes.map((name) => (
                    <code key={name} className="mr-2 font-mono text-xs">
                      {name}
                    </code>
                  ))
                : none}
            </Row>
            <Row label="Compatibility rules">{record.compatRules.length ? record.compatRules.join(', ') : none}</Row>
            <Row label="Client IP">{record.clientIp ?? none}</Row>
            <Row label="User agent">{record.userAgent ?? none}</Row>
            <Row label="Request id">
              {record.requestId ? <code className="break-all font-mono text-xs">{record.requestId}</code> : none}
            </Row>
          </dl>
        </Card>
        <Card title="Changes">
          <ChangesList changes={record.changes} />
        </Card>
        <Card title="Request body (redacted)">
          {record.requestBody ? <JsonBlock value={record.requestBody} label="Request body" /> : none}
        </Card>
        <Card title="Response body (redacted)">
          {record.responseBody ? <JsonBlock value={record.responseBody} label="Response body" /> : none}
        </Card>
      </div>
    </>
  )
}
