"""Reports of errors in questions: a student reports a variant, the bank's owner answers."""
