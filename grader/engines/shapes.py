"""Parameter counts, output shapes and receptive fields of layers.

Conventions followed (all sizes are exact Python integers):

* ``dense_params``, ``conv2d_params``, ``conv2d_output_shape``, ``pool2d_output_shape``,
  ``rnn_params`` (``convention="pytorch"``) and ``embedding_params`` count exactly what
  ``sum(p.numel() for p in module.parameters())`` gives for ``torch.nn.Linear``, ``Conv2d``,
  ``RNN``/``LSTM``/``GRU`` and ``Embedding``, and the shapes ``torch.nn.Conv2d``/``MaxPool2d``
  produce (floor division; ``MaxPool2d``'s ``ceil_mode`` drops a last window that would start in the
  right padding; its padding may not exceed half the kernel).
* ``padding="same"`` / ``"valid"`` of a convolution follow ``keras.layers.Conv2D``:
  ``"same"`` gives ``ceil(n / stride)``, ``"valid"`` is padding 0. ``"same"`` with a stride > 1
  and a dilation > 1 is refused, as both Keras and PyTorch refuse it.
* ``separable_conv2d_params`` and ``rnn_params`` (``convention="keras"``) count what
  ``count_params()`` gives for ``keras.layers.SeparableConv2D`` and ``SimpleRNN``/``LSTM``/``GRU``
  (Keras 3 defaults: GRU ``reset_after=True`` has two bias rows), stacked and wrapped in
  ``Bidirectional`` (``merge_mode="concat"``).
* ``conv1d_params`` counts ``torch.nn.Conv1d`` (= ``keras.layers.Conv1D``) parameters;
  ``conv1d_output_shape`` gives torch's L_out for an integer padding and Keras' for "valid",
  "same" (ceil(L/stride)) and "causal" (d·(k − 1) zeros on the left only, then "valid").
* ``conv_transpose2d_output_shape`` is the shape ``torch.nn.ConvTranspose2d`` produces:
  (n − 1)·s − 2p + d·(k − 1) + output_padding + 1, where output_padding must be smaller than the
  stride or the dilation of its axis (torch's rule).
* ``receptive_field`` is the side of the input region one output pixel depends on.

An output side that would be zero or negative is an error (code ``kernel_too_large``; for a
transposed convolution, whose output only padding can shrink, ``padding_too_large``), never 0.
"""

from __future__ import annotations

from itertools import pairwise

from grader.engines._args import as_bool, as_choice, as_int, as_int_list, as_pair, as_records, fail
from grader.engines.registry import engine
from grader.i18n import _

__all__ = [
    "dense_params",
    "conv2d_params",
    "separable_conv2d_params",
    "conv2d_output_shape",
    "conv1d_params",
    "conv1d_output_shape",
    "conv2d_mult_ops",
    "pool2d_output_shape",
    "conv_transpose2d_output_shape",
    "receptive_field",
    "rnn_params",
    "embedding_params",
]

MAX_LAYERS = 1000  # keeps every loop here short whatever a bank or a CLI user passes

_GATES = {"rnn": 1, "lstm": 4, "gru": 3}


def _count(arg: str, value) -> int:
    return as_int(arg, value, min=1)


def _layer_count(arg: str, value) -> None:
    if isinstance(value, (list, tuple)) and len(value) > MAX_LAYERS:
        fail(
            arg,
            _("слишком много слоёв (%(n_value)s), допустимо не больше %(max_layers)s")
            % {"n_value": len(value), "max_layers": MAX_LAYERS},
            "too_large",
        )


@engine("dense_params")
def dense_params(*, sizes, bias=True) -> int:
    """Number of parameters of a stack of fully connected layers (``torch.nn.Linear``).

    ``sizes`` = [n_in, h1, ..., n_out]; each layer has n_prev·n_next weights plus n_next biases.

    >>> dense_params(sizes=[12, 300, 200, 100, 1])
    84301
    >>> dense_params(sizes=[12, 300, 200, 100, 1], bias=False)
    83700
    """
    _layer_count("sizes", sizes)
    sizes = as_int_list("sizes", sizes, min=1, min_len=2)
    bias = as_bool("bias", bias)
    return sum(a * b + (b if bias else 0) for a, b in pairwise(sizes))


