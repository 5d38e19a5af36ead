import { describe, expect, it } from 'vitest'
import { atRiskFirst, countText, officerLevel, percentText, runEach, timeLeft } from '../src/lib/console'
import { fetchAll, joinParts, parseCsv, pickColumns } from '../src/lib/ledger'

describe('the workbench', () => {
  it('knows an officer level from her region', () => {
    expect(officerLevel('431222')).toBe('county')
    expect(officerLevel('431222250201')).toBe('village')
    expect(officerLevel('4312')).toBe('city')
    expect(officerLevel(null)).toBeNull()
  })
  it('says the time left in a review window, or how late', () => {
    const now = new Date('2026-12-01T00:00:00Z')
    expect(timeLeft('2026-12-03T03:00:00Z', now)).toEqual({ text: '还剩 2 天 3 小时', late: false })
    expect(timeLeft('2026-11-30T19:00:00Z', now)).toEqual({ text: '已超时 5 小时', late: true })
    expect(timeLeft(null, now).text).toBe('')
  })
  it('runs every bulk act: one failure does not stop the rest', async () => {
    const seen: string[] = []
    const results = await runEach(['a', 'b', 'c'], async (id) => {
      seen.push(id)
      if (id === 'b') throw new Error('taken')
    }, (e) => String((e as Error).message))
    expect(seen).toEqual(['a', 'b', 'c'])
    expect(results).toEqual([{ id: 'a', ok: true }, { id: 'b', ok: false, error: 'taken' }, { id: 'c', ok: true }])
  })
  it('puts wishes at risk first, then the oldest', () => {
    const items = [
      { id: 1, at_risk: false, created_at: '2026-01-01' },
      { id: 2, at_risk: true, created_at: '2026-03-01' },
      { id: 3, at_risk: false, created_at: '2025-12-01' },
    ]
    expect(atRiskFirst(items).map((w) => w.id)).toEqual([2, 3, 1])
  })
  it('formats counts and rates without computing them', () => {
    expect(countText(100, true)).toBe('100+')
    expect(countText(3, false)).toBe('3')
    expect(percentText(0.8333)).toBe('83.3%')
    expect(percentText(1)).toBe('100%')
  })
})

describe('the ledger', () => {
  it('joins parts with one BOM and one header row', () => {
    const joined = joinParts(['\ufeffid,title\r\n1,a\r\n', '\ufeffid,title\r\n2,b\r\n', '\ufeffid,title\r\n'])
    expect(joined).toBe('\ufeffid,title\r\n1,a\r\n2,b\r\n')
  })
  it('follows the cursor to the end', async () => {
    const parts: Record<string, { text: string; rows: number; next: string | null }> = {
      start: { text: '\ufeffh\n1\n', rows: 1, next: 'c1' },
      c1: { text: '\ufeffh\n2\n', rows: 1, next: null },
    }
    const progress: number[] = []
    const result = await fetchAll(async (cursor) => parts[cursor || 'start'], (rows) => progress.push(rows))
    expect(result).toEqual({ csv: '\ufeffh\n1\n2\n', rows: 2 })
    expect(progress).toEqual([1, 2])
  })
})

describe('campaign days', () => {
  it('reads and writes days in China time', async () => {
    const { campaignPeriod, chinaDay, dayEnd, dayStart } = await import('../src/lib/campaigns')
    expect(dayStart('2026-06-01')).toBe('2026-06-01T00:00:00+08:00')
    expect(dayEnd('2026-06-30')).toBe('2026-06-30T23:59:59+08:00')
    expect(chinaDay('2026-05-31T16:00:00Z')).toBe('2026-06-01')
    expect(campaignPeriod('2026-05-31T16:00:00Z', '2026-06-30T15:59:59Z')).toBe('2026-06-01 至 2026-06-30')
  })
})

describe('the ledger BOM', () => {
  it('puts one BOM at the start even when the decoder dropped it', () => {
    expect(joinParts(['id\n1\n', 'id\n2\n'])).toBe('\ufeffid\n1\n2\n')
  })
})

describe('parent regions', () => {
  it('goes one level up', async () => {
    const { parentCode } = await import('../src/lib/console')
    expect(parentCode('431222250201')).toBe('431222250')
    expect(parentCode('431222250')).toBe('431222')
    expect(parentCode('431222')).toBe('4312')
    expect(parentCode('43')).toBeNull()
  })
})

describe('the printed ledger', () => {
  it('reads quoted fields, doubled quotes, commas and breaks inside quotes', () => {
    const rows = parseCsv('\ufeff编号,心愿\r\n1,"书包, 文具"\r\n2,"说""谢谢""\n两行"\r\n')
    expect(rows).toEqual([['编号', '心愿'], ['1', '书包, 文具'], ['2', '说"谢谢"\n两行']])
  })
  it('picks columns by their header names, skipping absent ones', () => {
    const picked = pickColumns([['编号', '状态', '心愿'], ['1', '已圆梦', '书包']], ['心愿', '没有', '状态'])
    expect(picked).toEqual({ header: ['心愿', '状态'], rows: [['书包', '已圆梦']] })
  })
})
