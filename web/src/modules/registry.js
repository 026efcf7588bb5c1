// What the kernel takes from the module list: each function gathers one
// contribution of every module, in list order. The shapes are described in
// web/README.md ("Adding a module").
import { MODULES } from './index.js'
import { assembleMessages } from './messages.js'

function gather(field) {
  return MODULES.flatMap((m) => m[field] || [])
}

// Children of the signed-in layout (paths relative to '/').
export function moduleRoutes() {
  return gather('routes')
}

// Top-level routes outside the layout; they carry meta.public themselves.
export function modulePublicRoutes() {
  return gather('publicRoutes')
}

// Side-menu entries [{key, path, icon}]; the label is t(`nav.${key}`).
export function moduleMenu() {
  return gather('menu')
}

// Links shown on the sign-in page [{key, to, label}] (label: a message key).
export function modulePublicLinks() {
  return gather('publicLinks')
}

// Home-page panels [{key, title, component, visible?}].
export function modulePanels() {
  return gather('panels').filter((p) => !p.visible || p.visible())
}

// The signed-in user's to-do items from every module that has a `todo`
// provider: [{key, label, params?, to, overdue?}]. A provider that fails
// contributes nothing rather than hiding the others' items.
export async function moduleTodos(ctx) {
  const lists = await Promise.all(MODULES.filter((m) => m.todo).map((m) =>
    Promise.resolve().then(() => m.todo(ctx)).catch(() => [])))
  return lists.flat()
}

// The kernel's messages with every module's fragment merged in.
export function moduleMessages(kernel) {
  return assembleMessages(kernel, MODULES)
}
