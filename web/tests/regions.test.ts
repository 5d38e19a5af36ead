import { describe, expect, it } from 'vitest'
import { attachChildren, hasChildren, levelOf, pathLabel, pathTo, shortCode, toOptions, villageCode } from '../src/lib/regions'

describe('region codes', () => {
  it('drops trailing zero groups', () => {
    expect(shortCode('430000')).toBe('43')
    expect(shortCode('431200')).toBe('4312')
    expect(shortCode('431222000000')).toBe('431222')
    expect(shortCode('431222101000')).toBe('431222101')
    expect(shortCode('431222101201')).toBe('431222101201')
  })
  it('names the level', () => {
    expect(levelOf('4312')).toBe('city')
    expect(levelOf('431222101')).toBe('township')
    expect(levelOf('431222101201')).toBe('village')
  })
  it('gives the path from the top', () => {
    expect(pathTo('431222101')).toEqual(['43', '4312', '431222', '431222101'])
  })
  it('only takes a village for a wish', () => {
    expect(villageCode('431222101201')).toBe('431222101201')
    expect(villageCode('431222101')).toBeNull()
  })
})

describe('the picker tree', () => {
  const top = toOptions([{ code: '430000', name: '湖南省', level: 'province' }], 'township')
  it('lets branches open down to the deepest level only', () => {
    expect(top[0]).toMatchObject({ value: '43', text: '湖南省', children: [] })
    expect(hasChildren('county', 'township')).toBe(true)
    expect(hasChildren('township', 'township')).toBe(false)
    const towns = toOptions([{ code: '431222101', name: '马底驿乡', level: 'township' }], 'township')
    expect(towns[0].children).toBeUndefined()
  })
  it('hangs children under their parent, deep down, without touching the old tree', () => {
    const cities = toOptions([{ code: '4312', name: '怀化市', level: 'city' }], 'township')
    const withCities = attachChildren(top, '43', cities)
    const counties = toOptions([{ code: '431222', name: '沅陵县', level: 'county' }], 'township')
    const withCounties = attachChildren(withCities, '4312', counties)
    expect(withCounties[0].children?.[0].children?.[0].text).toBe('沅陵县')
    expect(top[0].children).toEqual([])
    expect(pathLabel([withCounties[0], withCounties[0].children![0]])).toBe('湖南省 / 怀化市')
  })
  it('makes a region with no children a leaf', () => {
    const leaf = attachChildren(top, '43', [])
    expect(leaf[0].children).toBeUndefined()
  })
})
