# The bank pages share the question bank tests' users and quick-check settings.
from tests.question_bank.conftest import _quick_checks, other, owner_client  # noqa: F401
