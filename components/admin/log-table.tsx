'use client'

import Link from 'next/link'
import type { ColumnDef } from '@tanstack/react-table'
import { DataTable } from '../data-table/data-table'
import { Badge, StatusBadge, Time } from '../ui/basics'
import { linkClass } from '../ui/styles'

export type LogRow = {
  id: string
  createdAt: Date
  providerName: string | null
  method: string
  path: string
  query: string
  status: number
  durationMs: number
  operation: string
  userName: string | null
  userEmail: string | null
  errorDetail: string | null
  discarded: number
  /** More than 1: a flood of identical failures folded into this row (one row per minute and client). */
  repeatCount: number
}

export function moreLikeThis(repeatCount: number): string {
  return `+${repeatCount - 1} more like this`
}

const columns: ColumnDef<LogRow, unknown>[] = [
  {
    accessorKey: 'createdAt',
    header: 'Time',
    cell: ({ row }) => (
      <Link
        href={`/logs/${row.original.id}`}
        className={linkClass}
        aria-label={`Request ${row.original.method} at ${new Date(row.original.createdAt).toISOString()}`}
      >
        <Time value={row.original.createdAt} />
      </Link>
    ),
  },
  { accessorKey: 'providerName', header: 'IdP' },
  {
    id: 'request',
    header: 'Request',
    cell: ({ row }) => (
      <span className="font-mono text-xs">
        {row.original.method} {row.original.path.replace(/^\/scim\/v2\/enterprise-idps\/[^/]+/, '…')}
        {row.original.query
          ? `?${row.original.query.length > 60 ? `${row.original.query.slice(0, 60)}…` : row.original.query}`
          : ''}
      </span>
    ),
  },
  {
    accessorKey: 'status',
    header: 'Status',
    cell: ({ row }) => (
      <span className="inline-flex flex-wrap items-center gap-1">
        <StatusBadge status={row.original.status} />
        {row.original.repeatCount > 1 ? <Badge tone="amber">{moreLikeThis(row.original.repeatCount)}</Badge> : null}
      </span>
    ),
  },
  { accessorKey: 'operation', header: 'Operation' },
  {
    id: 'user',
    header: 'User',
    cell: ({ row }) => row.original.userEmail ?? row.original.userName ?? <span className="text-slate-500">—</span>,
  },
  {
    id: 'notes',
    header: 'Notes',
    cell: ({ row }) => (
      <span className="block max-w-xs truncate" title={row.original.errorDetail ?? undefined}>
        {row.original.discarded > 0 ? <Badge tone="amber">{row.original.discarded} discarded</Badge> : null}{' '}
        {row.original.errorDetail}
      </span>
    ),
  },
  { accessorKey: 'durationMs', header: 'ms' },
]

export function LogTable({ rows }: { rows: LogRow[] }) {
  return (
    <DataTable
      columns={columns}
      data={rows}
      caption="Provisioning requests, newest first"
      empty="No request matches this filter."
      rowTestId="log-row"
    />
  )
}
