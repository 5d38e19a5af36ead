import { describe, expect, it } from 'vitest'
import { checkPledge, fenToYuan, formatYuan, pledgedPercent, yuanToFen } from '../src/lib/money'

describe('yuan ↔ fen', () => {
  it('reads what people type', () => {
    expect(yuanToFen('12')).toBe(1200)
    expect(yuanToFen('12.3')).toBe(1230)
    expect(yuanToFen('12.34')).toBe(1234)
    expect(yuanToFen(' ¥1,200.5 ')).toBe(120050)
    expect(yuanToFen('0.01')).toBe(1)
    expect(yuanToFen('0.1')).toBe(10)
  })
  it('has no floating-point drift', () => {
    expect(yuanToFen('0.29')).toBe(29)
    expect(yuanToFen('1.15')).toBe(115)
    expect(yuanToFen('100000.00')).toBe(10_000_000)
  })
  it('refuses what is not an amount', () => {
    for (const bad of ['', 'abc', '12.345', '-5', '1e3', '.5.', '12..3']) expect(yuanToFen(bad)).toBeNull()
  })
  it('writes fen as yuan', () => {
    expect(fenToYuan(1234)).toBe('12.34')
    expect(fenToYuan(1200)).toBe('12')
    expect(fenToYuan(5)).toBe('0.05')
    expect(fenToYuan(123456700)).toBe('1,234,567')
    expect(formatYuan(30000)).toBe('¥300')
  })
  it('round-trips', () => {
    for (const fen of [0, 1, 99, 100, 101, 29, 10_000_000]) expect(yuanToFen(fenToYuan(fen))).toBe(fen)
  })
  it('shows progress capped at 100', () => {
    expect(pledgedPercent(5000, 20000)).toBe(25)
    expect(pledgedPercent(30000, 20000)).toBe(100)
    expect(pledgedPercent(0, null)).toBe(0)
  })
  it('checks a pledge against what remains', () => {
    expect(checkPledge('50', 10000)).toEqual({ fen: 5000 })
    expect(checkPledge('100.01', 10000)).toHaveProperty('error')
    expect(checkPledge('0', 10000)).toHaveProperty('error')
    expect(checkPledge('x', 10000)).toHaveProperty('error')
  })
})
