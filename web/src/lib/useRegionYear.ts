// The figures of one region and year (the compliance and recognition pages): both live in the address
// (?region=&year=) so that a view can be shared; by default the caller's own region and this year in China.
import { onMounted, ref, type Ref } from 'vue'
import { useRoute, useRouter, type LocationQueryRaw } from 'vue-router'
import { describe } from '../api/client'
import { session } from './session'
import { shortCode } from './regions'
import { chinaYear, recentYears } from './units'

export interface RegionYearQuery { year: number; region?: string }

export interface RegionYearOptions {
  /** Load on mount only when this holds (e.g. the caller is an officer). */
  when?: () => boolean
  /** More of the page's state to keep in the address beside region and year. */
  query?: () => LocationQueryRaw
}

export function useRegionYear<T>(fetch: (query: RegionYearQuery) => Promise<T>, options: RegionYearOptions = {}) {
  const route = useRoute()
  const router = useRouter()
  const region = ref(String(route.query.region || shortCode(session.caller?.region || '')))
  const regionLabel = ref('')
  const year = ref(Number(route.query.year) || chinaYear())
  const years = recentYears()
  const picking = ref(false)
  const view = ref(null) as Ref<T | null>
  const loadError = ref('')

  async function load() {
    loadError.value = ''
    view.value = null
    try {
      view.value = await fetch({ year: year.value, ...(region.value ? { region: region.value } : {}) })
    } catch (e) {
      loadError.value = describe(e)
    }
  }
  onMounted(() => { if (!options.when || options.when()) load() })

  /** The chosen region and year (and the page's own part) into the address, then the figures again. */
  function apply() {
    router.replace({ query: { region: region.value, year: String(year.value), ...options.query?.() } })
    load()
  }
  function onPick(picked: { code: string; label: string }) {
    region.value = picked.code
    regionLabel.value = picked.label
    apply()
  }

  return { region, regionLabel, year, years, picking, view, loadError, load, apply, onPick }
}
