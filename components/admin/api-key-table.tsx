'use client'

import type { ColumnDef } from '@tanstack/react-table'
import type { ActionState } from '@/lib/http/admin-action'
import { DataTable } from '../data-table/data-table'
import { Badge, Time } from '../ui/basics'
import { ConfirmForm } from '../ui/confirm-form'

export type ApiKeyRow = {
  id: string
  label: string
  prefix: string
  scopes: string[]
  createdBy: string
  createdAt: Date
  expiresAt: Date | null
  lastUsedAt: Date | null
  status: 'active' | 'revoked' | 'expired'
}

type Action = (previous: ActionState, formData: FormData) => Promise<ActionState>

function columns(revoke: Action | null): ColumnDef<ApiKeyRow, unknown>[] {
  const shown: ColumnDef<ApiKeyRow, unknown>[] = [
    { accessorKey: 'label', header: 'Label', enableSorting: false },
    {
      accessorKey: 'prefix',
      header: 'Prefix',
      enableSorting: false,
      cell: ({ row }) => <code className="font-mono">{row.original.prefix}…</code>,
    },
    { accessorKey: 'scopes', header: 'Scopes', enableSorting: false, cell: ({ row }) => row.original.scopes.join(', ') },
    {
      id: 'created',
      header: 'Created',
      enableSorting: false,
      cell: ({ row }) => (
        <span>
          {row.original.createdBy}, <Time value={row.original.createdAt} />
        </span>
      ),
    },
    {
      accessorKey: 'expiresAt',
      header: 'Expires',
      enableSorting: false,
      cell: ({ row }) => (row.original.expiresAt ? <Time value={row.original.expiresAt} /> : 'never'),
    },
    {
      accessorKey: 'lastUsedAt',
      header: 'Last used',
      enableSorting: false,
      cell: ({ row }) => <Time value={row.original.lastUsedAt} />,
    },
    {
      accessorKey: 'status',
      header: 'Status',
      enableSorting: false,
      cell: ({ row }) => <Badge tone={row.original.status === 'active' ? 'green' : 'red'}>{row.original.status}</Badge>,
    },
  ]
  if (!revoke) return shown
  return [
    ...shown,
    {
      id: 'actions',
      header: 'Actions',
      enableSorting: false,
      cell: ({ row }) =>
        row.original.status === 'active' ? (
          <ConfirmForm
            action={revoke}
            hidden={{ apiKeyId: row.original.id }}
            label="Revoke"
            confirmLabel="Yes, revoke"
            question={`Requests with ${row.original.prefix}… will get 401 within seconds. Make sure the service has a new key first.`}
          />
        ) : null,
    },
  ]
}

/** `revoke` is null for support staff: they see the keys, they change nothing. */
export function ApiKeyTable({ rows, revoke }: { rows: ApiKeyRow[]; revoke: Action | null }) {
  return <DataTable columns={columns(revoke)} data={rows} caption="API keys" empty="No API key yet." rowTestId="api-key-row" />
}
