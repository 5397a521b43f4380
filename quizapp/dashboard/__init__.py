"""The student's home page: weakest topics, today's cards, the review forecast, attempts."""
