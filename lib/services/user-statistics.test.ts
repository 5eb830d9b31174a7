import { describe, expect, it } from 'vitest'
import { createTestTenant, entraUser } from '@/test/scim-harness'
import { analyzeUserTable } from '../db/users'
import { UserStatisticsRefresher } from './user-statistics'

describe('user table statistics', () => {
  it('analyzes once enough users changed, one run at a time, then waits for a fifth of the table', async () => {
    let runs = 0
    let finish: (rows: number) => void = () => {}
    const refresher = new UserStatisticsRefresher(() => {
      runs++
      return new Promise<number>((resolve) => (finish = resolve))
    }, 5)
    for (let index = 0; index < 4; index++) refresher.noteChanges()
    expect(runs).toBe(0)
    refresher.noteChanges()
    expect(runs).toBe(1)
    // While it runs, more changes start no second ANALYZE; they count towards the next.
    refresher.noteChanges(6)
    expect(runs).toBe(1)
    finish(100)
    await refresher.settled()
    // 100 rows known: the next run waits for 20 changes, not 5.
    refresher.noteChanges(13)
    expect(runs).toBe(1)
    refresher.noteChanges()
    expect(runs).toBe(2)
    finish(100)
    await refresher.settled()
  })

  it('survives a failing ANALYZE and tries again later', async () => {
    let runs = 0
    const warnings: unknown[] = []
    const refresher = new UserStatisticsRefresher(
      async () => {
        runs++
        throw new Error('permission denied')
      },
      2,
      (error) => warnings.push(error),
    )
    refresher.noteChanges(2)
    await refresher.settled()
    refresher.noteChanges(2)
    await refresher.settled()
    expect(runs).toBe(2)
    expect(warnings).toEqual([new Error('permission denied'), new Error('permission denied')])
  })

  it('refreshes the real table and reports its rows', async () => {
    const tenant = await createTestTenant()
    for (let index = 0; index < 25; index++) {
      expect((await tenant.request('POST', '/Users', entraUser(`stats-${index}`))).status).toBe(201)
    }
    expect(await analyzeUserTable()).toBeGreaterThanOrEqual(25)
  })
})
