"""Free practice by topic: endless fresh variants, graded like quiz answers, feeding mastery."""
