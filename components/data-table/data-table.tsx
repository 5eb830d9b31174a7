'use client'

import Link from 'next/link'
import { flexRender, getCoreRowModel, useReactTable, type ColumnDef, type SortingState } from '@tanstack/react-table'
import { hrefWith } from '@/lib/portal/href'
import { focusRing } from '../ui/styles'

/**
 * A table whose rows, sorting and paging come from the server. Sorting is opt-in: only with `sort` given, and
 * only columns declared `enableSorting: true` get a header link that changes the URL's searchParams (the page
 * re-queries).
 */
export function DataTable<Row>({
  columns,
  data,
  sort,
  query = {},
  caption,
  empty = 'Nothing to show.',
  rowTestId,
}: {
  columns: ColumnDef<Row, unknown>[]
  data: Row[]
  sort?: { column: string; direction: 'asc' | 'desc' }
  /** The current searchParams, kept by sort links (page is reset). Without `sort`, no column sorts. */
  query?: Record<string, string | undefined>
  caption: string
  empty?: string
  rowTestId?: string
}) {
  const sorting: SortingState = sort ? [{ id: sort.column, desc: sort.direction === 'desc' }] : []
  // The table is rebuilt from server props on every render, so the compiler skipping memoisation is fine.
  // eslint-disable-next-line react-hooks/incompatible-library
  const table = useReactTable({
    data,
    columns,
    state: { sorting },
    // Sorting is opt-in per column: a column sorts only where the server can order by it.
    defaultColumn: { enableSorting: false },
    enableSorting: Boolean(sort),
    manualSorting: true,
    manualPagination: true,
    manualFiltering: true,
    getCoreRowModel: getCoreRowModel(),
  })

  const sortHref = (column: string) =>
    hrefWith('', { ...query, page: undefined, sort: column, dir: sort?.column === column && sort.direction === 'asc' ? 'desc' : 'asc' })

  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
      <table className="w-full min-w-max border-collapse text-left text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead className="bg-slate-100 text-slate-700">
          {table.getHeaderGroups().map((group) => (
            <tr key={group.id}>
              {group.headers.map((header) => {
                const canSort = header.column.getCanSort()
                const sorted = header.column.getIsSorted()
                const label = flexRender(header.column.columnDef.header, header.getContext())
                return (
                  <th
                    key={header.id}
                    scope="col"
                    className="px-3 py-2 font-semibold"
                    aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : undefined}
                  >
                    {canSort ? (
                      <Link href={sortHref(header.column.id)} className={`inline-flex items-center gap-1 rounded-sm hover:underline ${focusRing}`}>
                        {label}
                        <span aria-hidden="true">{sorted === 'asc' ? '▲' : sorted === 'desc' ? '▼' : '↕'}</span>
                      </Link>
                    ) : (
                      label
                    )}
                  </th>
                )
              })}
            </tr>
          ))}
        </thead>
        <tbody>
          {table.getRowModel().rows.length === 0 ? (
            <tr>
              <td colSpan={columns.length} className="px-3 py-6 text-center text-slate-600">
                {empty}
              </td>
            </tr>
          ) : (
            table.getRowModel().rows.map((row) => (
              <tr key={row.id} className="border-t border-slate-200 align-top hover:bg-slate-50" data-testid={rowTestId}>
                {row.getVisibleCells().map((cell) => (
                  <td key={cell.id} className="px-3 py-2">
                    {flexRender(cell.column.columnDef.cell, cell.getContext())}
                  </td>
                ))}
              </tr>
            ))
          )}
        </tbody>
      </table>
    </div>
  )
}
