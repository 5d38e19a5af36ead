// Settings read at start from /app/config.json, so one build serves every stage.

export interface AppConfig {
  api_base: string
  oidc_issuer?: string | null
  oidc_client_id?: string | null
  /** Only the local runtime's config.json sets it: the role picker of /dev/tokens. */
  dev_signin?: boolean
}

let current: AppConfig = { api_base: '' }

export async function loadConfig(): Promise<AppConfig> {
  try {
    // No `cache: 'no-store'`: that would miss the <link rel=preload> of index.html (the server says no-cache).
    const response = await fetch(`${import.meta.env.BASE_URL}config.json`)
    if (response.ok) current = { ...current, ...(await response.json()) }
  } catch {
    // No config.json (e.g. `vite dev`): same-origin API, no sign-in provider.
  }
  current.api_base = (current.api_base || '').replace(/\/$/, '')
  return current
}

export function config(): AppConfig {
  return current
}
