import os

import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")


@pytest.fixture(autouse=True, scope="session")
def single_thread():
    """Tiny tensors: torch's intra-op thread pool only adds wake-up latency (on a busy 2-core
    machine F.binary_cross_entropy_with_logits takes ~1.7 ms per call instead of ~20 µs)."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
