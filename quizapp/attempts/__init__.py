"""Quiz attempts: starting one, saving and grading answers, finishing, the attempt pages."""
