import { describe, expect, it } from 'vitest'
import { chinaYear, filterCompliance, hoursText, isWorkWish, recentYears, splitHonours } from '../src/lib/units'

describe('organizations', () => {
  it('knows the wishes that take volunteers', () => {
    expect(isWorkWish('yard')).toBe(true)
    expect(isWorkWish('care')).toBe(true)
    expect(isWorkWish('goods')).toBe(false)
    expect(isWorkWish(null)).toBe(false)
  })
  it('takes the year in China time', () => {
    expect(chinaYear(new Date('2026-12-31T17:00:00Z'))).toBe(2027)
    expect(chinaYear(new Date('2026-12-31T15:00:00Z'))).toBe(2026)
    expect(recentYears(new Date('2026-06-01T00:00:00Z'), 3)).toEqual([2026, 2025, 2024])
  })
  it('says hours and splits honours', () => {
    expect(hoursText(4)).toBe('4 小时')
    expect(hoursText(2.5)).toBe('2.5 小时')
    expect(hoursText(null)).toBe('—')
    expect(splitHonours('巾帼文明岗（2025）\n三八红旗集体、 ,')).toEqual(['巾帼文明岗（2025）', '三八红旗集体'])
  })
  it('filters the compliance rows by status and name', () => {
    const rows = [
      { status: 'below', name: '王家村党支部' },
      { status: 'met', name: '沅陵县妇联' },
      { status: 'no_quota', name: '志愿者协会' },
    ]
    expect(filterCompliance(rows, '').length).toBe(3)
    expect(filterCompliance(rows, 'below').map((r) => r.name)).toEqual(['王家村党支部'])
    expect(filterCompliance(rows, '', '妇联').map((r) => r.name)).toEqual(['沅陵县妇联'])
  })
})
