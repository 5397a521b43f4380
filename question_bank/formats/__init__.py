"""Bank file formats: native YAML, Moodle XML, GIFT (import) and Moodle XML, Anki (export)."""
