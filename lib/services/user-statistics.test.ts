import { describe, expect, it } from 'vitest'
import { createTestTenant, entraUser } from '@/test/scim-harness'
import { analyzeUserTable } from '../db/users'
import { UserStatisticsRefresher } from './user-statistics'

describe('user table statistics', () => {
  it('analyzes once enough users were created, one run at a time, then waits for the table to double', async () => {
    let runs = 0
    let finish: (rows: number) => void = () => {}
    const refresher = new UserStatisticsRefresher(() => {
      runs++
      return new Promise<number>((resolve) => (finish = resolve))
    }, 5)
    for (let index = 0; index < 4; index++) refresher.noteCreated()
    expect(runs).toBe(0)
    refresher.noteCreated()
    expect(runs).toBe(1)
    // While it runs, more creations start no second ANALYZE; they count towards the next.
    refresher.noteCreated(6)
    expect(runs).toBe(1)
    finish(100)
    await refresher.settled()
    // 100 rows known: the next run waits for 100 creations, not 5.
    refresher.noteCreated(93)
    expect(runs).toBe(1)
    refresher.noteCreated()
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
    refresher.noteCreated(2)
    await refresher.settled()
    refresher.noteCreated(2)
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
