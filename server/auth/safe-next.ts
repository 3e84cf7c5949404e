/**
 * A path of the console to come back to after signing in ("/logs?q=x"); anything that could
 * leave the console ("//evil.example", "/\evil", "https://…", a scheme) or loop (/login, /api)
 * is dropped, and the caller lands on its home page instead. Pure.
 */
export const safeNext = (path: string | null | undefined) =>
  path && /^\/(?![/\\])[\w\-./?=&%]*$/.test(path) && !path.startsWith('/login') && !path.startsWith('/api') ? path : '';
