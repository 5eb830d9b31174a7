'use client'

import Link from 'next/link'
import type { ColumnDef } from '@tanstack/react-table'
import type { UserListRow } from '@/lib/db/users'
import { DataTable } from '../data-table/data-table'
import { Badge, Time } from '../ui/basics'
import { linkClass } from '../ui/styles'

const columns: ColumnDef<UserListRow, unknown>[] = [
  {
    id: 'userName',
    enableSorting: true,
    accessorKey: 'userName',
    header: 'userName',
    cell: ({ row }) => (
      <Link href={`/users/${row.original.id}`} className={linkClass}>
        {row.original.userName}
      </Link>
    ),
  },
  { id: 'displayName', enableSorting: true, accessorKey: 'displayName', header: 'Display name' },
  { id: 'email', enableSorting: true, accessorKey: 'primaryEmail', header: 'Email' },
  {
    id: 'externalId',
    enableSorting: true,
    accessorKey: 'externalId',
    header: 'externalId',
    cell: ({ row }) => <code className="font-mono text-xs">{row.original.externalId}</code>,
  },
  { id: 'provider', accessorKey: 'providerName', header: 'IdP' },
  {
    id: 'active',
    enableSorting: true,
    accessorKey: 'active',
    header: 'Active',
    cell: ({ row }) => (row.original.active ? <Badge tone="green">active</Badge> : <Badge tone="red">inactive</Badge>),
  },
  {
    id: 'managed',
    header: 'Managed by',
    cell: ({ row }) => (
      <span className="inline-flex flex-wrap gap-1">
        {row.original.scimManaged ? <Badge tone="blue">SCIM</Badge> : <Badge>{row.original.source}</Badge>}
        {row.original.missingCustom.length > 0 ? (
          <Badge tone="amber" title={`No value for ${row.original.missingCustom.join(', ')}: run "Provision on demand" in Entra`}>
            missing {row.original.missingCustom.length} custom
          </Badge>
        ) : null}
      </span>
    ),
  },
  {
    id: 'updatedAt',
    enableSorting: true,
    accessorKey: 'updatedAt',
    header: 'Last modified',
    cell: ({ row }) => <Time value={row.original.updatedAt} />,
  },
]

export function UserTable({
  rows,
  sort,
  query,
}: {
  rows: UserListRow[]
  sort: { column: string; direction: 'asc' | 'desc' }
  query: Record<string, string | undefined>
}) {
  return (
    <DataTable
      columns={columns}
      data={rows}
      sort={sort}
      query={query}
      caption="Users"
      empty="No user matches."
      rowTestId="user-row"
    />
  )
}
