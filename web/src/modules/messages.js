// Locale messages: the kernel's file with each module's fragment merged in.
// Kept free of browser globals so that node (the message-key test) can use it.
function isObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}

// A deep merge that refuses to overwrite: two modules defining one message is
// a mistake, not an override.
export function mergeMessages(base, fragment, where = '') {
  const out = { ...base }
  for (const [k, v] of Object.entries(fragment)) {
    const path = where ? `${where}.${k}` : k
    if (isObject(v) && isObject(out[k])) out[k] = mergeMessages(out[k], v, path)
    else if (k in out) throw new Error(`message ${path} is defined twice`)
    else out[k] = v
  }
  return out
}

// kernel: { locale: messages }; modules: the module list.
export function assembleMessages(kernel, modules) {
  return Object.fromEntries(Object.entries(kernel).map(([loc, msgs]) =>
    [loc, modules.reduce((acc, m) => mergeMessages(acc, (m.messages && m.messages[loc]) || {}), msgs)]))
}
