'use client'

import Link from 'next/link'
import type { ColumnDef } from '@tanstack/react-table'
import type { AuditEventRow } from '@/lib/db/audit-events'
import { DataTable } from '../data-table/data-table'
import { Time } from '../ui/basics'
import { linkClass } from '../ui/styles'

/** An audit event as the table shows it: details already rendered as text. */
export type AuditRow = Omit<AuditEventRow, 'details'> & { details: string }

const columns: ColumnDef<AuditRow, unknown>[] = [
  { accessorKey: 'createdAt', header: 'Time', cell: ({ row }) => <Time value={row.original.createdAt} /> },
  {
    accessorKey: 'actor',
    header: 'Who',
    cell: ({ row }) => (
      <Link href={`/audit?actor=${encodeURIComponent(row.original.actor)}`} className={linkClass} title="Events by this actor">
        {row.original.actor}
      </Link>
    ),
  },
  {
    accessorKey: 'action',
    header: 'Action',
    cell: ({ row }) => <code className="font-mono text-xs">{row.original.action}</code>,
  },
  {
    id: 'target',
    header: 'Target',
    cell: ({ row }) => (
      <span className="font-mono text-xs break-all">
        {row.original.targetType}{' '}
        {row.original.targetId ? (
          <Link
            href={`/audit?target=${encodeURIComponent(row.original.targetId)}`}
            className={linkClass}
            title="Events about this target"
          >
            {row.original.targetId}
          </Link>
        ) : null}
      </span>
    ),
  },
  {
    accessorKey: 'providerId',
    header: 'IdP',
    cell: ({ row }) =>
      row.original.providerId ? (
        <Link href={`/idps/${row.original.providerId}`} className={linkClass}>
          {row.original.providerId.slice(0, 8)}…
        </Link>
      ) : null,
  },
  {
    accessorKey: 'details',
    header: 'Details',
    cell: ({ row }) => <code className="block max-w-md break-all font-mono text-xs">{row.original.details}</code>,
  },
]

export function AuditTable({ rows }: { rows: AuditRow[] }) {
  return <DataTable columns={columns} data={rows} caption="Audit events" empty="No audit event yet." rowTestId="audit-row" />
}
