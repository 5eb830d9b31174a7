// Imported first by the operator CLI, before any module reads the environment: the JSON server log that lib/
// code may write goes to stderr, so the CLI's own output on stdout (--json documents) stays parseable.
process.env.LOG_DESTINATION = 'stderr'
