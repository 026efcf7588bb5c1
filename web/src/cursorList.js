// Cursor pagination over a list endpoint: {"items", "next_cursor", "total"?}.
// Keeps a stack of cursors so that "previous page" works. `path` and `query`
// may be functions, read at each load; `onLoad(res)` sees the whole response
// of the latest load (for what a page shows besides its items).
import { ref } from 'vue'
import { api } from './api.js'

export function useCursorList(path, { pageSize = 50, query = () => ({}), onLoad, onError } = {}) {
  const items = ref([])
  const total = ref(null)
  const nextCursor = ref(null)
  const cursors = ref([null])
  const loading = ref(false)
  let seq = 0

  async function load() {
    const mine = ++seq
    loading.value = true
    const q = { limit: pageSize, ...query() }
    const cursor = cursors.value[cursors.value.length - 1]
    if (cursor) q.cursor = cursor
    try {
      const res = await api.get(typeof path === 'function' ? path() : path, q)
      if (mine !== seq) return
      items.value = res.items || []
      nextCursor.value = res.next_cursor || null
      total.value = typeof res.total === 'number' ? res.total : null
      if (onLoad) onLoad(res)
    } catch (e) {
      if (mine !== seq) return
      items.value = []
      nextCursor.value = null
      if (onError) onError(e)
    } finally {
      if (mine === seq) loading.value = false
    }
  }

  function first() {
    cursors.value = [null]
    return load()
  }
  function next() {
    if (!nextCursor.value) return
    cursors.value = [...cursors.value, nextCursor.value]
    load()
  }
  function prev() {
    if (cursors.value.length <= 1) return
    cursors.value = cursors.value.slice(0, -1)
    load()
  }

  return { items, total, nextCursor, cursors, loading, load, first, next, prev }
}
