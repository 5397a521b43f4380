"""What every layer of the app may use: roles, domain errors, strict environment readers,
server-side math, time-zone names and the ``attempt_graded`` signal.

Nothing here imports the app's models or any domain package (import-linter checks it)."""
