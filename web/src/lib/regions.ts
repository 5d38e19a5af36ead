// The region picker's logic, apart from the UI: division codes, levels, and the cascader's tree.

export type Level = 'province' | 'city' | 'county' | 'township' | 'village'
export interface Region { code: string; name: string; level: string }
export interface RegionOption { text: string; value: string; level: string; children?: RegionOption[] }

const LEVELS: Level[] = ['province', 'city', 'county', 'township', 'village']
const LENGTHS: Record<Level, number> = { province: 2, city: 4, county: 6, township: 9, village: 12 }

/** The significant prefix of a code: "431200" and "431200000000" → "4312". */
export function shortCode(code: string): string {
  const digits = code.replace(/\D/g, '')
  if (digits.length === 0) return ''
  const padded = digits.padEnd(12, '0').slice(0, 12)
  for (const level of LEVELS) {
    const length = LENGTHS[level]
    if (/^0*$/.test(padded.slice(length))) return padded.slice(0, length)
  }
  return padded
}

export function levelOf(code: string): Level | null {
  const short = shortCode(code)
  return LEVELS.find((level) => LENGTHS[level] === short.length) ?? null
}

/** Whether the picker goes deeper below a region of this level. */
export function hasChildren(level: string, deepest: Level): boolean {
  const index = LEVELS.indexOf(level as Level)
  return index >= 0 && index < LEVELS.indexOf(deepest)
}

export function toOptions(regions: Region[], deepest: Level): RegionOption[] {
  return regions.map((region) => ({
    text: region.name,
    value: shortCode(region.code),
    level: region.level,
    children: hasChildren(region.level, deepest) ? [] : undefined,
  }))
}

/** Hang loaded children under the option with `code` (a new tree: the cascader sees the change). */
export function attachChildren(tree: RegionOption[], code: string, children: RegionOption[]): RegionOption[] {
  return tree.map((option) => {
    if (option.value === code) return { ...option, children: children.length ? children : undefined }
    if (option.children && code.startsWith(option.value)) {
      return { ...option, children: attachChildren(option.children, code, children) }
    }
    return option
  })
}

/** The codes from the top of the tree down to `code` (each a prefix of it), for a cascader's value. */
export function pathTo(code: string): string[] {
  const short = shortCode(code)
  return LEVELS.map((level) => LENGTHS[level]).filter((n) => n <= short.length).map((n) => short.slice(0, n))
}

/** The label "怀化市 / 沅陵县" for the chosen options. */
export function pathLabel(options: { text: string }[]): string {
  return options.map((option) => option.text).join(' / ')
}

/** A village's full 12-digit code, as POST /wishes asks for. */
export function villageCode(code: string): string | null {
  const short = shortCode(code)
  return short.length === 12 ? short : null
}