def _groups(groups, c_in: int, c_out: int) -> int:
    groups = as_int("groups", groups, min=1)
    for name, channels in (("c_in", c_in), ("c_out", c_out)):
        if channels % groups:
            fail(
                "groups",
                _("%(name)s=%(channels)s не делится на groups=%(groups)s")
                % {"name": name, "channels": channels, "groups": groups},
                "not_divisible",
            )
    return groups


def _conv_params(c_in, c_out, kernel, bias, groups, *, spatial: int) -> int:
    """Weights c_out·(c_in/groups)·(kernel volume) plus c_out biases (torch's Conv1d, Conv2d).

    A 2-D kernel is an int or a pair [kh, kw]; a 1-D kernel is one int.
    """
    c_in, c_out = _count("c_in", c_in), _count("c_out", c_out)
    if spatial == 2:
        kh, kw = as_pair("kernel", kernel, min=1)
        volume = kh * kw
    else:
        volume = as_int("kernel", kernel, min=1)
    bias = as_bool("bias", bias)
    groups = _groups(groups, c_in, c_out)
    return c_out * (c_in // groups) * volume + (c_out if bias else 0)


@engine("conv2d_params")
def conv2d_params(*, c_in, c_out, kernel, bias=True, groups=1) -> int:
    """Number of parameters of a 2-D convolution (``torch.nn.Conv2d``).

    Weights c_out·(c_in/groups)·kh·kw plus c_out biases; ``groups`` must divide both channel
    counts, as PyTorch requires.

    >>> conv2d_params(c_in=3, c_out=64, kernel=3)
    1792
    >>> conv2d_params(c_in=32, c_out=32, kernel=[3, 3], bias=False, groups=32)
    288
    """
    return _conv_params(c_in, c_out, kernel, bias, groups, spatial=2)


@engine("separable_conv2d_params")
def separable_conv2d_params(*, c_in, c_out, kernel, depth_multiplier=1, bias=True) -> int:
    """Number of parameters of a depthwise-separable convolution (``keras.layers.SeparableConv2D``).

    Depthwise kernel kh·kw·c_in·depth_multiplier (no bias), pointwise 1×1 kernel
    c_in·depth_multiplier·c_out plus c_out biases.

    >>> separable_conv2d_params(c_in=16, c_out=32, kernel=3)
    688
    """
    c_in, c_out = _count("c_in", c_in), _count("c_out", c_out)
    kh, kw = as_pair("kernel", kernel, min=1)
    multiplier = as_int("depth_multiplier", depth_multiplier, min=1)
    bias = as_bool("bias", bias)
    depthwise = kh * kw * c_in * multiplier
    pointwise = c_in * multiplier * c_out + (c_out if bias else 0)
    return depthwise + pointwise


def _padding(padding):
    """Either "same"/"valid" or a pair of non-negative ints."""
    if isinstance(padding, str):
        return as_choice("padding", padding, ("same", "valid"))
    return as_pair("padding", padding, min=0)


def _side(n: int, k: int, s: int, p: int, d: int, *, ceil: bool = False) -> int:
    """One output side; PyTorch's formula (floor division == its div_rtn)."""
    size = (n + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil else 0)) // s + 1
    if ceil and (size - 1) * s >= n + p:
        # MaxPool2d: the last window must start inside the input or the left padding.
        size -= 1
    return size


