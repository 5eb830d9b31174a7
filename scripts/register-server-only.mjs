// Outside Next's bundler, `import 'server-only'` would throw. Resolve it under the `react-server` condition,
// to the package's empty module, exactly as Next does for server code, so the CLI can load the same modules.
import { register } from 'node:module'

register(
  'data:text/javascript,' +
    encodeURIComponent(`
      export async function resolve(specifier, context, next) {
        if (specifier === 'server-only') return next(specifier, { ...context, conditions: [...context.conditions, 'react-server'] })
        return next(specifier, context)
      }`),
  import.meta.url,
)
