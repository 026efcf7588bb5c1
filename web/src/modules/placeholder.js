// A module that is not built yet: its menu entry, its label in each language
// and one route to the kernel's "coming soon" page. When the module is built,
// its line in the module list points at its folder instead.
export function placeholder(key, icon, labels) {
  return {
    name: key,
    placeholder: true,
    routes: [{
      path: key,
      name: key,
      component: () => import('../views/ComingSoon.vue'),
      props: { module: key },
      meta: { nav: key },
    }],
    menu: [{ key, path: `/${key}`, icon }],
    messages: Object.fromEntries(Object.entries(labels).map(([loc, label]) => [loc, { nav: { [key]: label } }])),
  }
}
