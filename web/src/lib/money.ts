// Money is an integer number of fen (分) in the API; people type and read yuan (元).

/** "12", "12.3", "12.30", "¥1,200.5" → fen; null when it is not an amount of yuan with at most two decimals. */
export function yuanToFen(text: string): number | null {
  const cleaned = String(text).trim().replace(/^[¥￥]/, '').replace(/[,，\s]/g, '')
  if (!/^\d{1,9}(\.\d{0,2})?$/.test(cleaned)) return null
  const [whole, fraction = ''] = cleaned.split('.')
  return Number(whole) * 100 + Number((fraction + '00').slice(0, 2))
}

/** 1234 → "12.34"; 1200 → "12"; whole yuan without decimals, else two. */
export function fenToYuan(fen: number): string {
  const sign = fen < 0 ? '-' : ''
  const abs = Math.abs(Math.trunc(fen))
  const whole = Math.floor(abs / 100)
  const cents = abs % 100
  const wholeText = whole.toLocaleString('en-US')
  return sign + (cents === 0 ? wholeText : `${wholeText}.${String(cents).padStart(2, '0')}`)
}

/** "¥12.34" */
export function formatYuan(fen: number): string {
  return `¥${fenToYuan(fen)}`
}

/** The share of a pooled wish pledged, 0–100, for a progress bar. */
export function pledgedPercent(pledgedFen: number, targetFen: number | null | undefined): number {
  if (!targetFen || targetFen <= 0) return 0
  return Math.min(100, Math.floor((pledgedFen * 100) / targetFen))
}

/** What a pledge of `text` yuan means against what remains: its fen, or why not. */
export function checkPledge(text: string, remainingFen: number): { fen: number } | { error: string } {
  const fen = yuanToFen(text)
  if (fen === null) return { error: '请输入金额（元），最多两位小数' }
  if (fen <= 0) return { error: '金额须大于 0' }
  if (fen > remainingFen) return { error: `最多还可认捐 ${formatYuan(remainingFen)}` }
  return { fen }
}
