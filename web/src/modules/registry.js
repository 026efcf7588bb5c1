// What the kernel takes from the module list: each function gathers one
// contribution of every module, in list order. The shapes are described in
// web/README.md ("Adding a module").
import { MODULES } from './index.js'
import { assembleMessages } from './messages.js'

// Each function takes the list as a last argument (the module list unless
// given), so a test can hand it a list of its own.
function gather(field, modules) {
  return modules.flatMap((m) => m[field] || [])
}

// Children of the signed-in layout (paths relative to '/').
export function moduleRoutes(modules = MODULES) {
  return gather('routes', modules)
}

// Top-level routes outside the layout; they carry meta.public themselves.
export function modulePublicRoutes(modules = MODULES) {
  return gather('publicRoutes', modules)
}

// Side-menu entries [{key, path, icon}]; the label is t(`nav.${key}`).
export function moduleMenu(modules = MODULES) {
  return gather('menu', modules)
}

// Links shown on the sign-in page [{key, to, label}] (label: a message key).
export function modulePublicLinks(modules = MODULES) {
  return gather('publicLinks', modules)
}

// Home-page panels [{key, title, component, visible?}].
export function modulePanels(modules = MODULES) {
  return gather('panels', modules).filter((p) => !p.visible || p.visible())
}

// The signed-in user's to-do items from every module that has a `todo`
// provider: [{key, label, params?, to, overdue?}]. A provider that fails
// contributes nothing rather than hiding the others' items.
export async function moduleTodos(ctx, modules = MODULES) {
  const lists = await Promise.all(modules.filter((m) => m.todo).map((m) =>
    Promise.resolve().then(() => m.todo(ctx)).catch(() => [])))
  return lists.flat()
}

// The kernel's messages with every module's fragment merged in.
export function moduleMessages(kernel, modules = MODULES) {
  return assembleMessages(kernel, modules)
}
