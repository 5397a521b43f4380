"""The mlp engine against PyTorch autograd (F.linear + activations + loss, float64)."""

import numpy as np
import torch
import torch.nn.functional as F

from grader.engines.registry import compute

N_VARIANTS = 2500

ACT = {
    "relu": F.relu,
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "linear": lambda t: t,
}


def torch_mlp(x, layers, target, loss):
    xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    params = []
    a = xt
    for layer in layers:
        w = torch.tensor(layer["W"], dtype=torch.float64, requires_grad=True)
        b = torch.tensor(layer["b"], dtype=torch.float64, requires_grad=True)
        params.append((w, b))
        a = ACT[layer["activation"]](F.linear(a, w, b))
    t = torch.tensor(target, dtype=torch.float64)
    if loss == "half_sse":
        value = 0.5 * ((a - t) ** 2).sum()
    elif loss == "mse":
        value = F.mse_loss(a, t)
    else:
        value = F.binary_cross_entropy(a, t)
    value.backward()
    return {
        "output": a.detach().numpy(),
        "loss": value.item(),
        "grads": [(w.grad.numpy(), b.grad.numpy()) for w, b in params],
        "input_grad": xt.grad.numpy(),
    }


def random_matrix(rng, shape):
    if rng.random() < 0.5:
        return rng.integers(-3, 4, shape) / rng.choice([1.0, 2.0, 10.0])  # zeros: relu kinks
    return rng.normal(0, 1, shape)


def random_network(rng):
    depth = int(rng.integers(1, 4))
    sizes = [int(rng.integers(1, 5)) for _ in range(depth + 1)]
    loss = str(rng.choice(["half_sse", "mse", "bce"]))
    layers = []
    for k in range(depth):
        act = str(rng.choice(list(ACT)))
        if loss == "bce" and k == depth - 1:
            act = "sigmoid"
        layers.append(
            {
                "W": random_matrix(rng, (sizes[k + 1], sizes[k])).tolist(),
                "b": random_matrix(rng, sizes[k + 1]).tolist(),
                "activation": act,
            }
        )
    x = random_matrix(rng, sizes[0]).tolist()
    if loss == "bce":
        target = rng.choice([0.0, 1.0, rng.uniform()], sizes[-1]).tolist()
    else:
        target = random_matrix(rng, sizes[-1]).tolist()
    return x, layers, target, loss


def close(actual, desired, msg):
    desired = np.asarray(desired, dtype=float)
    scale = max(1.0, float(np.max(np.abs(desired), initial=0.0)))
    np.testing.assert_allclose(actual, desired, rtol=1e-9, atol=1e-13 * scale, err_msg=msg)


def test_random_networks():
    rng = np.random.default_rng(11)
    for _ in range(N_VARIANTS):
        x, layers, target, loss = random_network(rng)
        out = compute("mlp", x=x, layers=layers, target=target, loss=loss)
        ref = torch_mlp(x, layers, target, loss)
        msg = f"x={x} layers={layers} target={target} loss={loss}"
        close(out["output"], ref["output"], msg)
        close(out["loss"], ref["loss"], msg)
        close(out["input_grad"], ref["input_grad"], msg)
        for got, (gw, gb) in zip(out["grads"], ref["grads"], strict=True):
            close(got["W"], gw, msg)
            close(got["b"], gb, msg)


def test_saturated_sigmoid_with_bce_follows_torch_clamps():
    # σ(±40) rounds to exactly 1 / a tiny number: torch's −100 clamp and 1e-12 floor apply
    for z, t in [(40.0, 0.0), (40.0, 1.0), (-40.0, 1.0), (-800.0, 1.0), (30.0, 0.3)]:
        layers = [{"W": [[1.0]], "b": [0.0], "activation": "sigmoid"}]
        out = compute("mlp", x=[z], layers=layers, target=[t], loss="bce")
        ref = torch_mlp([z], layers, [t], "bce")
        close(out["loss"], ref["loss"], str(z))
        close(out["grads"][0]["W"], ref["grads"][0][0], str(z))
        close(out["input_grad"], ref["input_grad"], str(z))


def test_seed_networks():
    cafe = [
        {"W": [[5, -60, 0.5], [-2, -80, 2]], "b": [0, 0], "activation": "relu"},
        {"W": [[1, 0.2]], "b": [4], "activation": "relu"},
    ]
    out = compute("mlp", x=[20, 0, 1], layers=cafe, target=[100], loss="half_sse")
    ref = torch_mlp([20.0, 0.0, 1.0], cafe, [100.0], "half_sse")
    assert out["output"] == ref["output"].tolist() == [104.5]
    close(out["grads"][0]["W"], ref["grads"][0][0], "cafe")

    neuron = [{"W": [[1, 2]], "b": [-1.1], "activation": "sigmoid"}]
    out = compute("mlp", x=[0.5, 0.2], layers=neuron, target=[1], loss="half_sse")
    ref = torch_mlp([0.5, 0.2], neuron, [1.0], "half_sse")
    close(out["grads"][0]["W"], ref["grads"][0][0], "neuron")
    assert abs(ref["grads"][0][0][0, 0] - (-0.0680465)) < 1e-6  # the seed's 0.0557 is wrong
