// The session per WEB.md: the bearer token in sessionStorage under 'mw.token' only (gone when the tab closes).
import { reactive } from 'vue'

export const TOKEN_KEY = 'mw.token'

export interface Caller { sub: string; role: string; region: string | null; name: string | null; exp: number }

function decode(token: string): Caller | null {
  try {
    const payload = token.split('.')[1]
    const json = decodeURIComponent(
      atob(payload.replace(/-/g, '+').replace(/_/g, '/'))
        .split('')
        .map((c) => '%' + c.charCodeAt(0).toString(16).padStart(2, '0'))
        .join(''),
    )
    const claims = JSON.parse(json)
    const groups: string[] = claims['cognito:groups'] || []
    const role = ['admin', 'officer', 'donor', 'resident'].find((r) => groups.includes(r)) || groups[0] || ''
    return {
      sub: String(claims.sub || ''), role, region: claims['custom:region'] || null,
      name: claims.name || null, exp: Number(claims.exp || 0),
    }
  } catch {
    return null
  }
}

function read(): { token: string | null; caller: Caller | null } {
  const token = sessionStorage.getItem(TOKEN_KEY)
  const caller = token ? decode(token) : null
  if (!token || !caller || (caller.exp && caller.exp * 1000 < Date.now())) return { token: null, caller: null }
  return { token, caller }
}

export const session = reactive(read())

export function signIn(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token)
  Object.assign(session, read())
}

export function signOut(): void {
  sessionStorage.removeItem(TOKEN_KEY)
  Object.assign(session, { token: null, caller: null })
}

export const ROLE_NAMES: Record<string, string> = {
  resident: '群众 / 村级代办', donor: '爱心人士', officer: '妇联干部', admin: '管理员',
}
