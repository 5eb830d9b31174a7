'use client'

import type { ColumnDef } from '@tanstack/react-table'
import type { ActionState } from '@/lib/http/admin-action'
import { DataTable } from '../data-table/data-table'
import { Badge, Time } from '../ui/basics'
import { ConfirmForm } from '../ui/confirm-form'

export type OperatorRow = {
  id: string
  email: string
  role: 'admin' | 'support'
  disabled: boolean
  locked: boolean
  lastSignInAt: Date | null
  createdAt: Date
  self: boolean
}

type Action = (previous: ActionState, formData: FormData) => Promise<ActionState>

function columns(setRole: Action, setDisabled: Action): ColumnDef<OperatorRow, unknown>[] {
  return [
    { accessorKey: 'email', header: 'Email', enableSorting: false },
    { accessorKey: 'role', header: 'Role', enableSorting: false },
    {
      id: 'status',
      header: 'Status',
      enableSorting: false,
      cell: ({ row }) => (
        <span className="inline-flex gap-1">
          {row.original.disabled ? <Badge tone="red">disabled</Badge> : <Badge tone="green">enabled</Badge>}
          {row.original.locked ? <Badge tone="amber">locked</Badge> : null}
        </span>
      ),
    },
    { accessorKey: 'lastSignInAt', header: 'Last sign-in', enableSorting: false, cell: ({ row }) => <Time value={row.original.lastSignInAt} /> },
    {
      id: 'actions',
      header: 'Actions',
      enableSorting: false,
      cell: ({ row }) =>
        row.original.self ? (
          <span className="text-sm text-slate-500">you</span>
        ) : (
          <div className="flex flex-wrap gap-2">
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
              question={row.original.disabled ? `${row.original.email} can sign in again.` : `${row.original.email} is signed out and cannot sign in.`}
            />
          </div>
        ),
    },
  ]
}

export function OperatorTable({ rows, setRole, setDisabled }: { rows: OperatorRow[]; setRole: Action; setDisabled: Action }) {
  return <DataTable columns={columns(setRole, setDisabled)} data={rows} caption="Operators" rowTestId="operator-row" />
}
