'use client'

import Link from 'next/link'
import type { ColumnDef } from '@tanstack/react-table'
import { hrefWith } from '@/lib/portal/href'
import type { ProviderSummary } from '@/lib/services/portal-overview'
import { DataTable } from '../data-table/data-table'
import { Badge, Time } from '../ui/basics'
import { linkClass } from '../ui/styles'

const columns: ColumnDef<ProviderSummary, unknown>[] = [
  {
    accessorKey: 'name',
    header: 'Name',
    cell: ({ row }) => (
      <Link href={`/idps/${row.original.id}`} className={linkClass}>
        {row.original.name}
      </Link>
    ),
  },
  { accessorKey: 'kind', header: 'Kind' },
  {
    accessorKey: 'scimEnabled',
    header: 'SCIM',
    cell: ({ row }) => (row.original.scimEnabled ? <Badge tone="green">On</Badge> : <Badge tone="red">Off</Badge>),
  },
  { accessorKey: 'users', header: 'Users' },
  { accessorKey: 'activeUsers', header: 'Active' },
  { accessorKey: 'lastRequestAt', header: 'Last request', cell: ({ row }) => <Time value={row.original.lastRequestAt} /> },
  {
    accessorKey: 'failures24h',
    header: 'Failures (24 h)',
    cell: ({ row }) =>
      row.original.failures24h > 0 ? (
        <Link href={hrefWith('/logs', { idp: row.original.id, status: '4xx' })} className={linkClass}>
          {row.original.failures24h}
        </Link>
      ) : (
        '0'
      ),
  },
  {
    id: 'tokens',
    header: 'Tokens',
    cell: ({ row }) =>
      row.original.expiringTokens > 0 ? (
        <Badge tone="amber" title="Expires within 14 days">
          {row.original.expiringTokens} expiring soon
        </Badge>
      ) : null,
  },
]

export function IdpTable({ rows }: { rows: ProviderSummary[] }) {
  return (
    <DataTable columns={columns} data={rows} caption="Identity providers" empty="No identity provider yet." rowTestId="idp-row" />
  )
}
