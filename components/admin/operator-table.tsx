'use client'

import type { ColumnDef } from '@tanstack/react-table'
import type { FormAction } from '@/lib/http/admin-action'
import { DataTable } from '../data-table/data-table'
import { Badge, Time } from '../ui/basics'
import { ConfirmForm } from '../ui/confirm-form'

export type OperatorRow = {
  id: string
  email: string
  role: 'admin' | 'support'
  disabled: boolean
  locked: boolean
  mfa: boolean
  lastSignInAt: Date | null
  createdAt: Date
  self: boolean
}

export type OperatorActions = { setRole: FormAction; setDisabled: FormAction; endSessions: FormAction; unlock: FormAction }

function columns({ setRole, setDisabled, endSessions, unlock }: OperatorActions): ColumnDef<OperatorRow, unknown>[] {
  return [
    { accessorKey: 'email', header: 'Email' },
    { accessorKey: 'role', header: 'Role' },
    {
      id: 'status',
      header: 'Status',
      cell: ({ row }) => (
        <span className="inline-flex gap-1">
          {row.original.disabled ? <Badge tone="red">disabled</Badge> : <Badge tone="green">enabled</Badge>}
          {row.original.locked ? <Badge tone="amber">locked</Badge> : null}
          {row.original.mfa ? <Badge tone="green">2FA</Badge> : <Badge tone="slate">no 2FA</Badge>}
        </span>
      ),
    },
    { accessorKey: 'lastSignInAt', header: 'Last sign-in', cell: ({ row }) => <Time value={row.original.lastSignInAt} /> },
    {
      id: 'actions',
      header: 'Actions',
      cell: ({ row }) =>
        row.original.self ? (
          <span className="text-sm text-slate-500">you</span>
        ) : (
          <div className="flex flex-wrap gap-2">
            {row.original.locked ? (
              <ConfirmForm
                action={unlock}
                hidden={{ operatorId: row.original.id }}
                label="Unlock"
                variant="secondary"
                confirmLabel="Yes, unlock"
                question={`${row.original.email} can try to sign in again at once.`}
              />
            ) : null}
            <ConfirmForm
              action={endSessions}
              hidden={{ operatorId: row.original.id }}
              label="End sessions"
              variant="secondary"
              confirmLabel="Yes, end them"
              question={`Every browser where ${row.original.email} is signed in is signed out now.`}
            />
            <ConfirmForm
              action={setRole}
              hidden={{ operatorId: row.original.id, role: row.original.role === 'admin' ? 'support' : 'admin' }}
              label={row.original.role === 'admin' ? 'Make support' : 'Make admin'}
              variant="secondary"
              confirmLabel="Yes, change role"
              question={`${row.original.email} becomes ${row.original.role === 'admin' ? 'support (read-only)' : 'admin (full access)'}.`}
            />
            <ConfirmForm
              action={setDisabled}
              hidden={{ operatorId: row.original.id, disabled: row.original.disabled ? 'false' : 'true' }}
              label={row.original.disabled ? 'Enable' : 'Disable'}
              variant={row.original.disabled ? 'primary' : 'danger'}
              confirmLabel={row.original.disabled ? 'Yes, enable' : 'Yes, disable'}
              question={
                row.original.disabled
                  ? `${row.original.email} can sign in again.`
                  : `${row.original.email} is signed out and cannot sign in.`
              }
            />
          </div>
        ),
    },
  ]
}

export function OperatorTable({ rows, actions }: { rows: OperatorRow[]; actions: OperatorActions }) {
  return <DataTable columns={columns(actions)} data={rows} caption="Operators" rowTestId="operator-row" />
}
