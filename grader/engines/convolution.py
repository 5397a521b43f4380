"""Convolution and pooling of a single (unbatched) input, as PyTorch computes them.

Convention (PyTorch ``F.conv2d``, ``F.conv1d``, ``F.max_pool2d``, ``F.avg_pool2d``):

* "convolution" is cross-correlation: the kernel is *not* flipped;
  out[o, i, j] = bias[o] + Σ_{c,a,b} x[c, i·s + a·d − p, j·s + b·d − p]·K[o, c, a, b];
* zero padding on both sides; output size ⌊(H + 2p − d·(k − 1) − 1)/s⌋ + 1 (rounded down);
* ``padding="same"`` (stride 1 only, as in torch) pads d·(k − 1) in total, the odd extra one at
  the end (right/bottom); ``"valid"`` means no padding;
* max pooling pads with −inf (padding never wins the max); average pooling pads with zeros and
  divides by the full window size k_h·k_w, padded cells included (``count_include_pad=True``);
  the stride defaults to the kernel size; ``ceil_mode=False``; torch requires padding ≤ k/2.

``pool2d_backward`` is the gradient torch's autograd gives for these poolings: max pooling
routes each upstream value to its window's maximum (on ties, the first in row-major order, as
the CPU kernel of ``max_pool2d`` picks), average pooling gives every cell of the window 1/(k_h·k_w)
of it; overlapping windows add their contributions up.

A kernel larger than the padded input is refused with code ``kernel_too_large``.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from grader.engines._args import (
    MAX_ELEMENTS,
    as_array,
    as_choice,
    as_pair,
    as_vector,
    fail,
    shape_text,
)
from grader.engines.registry import engine
from grader.i18n import _, gettext_noop

__all__ = ["conv2d", "conv1d", "pool2d", "pool2d_backward"]

MAX_WORK = 50_000_000  # multiply-adds a single convolution may cost
_IMAGE = gettext_noop("ожидалось изображение C×H×W или H×W")


def _padding(value, kernel: tuple[int, int], dilation: tuple[int, int], stride: tuple[int, int]):
    """(top, bottom, left, right) from an int, a pair, "valid" or "same" (torch's rules)."""
    if value == "valid":
        return (0, 0, 0, 0)
    if value == "same":
        if stride != (1, 1):
            fail("padding", _('padding="same" допускается только при stride = 1 (как в torch)'))
        pads = []
        for k, d in zip(kernel, dilation, strict=True):
            total = d * (k - 1)
            pads += [total // 2, total - total // 2]
        return tuple(pads)
    if isinstance(value, str):
        fail(
            "padding",
            _('ожидалось число, пара, "valid" или "same"; получено %(value)r') % {"value": value},
        )
    ph, pw = as_pair("padding", value, min=0)
    return (ph, ph, pw, pw)


def _channels_first(arg: str, value, *, ndim: int, short: int, expected: str):
    """``value`` as an array of ``ndim`` axes, and whether it was given without the leading ones.

    An array of ``short`` axes gets ``ndim - short`` leading axes of one (H×W → 1×H×W, a k×k
    kernel → 1×1×k×k); any other number of axes, or an empty axis, is refused.
    """
    array = as_array(arg, value)
    added = array.ndim == short
    if added:
        array = array.reshape((1,) * (ndim - short) + array.shape)
    if array.ndim != ndim or 0 in array.shape:
        fail(
            arg,
            _("%(expected)s, получена форма %(shape_text)s")
            % {"expected": expected, "shape_text": shape_text(array)},
        )
    return array, added


def _operands(input_arg, value, kernel, bias, *, spatial, input_shape, kernel_shape, c_in):
    """The input (C×spatial), kernel (C_out×C×spatial) and bias of a convolution, checked.

    Returns (input, kernel, bias, squeeze); ``squeeze`` says the kernel came without its channel
    axes, so the answer drops the output-channel axis too. ``c_in`` is how the kernel's input
    channel axis is named in messages.
    """
    x, _unused = _channels_first(
        input_arg, value, ndim=spatial + 1, short=spatial, expected=input_shape
    )
    k, squeeze = _channels_first(
        "kernel", kernel, ndim=spatial + 2, short=spatial, expected=kernel_shape
    )
    if k.shape[1] != x.shape[0]:
        fail(
            "kernel",
            _(
                "число входных каналов ядра (форма %(shape_text)s, %(c_in)s = %(shape)s) "
                "не совпадает с числом каналов %(input_arg)s (форма %(shape_text2)s, C = "
                "%(shape2)s)"
            )
            % {
                "shape_text": shape_text(k),
                "c_in": c_in,
                "shape": k.shape[1],
                "input_arg": input_arg,
                "shape_text2": shape_text(x),
                "shape2": x.shape[0],
            },
        )
    channels = k.shape[0]
    b = as_vector(
        "bias",
        bias,
        channels,
        mismatch=lambda got: (
            _("длина bias (%(got)s) не совпадает с числом выходных каналов kernel (%(channels)s)")
            % {"got": got, "channels": channels}
        ),
    )
    return x, k, b, squeeze


def _correlate(x, k, bias, stride, pads, dilation, image_arg: str) -> np.ndarray:
    """Cross-correlate x (C×H×W) with k (O×C×kh×kw): torch's conv2d on an unbatched input."""
    c, h, w = x.shape
    kh, kw = k.shape[2:]
    top, bottom, left, right = pads
    hp, wp = h + top + bottom, w + left + right
    if c * hp * wp > MAX_ELEMENTS:
        fail("padding", _("слишком большой отступ"), code="too_large")
    eff_h, eff_w = dilation[0] * (kh - 1) + 1, dilation[1] * (kw - 1) + 1
    if eff_h > hp or eff_w > wp:
        fail(
            "kernel",
            _(
                "ядро %(kh)s×%(kw)s (с dilation — %(eff_h)s×%(eff_w)s) больше входа "
                "%(image_arg)s %(h)s×%(w)s с отступами (%(hp)s×%(wp)s)"
            )
            % {
                "kh": kh,
                "kw": kw,
                "eff_h": eff_h,
                "eff_w": eff_w,
                "image_arg": image_arg,
                "h": h,
                "w": w,
                "hp": hp,
                "wp": wp,
            },
            code="kernel_too_large",
        )
    ho, wo = (hp - eff_h) // stride[0] + 1, (wp - eff_w) // stride[1] + 1
    if k.shape[0] * c * kh * kw * ho * wo > MAX_WORK or c * ho * wo * kh * kw > 4 * MAX_ELEMENTS:
        fail("kernel", _("слишком большая свёртка"), code="too_large")
    xp = np.pad(x, ((0, 0), (top, bottom), (left, right)))
    windows = sliding_window_view(xp, (eff_h, eff_w), axis=(1, 2))
    windows = windows[:, :: stride[0], :: stride[1], :: dilation[0], :: dilation[1]]
    with np.errstate(over="ignore", invalid="ignore"):  # compute() refuses non-finite answers
        out = np.tensordot(k, windows, axes=([1, 2, 3], [0, 3, 4]))
        return out + bias[:, None, None]


@engine("conv2d")
def conv2d(*, image, kernel, bias=None, stride=1, padding=0, dilation=1):
    """2-D convolution (cross-correlation) of one image, as torch F.conv2d computes it.

    ``image`` is C×H×W (or H×W for one channel); ``kernel`` is C_out×C_in×k_h×k_w (or k_h×k_w
    for one input and one output channel: then the answer is H_out×W_out instead of
    1×H_out×W_out). ``stride``, ``padding`` and ``dilation`` are an int or a pair [rows, cols];
    ``padding`` may also be "valid" or "same". The kernel is not flipped; padding is zeros.

    >>> conv2d(image=[[1, 2, 3], [4, 5, 6], [7, 8, 9]], kernel=[[1, 0], [0, -1]])
    [[-4.0, -4.0], [-4.0, -4.0]]
    """
    x, k, b, squeeze = _operands(
        "image",
        image,
        kernel,
        bias,
        spatial=2,
        input_shape=_IMAGE,
        kernel_shape=_("ожидалось ядро C_out×C_in×k×k или k×k"),
        c_in="C_in",
    )
    stride = as_pair("stride", stride, min=1)
    dilation = as_pair("dilation", dilation, min=1)
    pads = _padding(padding, k.shape[2:], dilation, stride)
    out = _correlate(x, k, b, stride, pads, dilation, "image")
    return (out[0] if squeeze else out).tolist()


@engine("conv1d")
def conv1d(*, x, kernel, bias=None, stride=1, padding=0, dilation=1):
    """1-D convolution (cross-correlation) of one sequence, as torch F.conv1d computes it.

    ``x`` is C×L (or L for one channel); ``kernel`` is C_out×C×k (or k for one input and one
    output channel: then the answer is a vector of length L_out). ``stride``, ``padding`` and
    ``dilation`` are ints; ``padding`` may also be "valid" or "same".

    >>> conv1d(x=[1, 2, 3, 4], kernel=[1, 1], stride=2)
    [3.0, 7.0]
    """
    xs, k, b, squeeze = _operands(
        "x",
        x,
        kernel,
        bias,
        spatial=1,
        input_shape=_("ожидалась последовательность C×L или L"),
        kernel_shape=_("ожидалось ядро C_out×C×k или k"),
        c_in="C",
    )
    for arg, value in (("stride", stride), ("padding", padding), ("dilation", dilation)):
        if isinstance(value, (list, tuple)):
            fail(
                arg,
                (_("для conv1d ожидалось одно целое число, получено %(value)r") % {"value": value})[
                    :200
                ],
            )
    s = as_pair("stride", stride, min=1)[0]
    d = as_pair("dilation", dilation, min=1)[0]
    pads = (0, 0) + _padding(padding, (1, k.shape[2]), (1, d), (1, s))[2:]
    out = _correlate(xs[:, np.newaxis, :], k[:, :, np.newaxis, :], b, (1, s), pads, (1, d), "x")
    out = out[:, 0, :]
    return (out[0] if squeeze else out).tolist()


def _pool_input(image, kernel, stride, padding, mode):
    """The image (C×H×W), mode, window, stride and padding of a pooling, checked as torch does."""
    x, squeeze = _channels_first("image", image, ndim=3, short=2, expected=_(_IMAGE))
    mode = as_choice("mode", mode, ("max", "avg"))
    kh, kw = as_pair("kernel", kernel, min=1)
    sh, sw = (kh, kw) if stride is None else as_pair("stride", stride, min=1)
    ph, pw = as_pair("padding", padding, min=0)
    if ph > kh // 2 or pw > kw // 2:
        fail(
            "padding",
            _("отступ %(ph)s×%(pw)s больше половины окна %(kh)s×%(kw)s (torch это запрещает)")
            % {"ph": ph, "pw": pw, "kh": kh, "kw": kw},
        )
    c, h, w = x.shape
    hp, wp = h + 2 * ph, w + 2 * pw
    if c * hp * wp > MAX_ELEMENTS:
        fail("padding", _("слишком большой отступ"), code="too_large")
    if kh > hp or kw > wp:
        fail(
            "kernel",
            _("окно %(kh)s×%(kw)s больше входа %(h)s×%(w)s с отступами (%(hp)s×%(wp)s)")
            % {"kh": kh, "kw": kw, "h": h, "w": w, "hp": hp, "wp": wp},
            code="kernel_too_large",
        )
    return x, squeeze, mode, (kh, kw), (sh, sw), (ph, pw)


@engine("pool2d")
def pool2d(*, image, kernel, stride=None, padding=0, mode):
    """Max or average pooling of one image, as torch F.max_pool2d / F.avg_pool2d compute it.

    ``image`` is C×H×W (or H×W: then the answer is H_out×W_out); ``kernel``, ``stride`` (default:
    the kernel size) and ``padding`` are an int or a pair. ``mode="max"`` pads with −inf;
    ``mode="avg"`` pads with zeros and always divides by k_h·k_w (count_include_pad=True).
    Output size ⌊(H + 2p − k)/s⌋ + 1; padding may not exceed half the kernel (torch's rule).

    >>> pool2d(image=[[1, 2], [3, 4]], kernel=2, mode="max")
    [[4.0]]
    >>> pool2d(image=[[1, 2], [3, 4]], kernel=2, padding=1, stride=2, mode="avg")
    [[0.25, 0.5], [0.75, 1.0]]
    """
    x, squeeze, mode, (kh, kw), (sh, sw), (ph, pw) = _pool_input(
        image, kernel, stride, padding, mode
    )
    fill = -np.inf if mode == "max" else 0.0
    xp = np.pad(x, ((0, 0), (ph, ph), (pw, pw)), constant_values=fill)
    windows = sliding_window_view(xp, (kh, kw), axis=(1, 2))[:, ::sh, ::sw]
    if mode == "max":
        out = windows.max(axis=(3, 4))
    else:
        with np.errstate(over="ignore"):  # compute() refuses non-finite answers
            out = windows.sum(axis=(3, 4)) / (kh * kw)
    return (out[0] if squeeze else out).tolist()


@engine("pool2d_backward")
def pool2d_backward(*, image, upstream, kernel, stride=None, padding=0, mode):
    """Gradient of a pooling with respect to its input, as torch's autograd of F.*_pool2d gives it.

    ``image``, ``kernel``, ``stride``, ``padding`` and ``mode`` are those of ``pool2d``;
    ``upstream`` is dL/d(output), in the shape of the pooled output (C×H_out×W_out, or
    H_out×W_out for an H×W image). Max pooling sends each upstream value to the position of its
    window's maximum — on a tie the first one in row-major order, as torch's CPU kernel picks it;
    average pooling spreads it evenly, 1/(k_h·k_w) to every cell of the window, padding
    included. Where windows overlap (stride < kernel) the contributions add up. The answer has
    the shape of ``image``.

    >>> pool2d_backward(image=[[1, 5], [5, 2]], upstream=[[10]], kernel=2, mode="max")
    [[0.0, 10.0], [0.0, 0.0]]
    >>> pool2d_backward(image=[[1, 2, 3]], upstream=[[4, 8]], kernel=[1, 2], stride=1,
    ...     mode="avg")
    [[2.0, 6.0, 4.0]]
    """
    x, squeeze, mode, (kh, kw), (sh, sw), (ph, pw) = _pool_input(
        image, kernel, stride, padding, mode
    )
    c, h, w = x.shape
    ho, wo = (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1
    grad_out = as_array("upstream", upstream)
    want = (ho, wo) if squeeze else (c, ho, wo)
    if grad_out.shape != want:
        fail(
            "upstream",
            _("форма upstream %(shape_text)s не совпадает с формой выхода пулинга %(want_text)s")
            % {"shape_text": shape_text(grad_out), "want_text": "×".join(map(str, want))},
        )
    grad_out = grad_out.reshape(c, ho, wo)
    if c * ho * wo * kh * kw > 4 * MAX_ELEMENTS:
        fail("kernel", _("слишком большой пулинг"), code="too_large")
    grad = np.zeros((c, h + 2 * ph, w + 2 * pw))
    with np.errstate(over="ignore", invalid="ignore"):  # compute() refuses non-finite answers
        if mode == "max":
            xp = np.pad(x, ((0, 0), (ph, ph), (pw, pw)), constant_values=-np.inf)
            windows = sliding_window_view(xp, (kh, kw), axis=(1, 2))[:, ::sh, ::sw]
            # argmax returns the first maximum in row-major order of the window, as torch does
            winner = windows.reshape(c, ho, wo, kh * kw).argmax(axis=3)
            channel, i, j = np.indices((c, ho, wo))
            rows, cols = i * sh + winner // kw, j * sw + winner % kw
            np.add.at(grad, (channel, rows, cols), grad_out)  # in output order, repeats add up
        else:
            share = grad_out / (kh * kw)
            if kh * kw <= ho * wo:  # loop over the shorter of window cells and windows
                for a in range(kh):
                    for b in range(kw):
                        grad[:, a : a + sh * (ho - 1) + 1 : sh, b : b + sw * (wo - 1) + 1 : sw] += (
                            share
                        )
            else:
                for i in range(ho):
                    for j in range(wo):
                        grad[:, i * sh : i * sh + kh, j * sw : j * sw + kw] += share[
                            :, i, j, None, None
                        ]
    grad = grad[:, ph : ph + h, pw : pw + w]
    return (grad[0] if squeeze else grad).tolist()
