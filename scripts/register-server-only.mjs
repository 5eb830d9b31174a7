// Outside Next's bundler, `import 'server-only'` would throw. Resolve it to the package's empty module,
// exactly as Next does for server code, so server.ts and the CLI can load the same modules.
import { register } from 'node:module'

register(
  'data:text/javascript,' +
    encodeURIComponent(`
      export async function resolve(specifier, context, next) {
        if (specifier === 'server-only') return next('server-only/empty.js', context)
        return next(specifier, context)
      }`),
  import.meta.url,
)