def _conv_shape(h, w, kernel, stride, padding, dilation) -> list[int]:
    h, w = _count("h", h), _count("w", w)
    kernel = as_pair("kernel", kernel, min=1)
    stride = as_pair("stride", stride, min=1)
    dilation = as_pair("dilation", dilation, min=1)
    padding = _padding(padding)
    if padding == "same":
        if max(stride) > 1 and max(dilation) > 1:
            fail(
                "padding",
                _(
                    '"same" при stride > 1 несовместим с dilation > 1 '
                    "(Keras и PyTorch его не допускают)"
                ),
                "incompatible",
            )
        return [(n + s - 1) // s for n, s in zip((h, w), stride, strict=True)]
    pads = (0, 0) if padding == "valid" else padding
    sides = zip((h, w), kernel, stride, pads, dilation, strict=True)
    out = [_side(n, k, s, p, d) for n, k, s, p, d in sides]
    if min(out) < 1:
        _too_large(
            _(
                "ядро %(kh)s×%(kw)s (с учётом dilation) больше входа %(h)s×%(w)s "
                "с паддингом; получился бы выход %(out_h)s×%(out_w)s"
            ),
            kernel,
            (h, w),
            out,
        )
    return out


@engine("conv2d_output_shape")
def conv2d_output_shape(*, h, w, kernel, stride=1, padding=0, dilation=1) -> list[int]:
    """Output [h_out, w_out] of a 2-D convolution (``torch.nn.Conv2d``; "same"/"valid" as Keras).

    n_out = floor((n + 2p − d(k−1) − 1) / s) + 1 per axis; ``padding="same"`` gives ceil(n/s),
    ``"valid"`` is padding 0.

    >>> conv2d_output_shape(h=32, w=32, kernel=5, stride=2, padding=2)
    [16, 16]
    >>> conv2d_output_shape(h=7, w=8, kernel=3, stride=2, padding="same")
    [4, 4]
    """
    return _conv_shape(h, w, kernel, stride, padding, dilation)


@engine("conv1d_params")
def conv1d_params(*, c_in, c_out, kernel, bias=True, groups=1) -> int:
    """Number of parameters of a 1-D convolution (``torch.nn.Conv1d``, ``keras.layers.Conv1D``).

    Weights c_out·(c_in/groups)·k plus c_out biases; over embeddings c_in is the embedding size.

    >>> conv1d_params(c_in=100, c_out=20, kernel=5)
    10020
    """
    return _conv_params(c_in, c_out, kernel, bias, groups, spatial=1)


@engine("conv1d_output_shape")
def conv1d_output_shape(*, length, kernel, stride=1, padding=0, dilation=1) -> int:
    """Output length of a 1-D convolution (``torch.nn.Conv1d``; "same"/"valid"/"causal" as Keras).

    L_out = floor((L + 2p − d(k−1) − 1)/s) + 1 for an integer padding p; "valid" is p = 0;
    "same" gives ceil(L/s); "causal" pads d(k−1) on the left only, which also gives ceil(L/s).
    "same" and "causal" with stride > 1 and dilation > 1 together are refused, as Keras refuses
    them (torch allows that pair with an integer padding, and so does this engine).

    >>> conv1d_output_shape(length=100, kernel=5)
    96
    >>> conv1d_output_shape(length=10, kernel=3, stride=2, padding="causal")
    5
    """
    length = _count("length", length)
    kernel = as_int("kernel", kernel, min=1)
    stride = as_int("stride", stride, min=1)
    dilation = as_int("dilation", dilation, min=1)
    if isinstance(padding, str):
        padding = as_choice("padding", padding, ("same", "valid", "causal"))
        if padding != "valid":
            if stride > 1 and dilation > 1:
                fail(
                    "padding",
                    _(
                        '"%(padding)s" при stride > 1 несовместим с dilation > 1 (Keras '
                        "его не допускает)"
                    )
                    % {"padding": padding},
                    "incompatible",
                )
            return (length + stride - 1) // stride
        padding = 0
    padding = as_int("padding", padding, min=0)
    out = _side(length, kernel, stride, padding, dilation)
    if out < 1:
        fail(
            "kernel",
            _(
                "ядро %(kernel)s (с учётом dilation %(dilation)s) длиннее входа %(length)s "
                "с паддингом; получилась бы длина %(out)s"
            )
            % {"kernel": kernel, "dilation": dilation, "length": length, "out": out},
            "kernel_too_large",
        )
    return out


@engine("conv2d_mult_ops")
def conv2d_mult_ops(*, h, w, c_in, c_out, kernel, stride=1, padding=0, dilation=1) -> int:
    """Number of multiplications of a 2-D convolution: H_out·W_out·C_out·kh·kw·C_in.

    The output shape follows ``conv2d_output_shape``; bias additions are not multiplications.
    It equals half of what ``torch.utils.flop_counter.FlopCounterMode`` reports for ``conv2d``.

    >>> conv2d_mult_ops(h=32, w=32, c_in=3, c_out=16, kernel=3, padding=1)
    442368
    """
    c_in, c_out = _count("c_in", c_in), _count("c_out", c_out)
    h_out, w_out = _conv_shape(h, w, kernel, stride, padding, dilation)
    kh, kw = as_pair("kernel", kernel, min=1)
    return h_out * w_out * c_out * kh * kw * c_in


@engine("pool2d_output_shape")
def pool2d_output_shape(
    *, h, w, kernel, stride=None, padding=0, ceil_mode=False, dilation=1
) -> list[int]:
    """Output [h_out, w_out] of 2-D max pooling (``torch.nn.MaxPool2d``).

    ``stride`` defaults to the kernel. Padding may not exceed half the kernel (PyTorch's check).
    With ``ceil_mode`` the division rounds up, but a last window that would start in the right
    padding is dropped.

    >>> pool2d_output_shape(h=224, w=224, kernel=2)
    [112, 112]
    >>> pool2d_output_shape(h=6, w=5, kernel=3, stride=2, padding=1, ceil_mode=True)
    [4, 3]
    """
    h, w = _count("h", h), _count("w", w)
    kernel = as_pair("kernel", kernel, min=1)
    stride = kernel if stride is None else as_pair("stride", stride, min=1)
    padding = as_pair("padding", padding, min=0)
    dilation = as_pair("dilation", dilation, min=1)
    ceil_mode = as_bool("ceil_mode", ceil_mode)
    for p, k in zip(padding, kernel, strict=True):
        if p > k // 2:
            fail(
                "padding",
                _("паддинг %(p)s больше половины ядра %(k)s") % {"p": p, "k": k},
                "padding_too_large",
            )
    sides = zip((h, w), kernel, stride, padding, dilation, strict=True)
    out = [_side(n, k, s, p, d, ceil=ceil_mode) for n, k, s, p, d in sides]
    if min(out) < 1:
        _too_large(
            _(
                "окно %(kh)s×%(kw)s (с учётом dilation) больше входа %(h)s×%(w)s "
                "с паддингом; получился бы выход %(out_h)s×%(out_w)s"
            ),
            kernel,
            (h, w),
            out,
        )
    return out


@engine("conv_transpose2d_output_shape")
def conv_transpose2d_output_shape(
    *, in_h, in_w, kernel, stride=1, padding=0, output_padding=0, dilation=1
) -> list[int]:
    """Output [h_out, w_out] of a transposed 2-D convolution (``torch.nn.ConvTranspose2d``).

    n_out = (n − 1)·s − 2p + d·(k − 1) + output_padding + 1 per axis. ``kernel``, ``stride``,
    ``padding``, ``output_padding`` and ``dilation`` are an int or a pair [rows, cols];
    output_padding must be smaller than the stride or the dilation of its axis, as torch requires.

    >>> conv_transpose2d_output_shape(in_h=16, in_w=16, kernel=4, stride=2, padding=1)
    [32, 32]
    >>> conv_transpose2d_output_shape(in_h=7, in_w=5, kernel=3, stride=2, padding=1,
    ...     output_padding=[1, 0])
    [14, 9]
    """
    size = (_count("in_h", in_h), _count("in_w", in_w))
    kernel = as_pair("kernel", kernel, min=1)
    stride = as_pair("stride", stride, min=1)
    padding = as_pair("padding", padding, min=0)
    extra = as_pair("output_padding", output_padding, min=0)
    dilation = as_pair("dilation", dilation, min=1)
    for axis, op, s, d in zip(("h", "w"), extra, stride, dilation, strict=True):
        if op >= s and op >= d:
            fail(
                "output_padding",
                _(
                    "output_padding %(op)s по оси %(axis)s должен быть меньше stride "
                    "(%(s)s) или dilation (%(d)s) этой оси (так требует torch)"
                )
                % {"op": op, "axis": axis, "s": s, "d": d},
                "output_padding_too_large",
            )
    sides = zip(size, kernel, stride, padding, extra, dilation, strict=True)
    out = [(n - 1) * s - 2 * p + d * (k - 1) + op + 1 for n, k, s, p, op, d in sides]
    if min(out) < 1:
        fail(
            "padding",
            _(
                "паддинг %(ph)s×%(pw)s слишком велик для входа %(h)s×%(w)s: получился бы выход "
                "%(out_h)s×%(out_w)s"
            )
            % {
                "ph": padding[0],
                "pw": padding[1],
                "h": size[0],
                "w": size[1],
                "out_h": out[0],
                "out_w": out[1],
            },
            "padding_too_large",
        )
    return out


@engine("receptive_field")
def receptive_field(*, layers) -> int:
    """Receptive field (side in input pixels) of one output pixel of a stack of conv/pool layers.

    r = 1 + Σ (k_eff − 1)·(product of the strides of the earlier layers), k_eff = d(k − 1) + 1.
    Padding does not change it and may be given (it is checked and ignored).

    >>> receptive_field(layers=[{"kernel": 3}, {"kernel": 3}, {"kernel": 3}])
    7
    >>> receptive_field(layers=[{"kernel": 7, "stride": 2}, {"kernel": 3, "stride": 2}])
    11
    """
    _layer_count("layers", layers)
    records = as_records(
        "layers", layers, required=("kernel",), optional={"stride": 1, "dilation": 1, "padding": 0}
    )
    if not records:
        fail("layers", _("нужен хотя бы один слой"))
    field, jump = 1, 1
    for i, layer in enumerate(records):
        k = as_int(f"layers[{i}].kernel", layer["kernel"], min=1)
        s = as_int(f"layers[{i}].stride", layer["stride"], min=1)
        d = as_int(f"layers[{i}].dilation", layer["dilation"], min=1)
        as_pair(f"layers[{i}].padding", layer["padding"], min=0)
        field += d * (k - 1) * jump
        jump *= s
    return field


@engine("rnn_params")
def rnn_params(
    *,
    cell,
    input_size,
    hidden_size,
    num_layers=1,
    bidirectional=False,
    bias=True,
    convention="pytorch",
) -> int:
    """Number of parameters of a (stacked, optionally bidirectional) RNN, LSTM or GRU.

    Per layer and direction, with g gates (RNN 1, LSTM 4, GRU 3): g·h·(n_in + h) weights plus
    biases — PyTorch (``torch.nn.RNN/LSTM/GRU``) has two bias vectors b_ih and b_hh (2·g·h);
    Keras (``SimpleRNN/LSTM/GRU``) has one (g·h), except GRU with ``reset_after=True`` (the
    default) which has two. Layers after the first get n_in = h·directions (outputs of both
    directions are concatenated).

    >>> rnn_params(cell="lstm", input_size=10, hidden_size=20)
    2560
    >>> rnn_params(cell="lstm", input_size=10, hidden_size=20, convention="keras")
    2480
    >>> rnn_params(cell="gru", input_size=8, hidden_size=4, num_layers=2, bidirectional=True)
    672
    """
    cell = as_choice("cell", cell, tuple(_GATES))
    n_in = _count("input_size", input_size)
    hidden = _count("hidden_size", hidden_size)
    num_layers = as_int("num_layers", num_layers, min=1, max=MAX_LAYERS)
    bidirectional = as_bool("bidirectional", bidirectional)
    bias = as_bool("bias", bias)
    convention = as_choice("convention", convention, ("pytorch", "keras"))
    gates = _GATES[cell]
    bias_rows = 2 if convention == "pytorch" or cell == "gru" else 1
    directions = 2 if bidirectional else 1
    total = 0
    for layer in range(num_layers):
        layer_in = n_in if layer == 0 else hidden * directions
        per_direction = gates * hidden * (layer_in + hidden)
        if bias:
            per_direction += bias_rows * gates * hidden
        total += directions * per_direction
    return total


@engine("embedding_params")
def embedding_params(*, vocab_size, dim) -> int:
    """Number of parameters of an embedding table (``torch.nn.Embedding``): vocab_size·dim.

    >>> embedding_params(vocab_size=10000, dim=300)
    3000000
    """
    return _count("vocab_size", vocab_size) * _count("dim", dim)


def _too_large(message: str, kernel, size, out) -> None:
    """Refuse a kernel or pooling window that leaves no output (``message`` names which)."""
    values = {"kh": kernel[0], "kw": kernel[1], "h": size[0], "w": size[1]}
    fail("kernel", message % {**values, "out_h": out[0], "out_w": out[1]}, "kernel_too_large")
