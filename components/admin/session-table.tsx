'use client'

import type { FormAction } from '@/lib/http/admin-action'
import { Badge, Time } from '../ui/basics'
import { ConfirmForm } from '../ui/confirm-form'

export type SessionRow = {
  id: string
  userAgent: string | null
  address: string | null
  createdAt: Date
  lastSeenAt: Date
  current: boolean
}

/** The operator's live sessions, each with a button that ends it at once. */
export function SessionTable({ rows, endSession }: { rows: SessionRow[]; endSession: FormAction }) {
  return (
    <div className="overflow-x-auto">
      <table className="min-w-full text-left text-sm">
        <caption className="sr-only">Your sessions</caption>
        <thead className="text-slate-600">
          <tr>
            <th className="py-1 pr-4 font-medium">Device</th>
            <th className="py-1 pr-4 font-medium">Address</th>
            <th className="py-1 pr-4 font-medium">Signed in</th>
            <th className="py-1 pr-4 font-medium">Last seen</th>
            <th className="py-1 font-medium">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.id} className="border-t border-slate-100 align-top" data-testid="session-row">
              <td className="max-w-xs break-words py-2 pr-4">
                {row.userAgent ?? 'unknown'} {row.current ? <Badge tone="green">this session</Badge> : null}
              </td>
              <td className="py-2 pr-4 font-mono">{row.address ?? 'unknown'}</td>
              <td className="py-2 pr-4">
                <Time value={row.createdAt} />
              </td>
              <td className="py-2 pr-4">
                <Time value={row.lastSeenAt} />
              </td>
              <td className="py-2">
                {row.current ? null : (
                  <ConfirmForm
                    action={endSession}
                    hidden={{ sessionId: row.id }}
                    label="End"
                    variant="secondary"
                    confirmLabel="Yes, end it"
                    question="That browser is signed out at its next request."
                  />
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
