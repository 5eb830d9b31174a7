'use client'

import type { ColumnDef } from '@tanstack/react-table'
import type { FormAction } from '@/lib/http/admin-action'
import { DataTable } from '../data-table/data-table'
import { Badge, Time } from '../ui/basics'
import { ConfirmForm } from '../ui/confirm-form'

export type TokenRow = {
  id: string
  providerId: string
  label: string
  prefix: string
  scopes: string[]
  createdBy: string
  createdAt: Date
  expiresAt: Date | null
  lastUsedAt: Date | null
  status: 'active' | 'revoked' | 'expired'
  neverExpires: boolean
  rotatedFromId: string | null
  replacedById: string | null
  usedLast: boolean
  expiringSoon: boolean
}

function columns(revoke: FormAction, rows: TokenRow[]): ColumnDef<TokenRow, unknown>[] {
  const prefixOf = (id: string | null) => rows.find((row) => row.id === id)?.prefix
  return [
    { accessorKey: 'label', header: 'Label', cell: ({ row }) => row.original.label || <span className="text-slate-500">—</span> },
    { accessorKey: 'prefix', header: 'Prefix', cell: ({ row }) => <code className="font-mono">{row.original.prefix}…</code> },
    { accessorKey: 'scopes', header: 'Scopes', cell: ({ row }) => row.original.scopes.join(', ') },
    {
      id: 'created',
      header: 'Created',
      cell: ({ row }) => (
        <span>
          {row.original.createdBy}, <Time value={row.original.createdAt} />
        </span>
      ),
    },
    {
      accessorKey: 'expiresAt',
      header: 'Expires',
      cell: ({ row }) => (row.original.expiresAt ? <Time value={row.original.expiresAt} /> : 'never'),
    },
    {
      accessorKey: 'lastUsedAt',
      header: 'Last used',
      cell: ({ row }) => (
        <span className="inline-flex flex-wrap items-center gap-1">
          <Time value={row.original.lastUsedAt} />
          {row.original.usedLast ? (
            <Badge tone="blue" title="The IdP authenticated with this token most recently">
              used last
            </Badge>
          ) : null}
        </span>
      ),
    },
    {
      id: 'rotation',
      header: 'Rotation',
      cell: ({ row }) => {
        const replacedBy = prefixOf(row.original.replacedById)
        const replaces = prefixOf(row.original.rotatedFromId)
        return (
          <span className="text-xs">
            {replacedBy ? (
              <span className="block">
                replaced by <code className="font-mono">{replacedBy}…</code>
              </span>
            ) : null}
            {replaces ? (
              <span className="block">
                replaces <code className="font-mono">{replaces}…</code>
              </span>
            ) : null}
          </span>
        )
      },
    },
    {
      accessorKey: 'status',
      header: 'Status',
      cell: ({ row }) => (
        <span className="inline-flex gap-1">
          <Badge tone={row.original.status === 'active' ? 'green' : 'red'}>{row.original.status}</Badge>
          {row.original.expiringSoon ? <Badge tone="amber">expires soon</Badge> : null}
          {row.original.neverExpires ? (
            <Badge tone="amber" title="Created without an expiry">
              never expires
            </Badge>
          ) : null}
        </span>
      ),
    },
    {
      id: 'actions',
      header: 'Actions',
      cell: ({ row }) =>
        row.original.status === 'active' ? (
          <ConfirmForm
            action={revoke}
            hidden={{ providerId: row.original.providerId, tokenId: row.original.id }}
            label="Revoke"
            confirmLabel="Yes, revoke"
            question={`Requests with ${row.original.prefix}… will get 401 at once. Make sure the IdP has a new token first.`}
          />
        ) : null,
    },
  ]
}

export function TokenTable({ rows, revoke }: { rows: TokenRow[]; revoke: FormAction }) {
  return (
    <DataTable columns={columns(revoke, rows)} data={rows} caption="Secret tokens" empty="No token yet." rowTestId="token-row" />
  )
}
