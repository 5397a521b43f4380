"""Flashcards: study decks, the FSRS schedule, numeric cards with new numbers at every review."""
