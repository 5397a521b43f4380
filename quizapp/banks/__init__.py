"""The instructor's bank pages: upload and check a file, preview variants, publish, see where each
question is used. The banks themselves (models, formats, import) live in ``question_bank``."""
