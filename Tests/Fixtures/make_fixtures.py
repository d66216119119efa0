"""PyTorch oracle fixtures for every Scratch op family: inputs, outputs and input gradients.

Regenerate everything (deterministic, fixed seeds; Debian's torch 1.13.1 / torchvision 0.14.1):

    /usr/bin/python3 Tests/Fixtures/make_fixtures.py

Writes Tests/Fixtures/ops/<family>.safetensors, one file per op family. Tensor names per case:

    <case>.in<i>            the i-th input (F32 or F64 floats, I64 indices, BOOL masks)
    <case>.out / .out<k>    the output (several outputs are numbered)
    <case>.gout / .gout<k>  a fixed random upstream gradient for each differentiable output
    <case>.grad<i>          d(sum_k <out_k * gout_k>)/d(in_i) for each input that gets a gradient

The safetensors "__metadata__" maps each case name to a JSON string
{"op": <name the C# side dispatches on>, "args": {...}, "inputs": n, "outputs": m, "gouts": [k...], "grads": [i...]}.
The C# side (Tests/Oracle/*OracleTests.cs) runs the same op on Device.Cpu and Device.Reference and compares.
The safetensors writer is implemented here (the format is: 8-byte little-endian header length N, N bytes of JSON
header padded with spaces to a multiple of 8, then the raw little-endian row-major tensor bytes).
"""
import json
import math
import os
import struct
import zlib

import torch
import torch.nn.functional as F
import torchvision
from torchvision import ops as tvops

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "ops")
DT = {torch.float32: "F32", torch.float64: "F64", torch.int64: "I64", torch.int32: "I32", torch.bool: "BOOL",
      torch.uint8: "U8"}


def write_safetensors(path, tensors, metadata):
    header = {"__metadata__": metadata}
    blobs, offset = [], 0
    for name, t in tensors.items():
        t = t.detach().contiguous().cpu()
        data = t.numpy().tobytes() if t.numel() else b""
        header[name] = {"dtype": DT[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def apply_view(t, v):
    """Non-contiguous views: "T" swaps the last two dims, "P" reverses all dims, "S" keeps every other element of
    the last dim, "E" expands a leading dim of size 1 to 3, "N" narrows dim 0 to skip its first element."""
    if v is None:
        return t
    if v == "T":
        return t.transpose(-2, -1)
    if v == "P":
        return t.permute(*reversed(range(t.dim())))
    if v == "S":
        return t[..., ::2]
    if v == "E":
        return t.expand(3, *t.shape[1:])
    if v == "N":
        return t[1:]
    raise ValueError(v)


class Family:
    def __init__(self, name):
        self.name = name
        self.tensors = {}
        self.meta = {}
        self.gen = torch.Generator().manual_seed(zlib.crc32(name.encode()))

    # ---- random inputs -------------------------------------------------------------------------------------
    def randn(self, *shape, dtype=torch.float32):
        return torch.randn(tuple(shape), generator=self.gen, dtype=torch.float64).to(dtype)

    def rand(self, *shape, lo=0.0, hi=1.0, dtype=torch.float32):
        return (lo + (hi - lo) * torch.rand(tuple(shape), generator=self.gen, dtype=torch.float64)).to(dtype)

    def away(self, *shape, dtype=torch.float32):
        """Values in ±[0.1, 2): away from zero (kinks of abs, relu, ...)."""
        s = torch.where(torch.rand(tuple(shape), generator=self.gen) < 0.5, -1.0, 1.0).double()
        return (s * (0.1 + 1.9 * torch.rand(tuple(shape), generator=self.gen, dtype=torch.float64))).to(dtype)

    def ints(self, lo, hi, *shape):
        return torch.randint(lo, hi, shape, generator=self.gen, dtype=torch.int64)

    def boxes(self, n, size=32.0, dtype=torch.float32, batch=None):
        xy = self.rand(n, 2, hi=size * 0.7, dtype=torch.float64)
        wh = self.rand(n, 2, lo=2.0, hi=size * 0.5, dtype=torch.float64)
        b = torch.cat([xy, xy + wh], 1)
        if batch is not None:
            b = torch.cat([self.ints(0, batch, n, 1).double(), b], 1)
        return b.to(dtype)

    # ---- one case ------------------------------------------------------------------------------------------
    def case(self, name, op, fn, inputs, args=None, grad=True, views=None):
        """grad: True (every float input), False, or a list of input indices. views: per input None or a
        non-contiguous view applied before the op (see apply_view); recorded in args["views"]."""
        assert name not in self.meta, name
        if views is not None:
            args = dict(args or {})
            args["views"] = views
            inner = fn
            fn = lambda *t: inner(*[apply_view(x, v) for x, v in zip(t, views)])
        inputs = [t.clone() for t in inputs]
        want = [i for i, t in enumerate(inputs) if t.is_floating_point()] if grad is True else (grad or [])
        for i in want:
            inputs[i].requires_grad_(True)
        outs = fn(*inputs)
        single = isinstance(outs, torch.Tensor)
        outs = [outs] if single else list(outs)
        for i, t in enumerate(inputs):
            self.tensors[f"{name}.in{i}"] = t.detach()
        gouts, loss = [], None
        for k, o in enumerate(outs):
            self.tensors[f"{name}.out" + ("" if single else str(k))] = o.detach()
            if want and o.requires_grad:
                g = self.randn(*o.shape, dtype=o.dtype)
                self.tensors[f"{name}.gout" + ("" if single else str(k))] = g
                term = (o * g).sum()
                loss = term if loss is None else loss + term
                gouts.append(k)
        grads = []
        if loss is not None:
            gs = torch.autograd.grad(loss, [inputs[i] for i in want], allow_unused=True)
            for i, g in zip(want, gs):
                if g is None:
                    g = torch.zeros_like(inputs[i])
                self.tensors[f"{name}.grad{i}"] = g
                grads.append(i)
        self.meta[name] = json.dumps({"op": op, "args": args or {}, "inputs": len(inputs), "outputs": len(outs),
                                      "single": single, "gouts": gouts, "grads": grads}, separators=(",", ":"))

    def module(self, name, kind, module, inputs, args=None, training=False, grad=True):
        """A torch.nn module case: <case>.state.<key> is the state dict before the call, <case>.post.<key> after it
        (running statistics), <case>.pgrad.<key> the gradient of each parameter."""
        assert name not in self.meta, name
        module.train(training)
        state = {k: v.detach().clone() for k, v in module.state_dict().items()}
        inputs = [t.clone() for t in inputs]
        want = [i for i, t in enumerate(inputs) if t.is_floating_point()] if grad is True else (grad or [])
        for i in want:
            inputs[i].requires_grad_(True)
        out = module(*inputs)
        for i, t in enumerate(inputs):
            self.tensors[f"{name}.in{i}"] = t.detach()
        self.tensors[f"{name}.out"] = out.detach()
        for k, v in state.items():
            self.tensors[f"{name}.state.{k}"] = v
        for k, v in module.state_dict().items():
            self.tensors[f"{name}.post.{k}"] = v.detach().clone()
        params = [(k, p) for k, p in module.named_parameters() if p.requires_grad]
        gouts, grads, pgrads = [], [], []
        if out.requires_grad:
            g = self.randn(*out.shape, dtype=out.dtype)
            self.tensors[f"{name}.gout"] = g
            gouts = [0]
            wrt = [inputs[i] for i in want] + [p for _, p in params]
            gs = torch.autograd.grad((out * g).sum(), wrt, allow_unused=True)
            for i, gi in zip(want, gs):
                self.tensors[f"{name}.grad{i}"] = gi if gi is not None else torch.zeros_like(inputs[i])
                grads.append(i)
            for (k, p), gp in zip(params, gs[len(want):]):
                self.tensors[f"{name}.pgrad.{k}"] = gp if gp is not None else torch.zeros_like(p)
                pgrads.append(k)
        a = dict(args or {})
        a["kind"] = kind
        a["training"] = training
        self.meta[name] = json.dumps({"op": "module", "args": a, "inputs": len(inputs), "outputs": 1, "single": True,
                                      "gouts": gouts, "grads": grads, "state": list(state), "pgrads": pgrads},
                                     separators=(",", ":"))

    def save(self):
        os.makedirs(OUT, exist_ok=True)
        meta = dict(self.meta)
        meta["__torch__"] = torch.__version__
        meta["__torchvision__"] = torchvision.__version__
        write_safetensors(os.path.join(OUT, self.name + ".safetensors"), self.tensors, meta)
        size = os.path.getsize(os.path.join(OUT, self.name + ".safetensors"))
        print(f"{self.name}: {len(self.meta)} cases, {size} bytes")
        return size


D64 = torch.float64


def elementwise():
    f = Family("elementwise")
    unary = {
        "abs": (torch.abs, "away"), "neg": (torch.neg, "randn"), "exp": (torch.exp, "randn"),
        "log": (torch.log, "pos"), "log1p": (torch.log1p, "pos"), "sqrt": (torch.sqrt, "pos"),
        "rsqrt": (torch.rsqrt, "pos"), "sin": (torch.sin, "randn"), "cos": (torch.cos, "randn"),
        "tanh": (torch.tanh, "randn"), "sigmoid": (torch.sigmoid, "randn"), "relu": (torch.relu, "away"),
        "silu": (F.silu, "randn"), "erf": (torch.erf, "randn"), "gelu": (F.gelu, "randn"),
    }
    for op, (fn, dom) in unary.items():
        for dt, suffix in ((torch.float32, ""), (D64, "_f64")):
            x = {"away": f.away(3, 5, dtype=dt), "randn": f.randn(3, 5, dtype=dt),
                 "pos": f.rand(3, 5, lo=0.2, hi=3.0, dtype=dt)}[dom]
            f.case(op + suffix, op, fn, [x])
    f.case("exp_big", "exp", torch.exp, [f.randn(64, 33) * 3])
    f.case("gelu_tanh", "gelu", lambda x: F.gelu(x, approximate="tanh"), [f.randn(4, 6)], {"approximate": "tanh"})
    f.case("leaky_relu", "leaky_relu", lambda x: F.leaky_relu(x, 0.2), [f.away(4, 6)], {"slope": 0.2})
    f.case("leaky_relu_default", "leaky_relu", F.leaky_relu, [f.away(4, 6)], {"slope": 0.01})
    f.case("softplus", "softplus", F.softplus, [f.randn(4, 6) * 3], {"beta": 1.0, "threshold": 20.0})
    f.case("softplus_beta2_thr1", "softplus", lambda x: F.softplus(x, 2.0, 1.0), [f.away(4, 6)],
           {"beta": 2.0, "threshold": 1.0})
    f.case("clamp_both", "clamp", lambda x: torch.clamp(x, -0.5, 0.7), [f.randn(4, 6)], {"min": -0.5, "max": 0.7})
    f.case("clamp_min", "clamp", lambda x: torch.clamp(x, min=-0.3), [f.randn(4, 6)], {"min": -0.3})
    f.case("clamp_max", "clamp", lambda x: torch.clamp(x, max=0.4), [f.randn(4, 6, dtype=D64)], {"max": 0.4})
    f.case("pow_scalar_2", "pow_scalar", lambda x: torch.pow(x, 2.0), [f.randn(4, 6)], {"exponent": 2.0})
    f.case("pow_scalar_frac", "pow_scalar", lambda x: torch.pow(x, 1.7), [f.rand(4, 6, lo=0.1, hi=3)],
           {"exponent": 1.7})
    f.case("pow_scalar_neg", "pow_scalar", lambda x: torch.pow(x, -1.5), [f.rand(4, 6, lo=0.3, hi=3, dtype=D64)],
           {"exponent": -1.5})
    f.case("pow_tensor", "pow", torch.pow, [f.rand(4, 6, lo=0.2, hi=3), f.randn(4, 6)])
    f.case("pow_tensor_bcast", "pow", torch.pow, [f.rand(3, 1, 5, lo=0.2, hi=3, dtype=D64), f.randn(4, 1, dtype=D64)])
    for op, fn in (("add", torch.add), ("sub", torch.sub), ("mul", torch.mul), ("div", torch.div),
                   ("minimum", torch.minimum), ("maximum", torch.maximum)):
        b = (lambda *s, dtype=torch.float32: f.away(*s, dtype=dtype)) if op == "div" else f.randn
        f.case(op, op, fn, [f.randn(3, 4), b(3, 4)])
        f.case(op + "_bcast", op, fn, [f.randn(2, 3, 1), b(4)])
        f.case(op + "_bcast_f64", op, fn, [f.randn(1, 5, dtype=D64), b(3, 1, dtype=D64)])
    f.case("where", "where", torch.where, [f.randn(3, 4) > 0, f.randn(3, 4), f.randn(4)])
    f.case("where_f64", "where", torch.where, [f.randn(2, 1, 4) > 0, f.randn(2, 3, 1, dtype=D64),
                                               f.randn(3, 4, dtype=D64)])
    f.case("masked_fill", "masked_fill", lambda x, m: x.masked_fill(m, -2.5), [f.randn(3, 4), f.randn(4) > 0],
           {"value": -2.5})
    a, b = f.ints(-2, 3, 3, 5).float(), f.ints(-2, 3, 5).float()
    for op, fn in (("eq", torch.eq), ("ne", torch.ne), ("lt", torch.lt), ("le", torch.le), ("gt", torch.gt),
                   ("ge", torch.ge)):
        f.case(op, op, fn, [a, b])
        f.case(op + "_scalar", op + "_scalar", lambda x, fn=fn: fn(x, 1.0), [a], {"value": 1.0})
    ma, mb = f.randn(3, 4) > 0, f.randn(4) > 0
    f.case("logical_and", "logical_and", torch.logical_and, [ma, mb])
    f.case("logical_or", "logical_or", torch.logical_or, [ma, mb])
    f.case("logical_xor", "logical_xor", torch.logical_xor, [ma, mb])
    f.case("logical_not", "logical_not", torch.logical_not, [ma])
    special = torch.tensor([0.0, 1.0, float("inf"), -float("inf"), float("nan"), -3.0])
    f.case("isnan", "isnan", torch.isnan, [special])
    f.case("isfinite", "isfinite", torch.isfinite, [special])
    # Edge values: saturation (with gradients), then inf / nan / ±0 / subnormals (forward only).
    sat = torch.tensor([-100.0, -30.0, -5.0, -0.5, 0.5, 5.0, 30.0, 100.0])
    for op, fn in (("sigmoid", torch.sigmoid), ("tanh", torch.tanh), ("softplus", F.softplus), ("silu", F.silu),
                   ("gelu", F.gelu), ("erf", torch.erf), ("log1p", torch.log1p)):
        args = {"beta": 1.0, "threshold": 20.0} if op == "softplus" else {}
        x = sat.abs() if op == "log1p" else sat
        f.case(op + "_saturated", op, fn, [x], args)
        f.case(op + "_saturated_f64", op, fn, [x.double() * 7], args)
    edge = torch.tensor([0.0, -0.0, 1.0, float("inf"), -float("inf"), float("nan"), -3.0, 1e-40, 2.5])
    for op, fn in (("abs", torch.abs), ("neg", torch.neg), ("exp", torch.exp), ("log", torch.log),
                   ("log1p", torch.log1p), ("sqrt", torch.sqrt), ("rsqrt", torch.rsqrt), ("sin", torch.sin),
                   ("sigmoid", torch.sigmoid), ("tanh", torch.tanh), ("relu", torch.relu), ("silu", F.silu),
                   ("erf", torch.erf), ("gelu", F.gelu)):
        f.case(op + "_special", op, fn, [edge], grad=False)
    f.case("softplus_special", "softplus", F.softplus, [edge], {"beta": 1.0, "threshold": 20.0}, grad=False)
    f.case("leaky_relu_special", "leaky_relu", lambda x: F.leaky_relu(x, 0.1), [edge], {"slope": 0.1}, grad=False)
    f.case("clamp_special", "clamp", lambda x: torch.clamp(x, -1.0, 1.0), [edge], {"min": -1.0, "max": 1.0},
           grad=False)
    f.case("pow_special", "pow_scalar", lambda x: torch.pow(x, 0.5), [edge], {"exponent": 0.5}, grad=False)
    f.case("pow_special_cube", "pow_scalar", lambda x: torch.pow(x, 3.0), [edge], {"exponent": 3.0}, grad=False)
    f.case("maximum_nan", "maximum", torch.maximum, [edge, torch.full((9,), 0.5)], grad=False)
    f.case("minimum_nan", "minimum", torch.minimum, [edge, torch.full((9,), 0.5)], grad=False)
    f.case("div_by_zero", "div", torch.div, [torch.tensor([1.0, -1.0, 0.0, 2.0]), torch.tensor([0.0, 0.0, 0.0, -0.0])],
           grad=False)
    # Kinks and ties, with gradients: PyTorch's conventions at the non-differentiable points.
    kink = torch.tensor([-1.5, -1.0, -0.0, 0.0, 0.5, 1.0, 2.0])
    f.case("relu_at_zero", "relu", torch.relu, [kink])
    f.case("abs_at_zero", "abs", torch.abs, [kink])
    f.case("leaky_relu_at_zero", "leaky_relu", lambda x: F.leaky_relu(x, 0.1), [kink], {"slope": 0.1})
    f.case("clamp_at_bounds", "clamp", lambda x: torch.clamp(x, -1.0, 1.0), [kink], {"min": -1.0, "max": 1.0})
    f.case("maximum_ties", "maximum", torch.maximum, [kink, torch.tensor([0.0, -1.0, 0.0, 1.0, 0.5, 3.0, 2.0])])
    f.case("minimum_ties", "minimum", torch.minimum, [kink, torch.tensor([0.0, -1.0, 0.0, 1.0, 0.5, 3.0, 2.0])])
    f.case("pow_zero_base", "pow_scalar", lambda x: torch.pow(x, 2.0), [kink], {"exponent": 2.0})
    f.case("sqrt_big", "sqrt", torch.sqrt, [f.rand(182, 182, lo=0.1, hi=4.0)])
    f.case("sigmoid_big", "sigmoid", torch.sigmoid, [f.randn(182, 182) * 3])
    f.case("mul_bcast_big", "mul", torch.mul, [f.randn(24, 1, 500), f.randn(3, 500)])
    return f


def reduce():
    f = Family("reduce")
    x = f.randn(3, 4, 5)
    for op, fn in (("sum", torch.sum), ("mean", torch.mean), ("amax", torch.amax), ("amin", torch.amin),
                   ("logsumexp", torch.logsumexp)):
        if op != "logsumexp":
            f.case(op + "_all", op, lambda t, fn=fn: fn(t) if op in ("sum", "mean") else fn(t, (0, 1, 2)), [x])
        f.case(op + "_dim1", op, lambda t, fn=fn: fn(t, (1,)), [x], {"dims": [1]})
        f.case(op + "_dims02_keep", op, lambda t, fn=fn: fn(t, (0, 2), keepdim=True), [x],
               {"dims": [0, 2], "keepdim": True})
        f.case(op + "_neg_f64", op, lambda t, fn=fn: fn(t, (-1,)), [f.randn(4, 6, dtype=D64)], {"dims": [-1]})
    f.case("sum_big", "sum", lambda t: t.sum((1,)), [f.randn(8, 1000)], {"dims": [1]})
    f.case("prod_all", "prod", torch.prod, [f.rand(3, 4, lo=0.5, hi=1.5)])
    f.case("prod_dim", "prod", lambda t: torch.prod(t, 1), [f.away(3, 4, 2)], {"dims": [1]})
    f.case("prod_dim_f64", "prod", lambda t: torch.prod(t, 0, keepdim=True), [f.away(3, 4, dtype=D64)],
           {"dims": [0], "keepdim": True})
    f.case("max_dim", "max_dim", lambda t: torch.max(t, 1), [x], {"dim": 1})
    f.case("max_dim_keep", "max_dim", lambda t: torch.max(t, -1, keepdim=True), [x], {"dim": -1, "keepdim": True})
    f.case("min_dim", "min_dim", lambda t: torch.min(t, 0), [x], {"dim": 0})
    f.case("max_all", "max_all", torch.max, [x])
    f.case("min_all", "min_all", torch.min, [f.randn(4, 5, dtype=D64)])
    f.case("argmax_all", "argmax", torch.argmax, [x])
    f.case("argmax_dim", "argmax", lambda t: torch.argmax(t, 2), [x], {"dim": 2})
    f.case("argmin_dim_keep", "argmin", lambda t: torch.argmin(t, 1, keepdim=True), [x], {"dim": 1, "keepdim": True})
    for p in (2.0, 1.0, 3.0):
        f.case(f"norm_p{p:g}_all", "norm", lambda t, p=p: torch.norm(t, p), [f.away(3, 4)], {"p": p})
        f.case(f"norm_p{p:g}_dim", "norm", lambda t, p=p: torch.norm(t, p, dim=(1,), keepdim=True), [f.away(3, 4)],
               {"p": p, "dims": [1], "keepdim": True})
    for op, fn in (("var", torch.var), ("std", torch.std)):
        f.case(op + "_all", op, fn, [x])
        f.case(op + "_dim", op, lambda t, fn=fn: fn(t, (1,), unbiased=True), [x], {"dims": [1]})
        f.case(op + "_dim_biased", op, lambda t, fn=fn: fn(t, (0, 2), unbiased=False, keepdim=True), [x],
               {"dims": [0, 2], "correction": 0, "keepdim": True})
        f.case(op + "_f64", op, lambda t, fn=fn: fn(t, (-1,)), [f.randn(3, 7, dtype=D64)], {"dims": [-1]})
    for d in (0, 1, -1):
        f.case(f"cumsum_{d}", "cumsum", lambda t, d=d: torch.cumsum(t, d), [x], {"dim": d})
        f.case(f"cumprod_{d}", "cumprod", lambda t, d=d: torch.cumprod(t, d), [f.away(3, 4, 5)], {"dim": d})
        f.case(f"softmax_{d}", "softmax", lambda t, d=d: torch.softmax(t, d), [x * 2], {"dim": d})
        f.case(f"log_softmax_{d}", "log_softmax", lambda t, d=d: torch.log_softmax(t, d), [x * 2], {"dim": d})
    f.case("softmax_f64", "softmax", lambda t: torch.softmax(t, 1), [f.randn(4, 9, dtype=D64) * 3], {"dim": 1})
    f.case("log_softmax_wide", "log_softmax", lambda t: torch.log_softmax(t, 1), [f.randn(4, 300) * 5], {"dim": 1})
    f.case("kthvalue", "kthvalue", lambda t: torch.kthvalue(t, 2, 1), [x], {"k": 2, "dim": 1})
    # NaN, inf and ties (forward) and their gradients where PyTorch defines one.
    nanx = f.randn(3, 5)
    nanx[0, 2] = float("nan")
    nanx[2, 4] = float("nan")
    f.case("amax_nan", "amax", lambda t: torch.amax(t, (1,)), [nanx], {"dims": [1]}, grad=False)
    f.case("max_dim_nan", "max_dim", lambda t: torch.max(t, 1), [nanx], {"dim": 1}, grad=False)
    f.case("min_dim_nan", "min_dim", lambda t: torch.min(t, 1), [nanx], {"dim": 1}, grad=False)
    f.case("argmax_nan", "argmax", lambda t: torch.argmax(t, 1), [nanx], {"dim": 1}, grad=False)
    f.case("max_all_nan", "max_all", torch.max, [nanx], grad=False)
    f.case("sum_nan_inf", "sum", lambda t: t.sum((1,)),
           [torch.tensor([[1.0, float("inf"), 2.0], [float("inf"), -float("inf"), 0.0], [1.0, float("nan"), 0.0]])],
           {"dims": [1]}, grad=False)
    ties = torch.tensor([[1.0, 3.0, 3.0, 0.0], [2.0, 2.0, 2.0, 2.0], [-1.0, 0.0, -1.0, -5.0]])
    f.case("amax_ties", "amax", lambda t: torch.amax(t, (1,)), [ties], {"dims": [1]})
    f.case("amin_ties_all", "amin", lambda t: torch.amin(t, (0, 1)), [ties], {"dims": [0, 1]})
    f.case("max_dim_ties", "max_dim", lambda t: torch.max(t, 1), [ties], {"dim": 1})
    f.case("min_dim_ties", "min_dim", lambda t: torch.min(t, 1), [ties], {"dim": 1})
    f.case("max_all_ties", "max_all", torch.max, [ties])
    f.case("argmax_ties", "argmax", lambda t: torch.argmax(t, 1), [ties], {"dim": 1})
    f.case("argmin_ties", "argmin", lambda t: torch.argmin(t, 1), [ties], {"dim": 1})
    f.case("argmax_ties_all", "argmax", torch.argmax, [ties])
    masked = f.randn(3, 5) * 2
    masked[0, 1] = masked[0, 3] = -float("inf")
    masked[1, 0] = -float("inf")
    f.case("softmax_neg_inf", "softmax", lambda t: torch.softmax(t, 1), [masked], {"dim": 1})
    f.case("log_softmax_neg_inf", "log_softmax", lambda t: torch.log_softmax(t, 1), [masked], {"dim": 1})
    f.case("logsumexp_neg_inf", "logsumexp", lambda t: torch.logsumexp(t, (1,)), [masked], {"dims": [1]})
    allinf = masked.clone()
    allinf[2] = -float("inf")
    f.case("softmax_row_all_neg_inf", "softmax", lambda t: torch.softmax(t, 1), [allinf], {"dim": 1}, grad=False)
    f.case("logsumexp_row_all_neg_inf", "logsumexp", lambda t: torch.logsumexp(t, (1,)), [allinf], {"dims": [1]},
           grad=False)
    f.case("softmax_large", "softmax", lambda t: torch.softmax(t, 1), [f.randn(3, 6) * 100], {"dim": 1})
    f.case("logsumexp_large", "logsumexp", lambda t: torch.logsumexp(t, (1,)), [f.randn(3, 6) * 100], {"dims": [1]})
    zrow = f.randn(3, 4)
    zrow[1] = 0
    f.case("norm_zero_row", "norm", lambda t: torch.norm(t, 2, dim=(1,)), [zrow], {"p": 2.0, "dims": [1]})
    f.case("norm_p1_with_zero", "norm", lambda t: torch.norm(t, 1, dim=(1,)), [zrow], {"p": 1.0, "dims": [1]})
    zs = f.away(3, 5)
    zs[0, 2] = 0
    zs[1, 1] = zs[1, 3] = 0
    f.case("cumprod_zeros", "cumprod", lambda t: torch.cumprod(t, 1), [zs], {"dim": 1})
    f.case("cumprod_zeros_f64", "cumprod", lambda t: torch.cumprod(t, 1), [zs.double()], {"dim": 1})
    f.case("prod_zeros", "prod", lambda t: torch.prod(t, 1), [zs], {"dims": [1]})
    f.case("prod_zeros_all", "prod", torch.prod, [zs[:1]])
    f.case("var_mean", "var_mean", lambda t: torch.var_mean(t, (1,), unbiased=True), [x], {"dims": [1]})
    f.case("var_mean_keep_f64", "var_mean", lambda t: torch.var_mean(t, (0, 2), unbiased=False, keepdim=True),
           [x.double()], {"dims": [0, 2], "correction": 0, "keepdim": True})
    f.case("var_single", "var", lambda t: torch.var(t, (1,)), [f.randn(3, 1)], {"dims": [1]}, grad=False)
    f.case("softmax_big", "softmax", lambda t: torch.softmax(t, 1), [f.randn(64, 600) * 3], {"dim": 1})
    f.case("sum_big_dim0", "sum", lambda t: t.sum((0,)), [f.randn(300, 130)], {"dims": [0]})
    f.case("kthvalue_keep", "kthvalue", lambda t: torch.kthvalue(t, 5, -1, keepdim=True), [x],
           {"k": 5, "dim": -1, "keepdim": True})
    return f


def shape():
    f = Family("shape")
    x = f.randn(2, 3, 4)
    f.case("reshape", "reshape", lambda t: t.reshape(4, -1), [x], {"shape": [4, -1]})
    f.case("permute", "permute", lambda t: t.permute(2, 0, 1), [x], {"dims": [2, 0, 1]})
    f.case("transpose", "transpose", lambda t: t.transpose(0, 2), [x], {"dim0": 0, "dim1": 2})
    f.case("permute_reshape", "permute_reshape", lambda t: t.permute(1, 2, 0).reshape(-1), [x],
           {"dims": [1, 2, 0], "shape": [-1]})
    f.case("expand", "expand", lambda t: t.expand(2, 3, 4), [f.randn(3, 1)], {"shape": [2, 3, 4]})
    f.case("cat0", "cat", lambda a, b: torch.cat([a, b], 0), [f.randn(2, 3), f.randn(1, 3)], {"dim": 0})
    f.case("cat_last_f64", "cat", lambda a, b, c: torch.cat([a, b, c], -1),
           [f.randn(2, 2, dtype=D64), f.randn(2, 3, dtype=D64), f.randn(2, 1, dtype=D64)], {"dim": -1})
    f.case("stack1", "stack", lambda a, b: torch.stack([a, b], 1), [f.randn(2, 3), f.randn(2, 3)], {"dim": 1})
    f.case("split_sizes", "split", lambda t: torch.split(t, [1, 3], 2), [x], {"sizes": [1, 3], "dim": 2})
    f.case("split_size", "split_size", lambda t: torch.split(t, 2, 1), [x], {"size": 2, "dim": 1})
    f.case("chunk", "chunk", lambda t: torch.chunk(t, 2, 2), [x], {"chunks": 2, "dim": 2})
    f.case("unbind", "unbind", lambda t: torch.unbind(t, 1), [x], {"dim": 1})
    f.case("narrow", "narrow", lambda t: t.narrow(2, 1, 2), [x], {"dim": 2, "start": 1, "length": 2})
    f.case("slice_step", "slice", lambda t: t[:, :, 1:4:2], [x], {"dim": 2, "start": 1, "end": 4, "step": 2})
    f.case("slice_neg", "slice", lambda t: t[:, -2:], [x], {"dim": 1, "start": -2})
    f.case("select", "select", lambda t: t.select(1, -1), [x], {"dim": 1, "index": -1})
    f.case("flip", "flip", lambda t: t.flip(0, 2), [x], {"dims": [0, 2]})
    f.case("squeeze", "squeeze", lambda t: t.squeeze(), [f.randn(2, 1, 3, 1)], {})
    f.case("squeeze_dim", "squeeze", lambda t: t.squeeze(1), [f.randn(2, 1, 3, 1)], {"dim": 1})
    f.case("unsqueeze", "unsqueeze", lambda t: t.unsqueeze(-1), [x], {"dim": -1})
    f.case("flatten", "flatten", lambda t: t.flatten(1), [f.randn(2, 3, 2, 2)], {"start": 1, "end": -1})
    f.case("repeat", "repeat", lambda t: t.repeat(2, 1, 3), [f.randn(2, 3)], {"repeats": [2, 1, 3]})
    f.case("contiguous", "contiguous", lambda t: t.transpose(0, 1).contiguous(), [x], {})
    f.case("pad_constant", "pad", lambda t: F.pad(t, [1, 2, 0, 1], value=0.5), [f.randn(1, 2, 3, 4)],
           {"pads": [1, 2, 0, 1], "mode": "constant", "value": 0.5})
    f.case("pad_crop", "pad", lambda t: F.pad(t, [-1, 2]), [f.randn(2, 5)], {"pads": [-1, 2], "mode": "constant"})
    f.case("pad_reflect", "pad", lambda t: F.pad(t, [2, 1, 1, 2], mode="reflect"), [f.randn(1, 2, 4, 5)],
           {"pads": [2, 1, 1, 2], "mode": "reflect"})
    f.case("pad_reflect1d", "pad", lambda t: F.pad(t, [3, 1], mode="reflect"), [f.randn(2, 3, 5, dtype=D64)],
           {"pads": [3, 1], "mode": "reflect"})
    f.case("pad_replicate", "pad", lambda t: F.pad(t, [2, 3, 3, 1], mode="replicate"), [f.randn(1, 2, 3, 4)],
           {"pads": [2, 3, 3, 1], "mode": "replicate"})
    return f


def index():
    f = Family("index")
    x = f.randn(3, 5)
    f.case("gather1", "gather", lambda t, i: torch.gather(t, 1, i), [x, f.ints(0, 5, 3, 4)], {"dim": 1})
    f.case("gather0", "gather", lambda t, i: torch.gather(t, 0, i), [f.randn(4, 3, dtype=D64), f.ints(0, 4, 6, 3)],
           {"dim": 0})
    f.case("index_select", "index_select", lambda t, i: torch.index_select(t, 1, i),
           [x, torch.tensor([4, 0, 0, 2])], {"dim": 1})
    f.case("index_select0", "index_select", lambda t, i: torch.index_select(t, 0, i),
           [f.randn(4, 2, 3), torch.tensor([3, 1, 3])], {"dim": 0})
    perm = torch.stack([torch.randperm(5, generator=f.gen)[:3] for _ in range(2)])
    f.case("scatter", "scatter", lambda t, i, s: torch.scatter(t, 1, i, s), [f.randn(2, 5), perm, f.randn(2, 3)],
           {"dim": 1})
    f.case("scatter_value", "scatter_value", lambda t, i: torch.scatter(t, 1, i, 1.5), [f.randn(2, 5), perm],
           {"dim": 1, "value": 1.5})
    f.case("scatter_add", "scatter_add", lambda t, i, s: torch.scatter_add(t, 0, i, s),
           [f.randn(3, 4), f.ints(0, 3, 5, 4), f.randn(5, 4)], {"dim": 0})
    f.case("index_add", "index_add", lambda t, i, s: torch.index_add(t, 0, i, s, alpha=2.0),
           [f.randn(4, 3), torch.tensor([0, 2, 0, 3, 2]), f.randn(5, 3)], {"dim": 0, "alpha": 2.0})
    f.case("masked_select", "masked_select", torch.masked_select, [f.randn(3, 4), f.randn(4) > 0])
    f.case("nonzero", "nonzero", torch.nonzero, [f.ints(0, 2, 3, 4)])
    y = f.randn(3, 6)
    f.case("sort", "sort", lambda t: torch.sort(t, 1), [y], {"dim": 1})
    f.case("sort_desc0", "sort", lambda t: torch.sort(t, 0, descending=True), [y], {"dim": 0, "descending": True})
    f.case("argsort", "argsort", lambda t: torch.argsort(t, -1), [y], {"dim": -1})
    f.case("topk", "topk", lambda t: torch.topk(t, 3, 1), [y], {"k": 3, "dim": 1})
    nans = torch.tensor([[3.0, float("nan"), -1.0, 2.0, float("inf"), -float("inf")]])
    f.case("sort_nan", "sort", lambda t: torch.sort(t, 1), [nans], {"dim": 1}, grad=False)
    f.case("sort_nan_desc", "sort", lambda t: torch.sort(t, 1, descending=True), [nans], {"dim": 1, "descending": True},
           grad=False)
    f.case("gather_big", "gather", lambda t, i: torch.gather(t, 1, i), [f.randn(64, 600), f.ints(0, 600, 64, 600)],
           {"dim": 1})
    z = f.randn(4, 5, 6)
    f.case("indexer_tensor0", "indexer_tensor0", lambda t, i: t[i], [z, torch.tensor([3, 0, 3, -1])])
    f.case("indexer_tensor1", "indexer_tensor1", lambda t, i: t[:, i], [z, torch.tensor([[4, 0], [1, 1]])])
    f.case("indexer_mask", "indexer_mask", lambda t, m: t[m], [z, f.randn(4, 5) > 0])
    f.case("indexer_mixed", "indexer_mixed", lambda t: t[1:3, None, ..., -1], [z])
    f.case("indexer_step", "indexer_step", lambda t: t[::2, 1, 1:5:3], [z])
    f.case("topk_smallest", "topk", lambda t: torch.topk(t, 2, 0, largest=False), [y],
           {"k": 2, "dim": 0, "largest": False})
    return f


def linalg():
    f = Family("linalg")
    f.case("matmul_2d", "matmul", torch.matmul, [f.randn(4, 5), f.randn(5, 3)])
    f.case("matmul_big", "matmul", torch.matmul, [f.randn(33, 70), f.randn(70, 41)])
    f.case("matmul_batched", "matmul", torch.matmul, [f.randn(2, 4, 5), f.randn(2, 5, 3)])
    f.case("matmul_bcast", "matmul", torch.matmul, [f.randn(2, 1, 4, 5), f.randn(3, 5, 2)])
    f.case("matmul_vec_mat", "matmul", torch.matmul, [f.randn(5), f.randn(2, 5, 3)])
    f.case("matmul_mat_vec", "matmul", torch.matmul, [f.randn(3, 4, 5), f.randn(5)])
    f.case("matmul_dot", "matmul", torch.matmul, [f.randn(7), f.randn(7)])
    f.case("matmul_f64", "matmul", torch.matmul, [f.randn(6, 4, dtype=D64), f.randn(4, 5, dtype=D64)])
    f.case("linear", "linear", F.linear, [f.randn(3, 5), f.randn(4, 5), f.randn(4)])
    f.case("linear_nobias", "linear", F.linear, [f.randn(2, 3, 5), f.randn(4, 5)])
    f.case("linear_f64", "linear", F.linear, [f.randn(3, 6, dtype=D64), f.randn(2, 6, dtype=D64),
                                              f.randn(2, dtype=D64)])
    return f


def conv():
    f = Family("conv")

    def c(name, n, cin, h, w, cout, k, stride=1, padding=0, dilation=1, groups=1, bias=True, dtype=torch.float32):
        kh, kw = (k, k) if isinstance(k, int) else k
        inputs = [f.randn(n, cin, h, w, dtype=dtype), f.randn(cout, cin // groups, kh, kw, dtype=dtype) * 0.3]
        if bias:
            inputs.append(f.randn(cout, dtype=dtype))
        args = {"stride": list(torch.nn.modules.utils._pair(stride)), "padding": list(torch.nn.modules.utils._pair(padding)),
                "dilation": list(torch.nn.modules.utils._pair(dilation)), "groups": groups}
        f.case(name, "conv2d", lambda *t: F.conv2d(*t, stride=stride, padding=padding, dilation=dilation,
                                                   groups=groups), inputs, args)

    c("conv3x3", 2, 3, 7, 6, 4, 3, padding=1)
    c("conv3x3_nobias", 1, 4, 6, 6, 5, 3, bias=False)
    c("conv_stride2", 2, 3, 9, 8, 4, 3, stride=2, padding=1)
    c("conv_stride_asym", 1, 2, 9, 10, 3, 3, stride=(2, 3), padding=(0, 2))
    c("conv_dilation2", 1, 3, 9, 9, 2, 3, padding=2, dilation=2)
    c("conv_groups2", 2, 4, 6, 5, 6, 3, padding=1, groups=2)
    c("conv_depthwise", 2, 4, 7, 7, 4, 3, padding=1, groups=4)
    c("conv_depthwise_mult2_s2", 1, 3, 8, 8, 6, 3, stride=2, padding=1, groups=3)
    c("conv_1x1", 2, 6, 5, 4, 3, 1)
    c("conv_1x1_stride2", 1, 4, 7, 7, 8, 1, stride=2, bias=False)
    c("conv_15x1", 1, 2, 20, 5, 3, (15, 1), padding=(7, 0))
    c("conv_1x15", 1, 2, 5, 20, 3, (1, 15), padding=(0, 7))
    c("conv_5x5_big", 2, 8, 16, 16, 16, 5, padding=2)
    c("conv_big_1x1", 2, 32, 24, 24, 32, 1)
    c("conv_big_depthwise", 2, 32, 24, 24, 32, 3, padding=1, groups=32)
    c("conv_big_pad3", 1, 16, 20, 20, 8, 3, padding=3, stride=2, bias=False)
    c("conv_f64", 1, 3, 6, 7, 2, 3, stride=2, padding=1, dilation=(1, 2), dtype=D64)

    def t(name, n, cin, h, w, cout, k, stride=1, padding=0, output_padding=0, groups=1, dilation=1, bias=True,
          dtype=torch.float32):
        inputs = [f.randn(n, cin, h, w, dtype=dtype), f.randn(cin, cout // groups, k, k, dtype=dtype) * 0.3]
        if bias:
            inputs.append(f.randn(cout, dtype=dtype))
        p2 = torch.nn.modules.utils._pair
        args = {"stride": list(p2(stride)), "padding": list(p2(padding)), "output_padding": list(p2(output_padding)),
                "groups": groups, "dilation": list(p2(dilation))}
        f.case(name, "conv_transpose2d", lambda *x: F.conv_transpose2d(
            *x, stride=stride, padding=padding, output_padding=output_padding, groups=groups, dilation=dilation),
            inputs, args)

    t("convT_2x2_s2", 2, 3, 4, 5, 4, 2, stride=2)
    t("convT_3x3_s2_p1_op1", 1, 4, 5, 5, 3, 3, stride=2, padding=1, output_padding=1)
    t("convT_3x3_s1", 1, 2, 4, 4, 3, 3, bias=False)
    t("convT_groups", 1, 4, 4, 4, 6, 3, stride=2, padding=1, groups=2)
    t("convT_dilation", 1, 2, 4, 5, 2, 3, dilation=2, stride=(1, 2), padding=(1, 0))
    t("convT_f64", 1, 3, 3, 4, 2, 4, stride=2, padding=1, dtype=D64)
    return f


def pool():
    f = Family("pool")
    p2 = torch.nn.modules.utils._pair

    def mp(name, x, k, stride=None, padding=0, dilation=1, ceil=False):
        args = {"kernel": list(p2(k)), "stride": list(p2(stride if stride is not None else k)),
                "padding": list(p2(padding)), "dilation": list(p2(dilation)), "ceil_mode": ceil}
        f.case(name, "max_pool2d", lambda t: F.max_pool2d(t, k, stride, padding, dilation, ceil), [x], args)

    mp("maxpool_2", f.randn(2, 3, 6, 6), 2)
    mp("maxpool_3_s2_p1", f.randn(1, 2, 7, 8), 3, 2, 1)
    mp("maxpool_ceil", f.randn(1, 2, 7, 7), 2, 2, 0, 1, True)
    mp("maxpool_ceil_pad", f.randn(1, 2, 8, 9), 3, 2, 1, 1, True)
    mp("maxpool_dilation", f.randn(1, 2, 9, 9), 3, 1, 1, 2)
    mp("maxpool_asym", f.randn(1, 2, 8, 9, dtype=D64), (2, 3), (1, 2), (1, 0))

    def ap(name, x, k, stride=None, padding=0, ceil=False, cip=True, div=None):
        args = {"kernel": list(p2(k)), "stride": list(p2(stride if stride is not None else k)),
                "padding": list(p2(padding)), "ceil_mode": ceil, "count_include_pad": cip}
        if div is not None:
            args["divisor_override"] = div
        f.case(name, "avg_pool2d", lambda t: F.avg_pool2d(t, k, stride, padding, ceil, cip, div), [x], args)

    ap("avgpool_2", f.randn(2, 3, 6, 6), 2)
    ap("avgpool_3_s2_p1", f.randn(1, 2, 7, 8), 3, 2, 1)
    ap("avgpool_3_s2_p1_nopad", f.randn(1, 2, 7, 8), 3, 2, 1, cip=False)
    ap("avgpool_ceil", f.randn(1, 2, 7, 7), 2, 2, 0, True)
    ap("avgpool_ceil_pad_nocip", f.randn(1, 2, 8, 9), 3, 2, 1, True, False)
    ap("avgpool_divisor", f.randn(1, 2, 6, 6, dtype=D64), 3, 1, 1, div=5)
    for (h, w), o in (((8, 8), (1, 1)), ((7, 9), (3, 4)), ((5, 5), (7, 3)), ((6, 10), (6, 10))):
        f.case(f"adaptive_avg_{h}x{w}_to_{o[0]}x{o[1]}", "adaptive_avg_pool2d",
               lambda t, o=o: F.adaptive_avg_pool2d(t, o), [f.randn(2, 3, h, w)], {"size": list(o)})
        f.case(f"adaptive_max_{h}x{w}_to_{o[0]}x{o[1]}", "adaptive_max_pool2d",
               lambda t, o=o: F.adaptive_max_pool2d(t, o), [f.randn(2, 3, h, w)], {"size": list(o)})
    # ceil_mode: a last window that would start in the right padding is dropped (5 -> 3, not 4).
    mp("maxpool_ceil_drop_last", f.randn(1, 2, 5, 5), 2, 2, 1, 1, True)
    ap("avgpool_ceil_drop_last", f.randn(1, 2, 5, 5), 2, 2, 1, True, True)
    ap("avgpool_ceil_drop_last_nocip", f.randn(1, 2, 5, 7), 2, 2, 1, True, False)
    ap("avgpool_ceil_partial_window", f.randn(1, 2, 6, 6), 3, 2, 1, True, True)
    tie = torch.tensor([[[[1.0, 1.0, 0.0, 2.0], [1.0, 0.0, 2.0, 2.0], [3.0, 3.0, 3.0, 3.0], [0.0, 3.0, 1.0, 3.0]]]])
    mp("maxpool_ties", tie, 2)
    mp("maxpool_ties_overlap", tie, 3, 1, 1)
    f.case("adaptive_max_ties", "adaptive_max_pool2d", lambda t: F.adaptive_max_pool2d(t, (3, 3)), [tie],
           {"size": [3, 3]})
    nanp = f.randn(1, 1, 4, 4)
    nanp[0, 0, 1, 2] = float("nan")
    mp("maxpool_nan", nanp, 2)
    mp("maxpool_big", f.randn(2, 8, 48, 48), 3, 2, 1)
    ap("avgpool_big", f.randn(2, 8, 48, 48), 3, 2, 1, cip=False)
    f.case("adaptive_avg_f64", "adaptive_avg_pool2d", lambda t: F.adaptive_avg_pool2d(t, (2, 3)),
           [f.randn(1, 2, 5, 7, dtype=D64)], {"size": [2, 3]})
    f.case("adaptive_max_indices", "adaptive_max_pool2d_indices",
           lambda t: F.adaptive_max_pool2d(t, (2, 3), return_indices=True), [f.randn(1, 2, 5, 7)], {"size": [2, 3]})
    f.case("maxpool_indices", "max_pool2d_indices",
           lambda t: F.max_pool2d(t, 3, 2, 1, return_indices=True), [f.randn(1, 2, 7, 6)],
           {"kernel": [3, 3], "stride": [2, 2], "padding": [1, 1], "dilation": [1, 1], "ceil_mode": False})
    return f


def interp():
    f = Family("interp")
    for mode in ("nearest", "bilinear"):
        acs = (None,) if mode == "nearest" else (False, True)
        for ac in acs:
            tag = mode + ("" if ac is None else ("_ac" if ac else ""))
            for (h, w), size in (((4, 5), (8, 10)), ((6, 7), (4, 3)), ((5, 5), (9, 13)), ((3, 4), (3, 4))):
                args = {"mode": mode, "size": list(size)}
                if ac is not None:
                    args["align_corners"] = ac
                f.case(f"{tag}_{h}x{w}_to_{size[0]}x{size[1]}", "interpolate",
                       lambda t, size=size, ac=ac, mode=mode: F.interpolate(t, size=size, mode=mode, align_corners=ac),
                       [f.randn(2, 3, h, w)], args)
            for sc in ((2.0, 2.0), (1.5, 0.5), (0.75, 2.5)):
                args = {"mode": mode, "scale": list(sc)}
                if ac is not None:
                    args["align_corners"] = ac
                f.case(f"{tag}_scale_{sc[0]:g}x{sc[1]:g}", "interpolate",
                       lambda t, sc=sc, ac=ac, mode=mode: F.interpolate(t, scale_factor=sc, mode=mode,
                                                                      align_corners=ac),
                       [f.randn(1, 2, 6, 5)], args)
    for mode, ac in (("bilinear", True), ("bilinear", False), ("nearest", None)):
        tag = mode + ("" if ac is None else ("_ac" if ac else ""))
        for (h, w), size in (((5, 6), (1, 3)), ((1, 1), (3, 4)), ((1, 4), (3, 1))):
            args = {"mode": mode, "size": list(size)}
            if ac is not None:
                args["align_corners"] = ac
            f.case(f"{tag}_edge_{h}x{w}_to_{size[0]}x{size[1]}", "interpolate",
                   lambda t, size=size, ac=ac, mode=mode: F.interpolate(t, size=size, mode=mode, align_corners=ac),
                   [f.randn(1, 2, h, w)], args)
    f.case("bilinear_big", "interpolate", lambda t: F.interpolate(t, scale_factor=2.0, mode="bilinear"),
           [f.randn(2, 4, 32, 32)], {"mode": "bilinear", "scale": [2.0, 2.0], "align_corners": False})
    f.case("nearest_big", "interpolate", lambda t: F.interpolate(t, scale_factor=2.0), [f.randn(2, 4, 32, 32)],
           {"mode": "nearest", "scale": [2.0, 2.0]})
    f.case("bilinear_f64", "interpolate", lambda t: F.interpolate(t, size=(7, 9), mode="bilinear"),
           [f.randn(1, 2, 4, 5, dtype=D64)], {"mode": "bilinear", "size": [7, 9], "align_corners": False})
    return f


def norm():
    f = Family("norm")

    def bn(name, shape, training, dtype=torch.float32, affine=True):
        c = shape[1]
        inputs = [f.randn(*shape, dtype=dtype) * 2 + 0.5, f.randn(c, dtype=dtype) * 0.1,
                  f.rand(c, lo=0.5, hi=1.5, dtype=dtype)]
        if affine:
            inputs += [f.rand(c, lo=0.5, hi=1.5, dtype=dtype), f.randn(c, dtype=dtype)]

        def fn(x, rm, rv, *wb):
            rm, rv = rm.detach().clone(), rv.detach().clone()
            y = F.batch_norm(x, rm, rv, *wb, training=training, momentum=0.1, eps=1e-5)
            return (y, rm, rv) if training else y
        grad = [0] + ([3, 4] if affine else [])
        f.case(name, "batch_norm", fn, inputs, {"training": training, "momentum": 0.1, "eps": 1e-5}, grad)

    bn("batch_train_2d", (4, 3, 5, 6), True)
    bn("batch_train_1d", (8, 5), True)
    bn("batch_train_3d_noaffine", (4, 3, 7), True, affine=False)
    bn("batch_eval_2d", (2, 3, 4, 5), False)
    bn("batch_eval_1d_f64", (6, 4), False, dtype=D64)
    bn("batch_train_f64", (3, 2, 4, 4), True, dtype=D64)

    def gn(name, shape, groups, affine=True, dtype=torch.float32, eps=1e-5):
        c = shape[1]
        inputs = [f.randn(*shape, dtype=dtype) * 2 + 1]
        if affine:
            inputs += [f.rand(c, lo=0.5, hi=1.5, dtype=dtype), f.randn(c, dtype=dtype)]
        f.case(name, "group_norm", lambda x, *wb: F.group_norm(x, groups, *wb, eps=eps), inputs,
               {"groups": groups, "eps": eps})

    gn("group_2", (2, 6, 4, 5), 2)
    gn("group_1", (2, 4, 3, 3), 1)
    gn("group_per_channel", (2, 4, 3, 3), 4)
    gn("group_noaffine", (3, 8, 5), 4, affine=False)
    gn("group_32ch_8", (1, 32, 6, 6), 8, eps=1e-6)
    gn("group_f64", (2, 6, 3, 4), 3, dtype=D64)

    def inorm(name, shape, affine, dtype=torch.float32):
        c = shape[1]
        inputs = [f.randn(*shape, dtype=dtype) * 2 + 1]
        if affine:
            inputs += [f.rand(c, lo=0.5, hi=1.5, dtype=dtype), f.randn(c, dtype=dtype)]
        f.case(name, "instance_norm",
               lambda x, *wb: F.instance_norm(x, None, None, *wb, use_input_stats=True, eps=1e-5), inputs,
               {"eps": 1e-5})

    inorm("instance_2d", (2, 3, 5, 4), True)
    inorm("instance_1d_noaffine", (3, 4, 7), False)
    inorm("instance_f64", (2, 2, 4, 4), True, dtype=D64)

    def ln(name, shape, ns, affine=True, dtype=torch.float32):
        inputs = [f.randn(*shape, dtype=dtype) * 2 + 1]
        if affine:
            inputs += [f.rand(*ns, lo=0.5, hi=1.5, dtype=dtype), f.randn(*ns, dtype=dtype)]
        f.case(name, "layer_norm", lambda x, *wb: F.layer_norm(x, ns, *wb, eps=1e-5), inputs,
               {"normalized_shape": list(ns), "eps": 1e-5})

    ln("layer_last", (3, 8), (8,))
    ln("layer_last2", (2, 3, 4, 5), (4, 5))
    ln("layer_noaffine", (4, 6), (6,), affine=False)
    ln("layer_wide", (4, 300), (300,))
    ln("layer_f64", (3, 2, 7), (7,), dtype=D64)
    ln("layer_big", (64, 600), (600,))
    gn("group_big", (2, 16, 32, 32), 4)
    bn("batch_train_big", (4, 8, 32, 32), True)
    inorm("instance_big", (2, 8, 48, 48), True)
    f.case("batch_eval_noaffine", "batch_norm",
           lambda x, rm, rv: F.batch_norm(x, rm, rv, training=False), [f.randn(2, 3, 4, 4), f.randn(3) * 0.1,
                                                                       f.rand(3, lo=0.5, hi=1.5)],
           {"training": False, "momentum": 0.1, "eps": 1e-5}, grad=[0])
    const = torch.full((2, 4, 3, 3), 1.5)
    f.case("group_constant_input", "group_norm", lambda x: F.group_norm(x, 2), [const], {"groups": 2, "eps": 1e-5})
    f.case("layer_constant_input", "layer_norm", lambda x: F.layer_norm(x, (9,)), [const.reshape(8, 9)],
           {"normalized_shape": [9], "eps": 1e-5})
    return f


def loss():
    f = Family("loss")
    reds = ("mean", "sum", "none")
    for red in reds:
        f.case(f"mse_{red}", "mse", lambda a, b, red=red: F.mse_loss(a, b, reduction=red),
               [f.randn(3, 4), f.randn(3, 4)], {"reduction": red})
        f.case(f"l1_{red}", "l1", lambda a, b, red=red: F.l1_loss(a, b, reduction=red),
               [f.randn(3, 4), f.randn(3, 4)], {"reduction": red})
        f.case(f"smooth_l1_{red}", "smooth_l1", lambda a, b, red=red: F.smooth_l1_loss(a, b, reduction=red),
               [f.randn(3, 4), f.randn(3, 4)], {"reduction": red, "beta": 1.0})
        f.case(f"bce_{red}", "bce", lambda a, b, red=red: F.binary_cross_entropy(a, b, reduction=red),
               [f.rand(3, 4, lo=0.05, hi=0.95), f.rand(3, 4)], {"reduction": red}, grad=[0])
        f.case(f"bce_logits_{red}", "bce_logits",
               lambda a, b, red=red: F.binary_cross_entropy_with_logits(a, b, reduction=red),
               [f.randn(3, 4) * 2, f.rand(3, 4)], {"reduction": red}, grad=[0])
        f.case(f"cross_entropy_{red}", "cross_entropy",
               lambda a, t, red=red: F.cross_entropy(a, t, reduction=red), [f.randn(5, 4) * 2, f.ints(0, 4, 5)],
               {"reduction": red})
        f.case(f"nll_{red}", "nll", lambda a, t, red=red: F.nll_loss(a, t, reduction=red),
               [torch.log_softmax(f.randn(5, 4), 1), f.ints(0, 4, 5)], {"reduction": red})
    f.case("smooth_l1_beta", "smooth_l1", lambda a, b: F.smooth_l1_loss(a, b, beta=0.3),
           [f.randn(4, 5), f.randn(4, 5)], {"reduction": "mean", "beta": 0.3})
    f.case("mse_f64", "mse", F.mse_loss, [f.randn(3, 4, dtype=D64), f.randn(3, 4, dtype=D64)], {"reduction": "mean"})
    f.case("bce_weight", "bce", lambda a, b, w: F.binary_cross_entropy(a, b, w),
           [f.rand(3, 4, lo=0.05, hi=0.95), f.rand(3, 4), f.rand(4)], {"reduction": "mean"}, grad=[0])
    f.case("bce_logits_weights", "bce_logits",
           lambda a, b, w, pw: F.binary_cross_entropy_with_logits(a, b, w, pos_weight=pw),
           [f.randn(3, 4) * 2, f.rand(3, 4), f.rand(3, 1), f.rand(4, lo=0.5, hi=3)], {"reduction": "mean"}, grad=[0])
    f.case("bce_logits_f64", "bce_logits", lambda a, b: F.binary_cross_entropy_with_logits(a, b, reduction="sum"),
           [f.randn(3, 4, dtype=D64) * 2, f.rand(3, 4, dtype=D64)], {"reduction": "sum"}, grad=[0])
    f.case("cross_entropy_weight", "cross_entropy", lambda a, t, w: F.cross_entropy(a, t, w),
           [f.randn(6, 4), f.ints(0, 4, 6), f.rand(4, lo=0.2, hi=2)], {"reduction": "mean"}, grad=[0])
    t = f.ints(0, 4, 6)
    t[1] = -100
    t[4] = -100
    f.case("cross_entropy_ignore", "cross_entropy", lambda a, t: F.cross_entropy(a, t), [f.randn(6, 4), t],
           {"reduction": "mean"})
    t2 = f.ints(0, 3, 5)
    t2[2] = 1
    f.case("cross_entropy_ignore1_weight", "cross_entropy",
           lambda a, t, w: F.cross_entropy(a, t, w, ignore_index=1, reduction="sum"),
           [f.randn(5, 3), t2, f.rand(3, lo=0.2, hi=2)], {"reduction": "sum", "ignore_index": 1}, grad=[0])
    f.case("cross_entropy_smoothing", "cross_entropy", lambda a, t: F.cross_entropy(a, t, label_smoothing=0.1),
           [f.randn(6, 5), f.ints(0, 5, 6)], {"reduction": "mean", "label_smoothing": 0.1})
    f.case("cross_entropy_smoothing_weight", "cross_entropy",
           lambda a, t, w: F.cross_entropy(a, t, w, label_smoothing=0.2),
           [f.randn(6, 5), f.ints(0, 5, 6), f.rand(5, lo=0.2, hi=2)], {"reduction": "mean", "label_smoothing": 0.2},
           grad=[0])
    f.case("cross_entropy_spatial", "cross_entropy", lambda a, t: F.cross_entropy(a, t),
           [f.randn(2, 4, 3, 3), f.ints(0, 4, 2, 3, 3)], {"reduction": "mean"})
    f.case("cross_entropy_f64", "cross_entropy", lambda a, t: F.cross_entropy(a, t),
           [f.randn(4, 6, dtype=D64), f.ints(0, 6, 4)], {"reduction": "mean"})
    f.case("nll_weight_ignore", "nll", lambda a, t, w: F.nll_loss(a, t, w, ignore_index=2),
           [torch.log_softmax(f.randn(6, 4), 1), f.ints(0, 4, 6), f.rand(4, lo=0.2, hi=2)],
           {"reduction": "mean", "ignore_index": 2}, grad=[0])
    f.case("bce_saturated", "bce", lambda a, b: F.binary_cross_entropy(a, b, reduction="none"),
           [torch.tensor([0.0, 1.0, 0.5, 1e-30, 1.0 - 1e-7]), torch.tensor([1.0, 0.0, 1.0, 1.0, 0.0])],
           {"reduction": "none"}, grad=[0])
    f.case("bce_logits_large", "bce_logits", lambda a, b: F.binary_cross_entropy_with_logits(a, b, reduction="none"),
           [torch.tensor([-100.0, 100.0, -30.0, 30.0, 0.0]), torch.tensor([1.0, 0.0, 0.3, 0.7, 1.0])],
           {"reduction": "none"}, grad=[0])
    f.case("smooth_l1_beta0", "smooth_l1", lambda a, b: F.smooth_l1_loss(a, b, beta=0.0),
           [f.randn(3, 4), f.randn(3, 4)], {"reduction": "mean", "beta": 0.0})
    f.case("smooth_l1_at_beta", "smooth_l1", lambda a, b: F.smooth_l1_loss(a, b, reduction="none", beta=0.5),
           [torch.tensor([0.5, -0.5, 0.0, 1.0]), torch.tensor([0.0, 0.0, 0.0, 0.5])], {"reduction": "none", "beta": 0.5})
    f.case("l1_at_zero", "l1", lambda a, b: F.l1_loss(a, b, reduction="none"),
           [torch.tensor([1.0, 2.0, -3.0]), torch.tensor([1.0, 0.0, -3.0])], {"reduction": "none"})
    tall = torch.full((4,), -100, dtype=torch.int64)
    f.case("cross_entropy_all_ignored", "cross_entropy", lambda a, t: F.cross_entropy(a, t), [f.randn(4, 3), tall],
           {"reduction": "mean"})
    f.case("cross_entropy_all_ignored_sum", "cross_entropy", lambda a, t: F.cross_entropy(a, t, reduction="sum"),
           [f.randn(4, 3), tall], {"reduction": "sum"})
    t3 = f.ints(0, 5, 6)
    t3[0] = -100
    f.case("cross_entropy_smoothing_ignore", "cross_entropy",
           lambda a, t, w: F.cross_entropy(a, t, w, label_smoothing=0.15, reduction="sum"),
           [f.randn(6, 5), t3, f.rand(5, lo=0.2, hi=2)], {"reduction": "sum", "label_smoothing": 0.15}, grad=[0])
    f.case("cross_entropy_smoothing_none_spatial", "cross_entropy",
           lambda a, t: F.cross_entropy(a, t, label_smoothing=0.1, reduction="none"),
           [f.randn(2, 3, 2, 2), f.ints(0, 3, 2, 2, 2)], {"reduction": "none", "label_smoothing": 0.1})
    f.case("nll_spatial", "nll", lambda a, t: F.nll_loss(a, t), [f.randn(2, 3, 2, 4), f.ints(0, 3, 2, 2, 4)],
           {"reduction": "mean"})
    return f


def nn():
    f = Family("nn")
    f.case("dropout_eval", "dropout_eval", lambda x: F.dropout(x, 0.5, training=False), [f.randn(3, 4)],
           {"p": 0.5})
    f.case("dropout_p0_train", "dropout_p0", lambda x: F.dropout(x, 0.0, training=True), [f.randn(3, 4)],
           {"p": 0.0})
    return f


def detection():
    f = Family("detection")
    feat = f.randn(2, 3, 12, 14)
    rois = f.boxes(5, 14.0, batch=2)
    for aligned in (False, True):
        for sr in (0, 2, -1):
            for scale in (1.0, 0.5):
                name = f"roi_align_{'aligned' if aligned else 'legacy'}_s{sr}_scale{scale:g}"
                f.case(name, "roi_align",
                       lambda x, r, aligned=aligned, sr=sr, scale=scale: tvops.roi_align(x, r, (3, 4), scale, sr,
                                                                                         aligned),
                       [feat, rois], {"output_size": [3, 4], "spatial_scale": scale, "sampling_ratio": sr,
                                      "aligned": aligned}, grad=[0])
    f.case("roi_align_f64", "roi_align", lambda x, r: tvops.roi_align(x, r, 2, 0.25, 2, True),
           [f.randn(1, 2, 8, 8, dtype=D64), f.boxes(4, 32.0, batch=1, dtype=D64)],
           {"output_size": [2, 2], "spatial_scale": 0.25, "sampling_ratio": 2, "aligned": True}, grad=[0])
    f.case("roi_align_outside", "roi_align", lambda x, r: tvops.roi_align(x, r, 2, 1.0, 2, False),
           [f.randn(1, 2, 6, 6), torch.tensor([[0, -3.0, -2.0, 2.0, 3.0], [0, 4.0, 4.5, 9.0, 8.0]])],
           {"output_size": [2, 2], "spatial_scale": 1.0, "sampling_ratio": 2, "aligned": False}, grad=[0])
    for sr in (0, 2):
        f.case(f"ps_roi_align_s{sr}", "ps_roi_align",
               lambda x, r, sr=sr: tvops.ps_roi_align(x, r, (2, 3), 0.5, sr),
               [f.randn(2, 12, 10, 9), f.boxes(4, 18.0, batch=2)],
               {"output_size": [2, 3], "spatial_scale": 0.5, "sampling_ratio": sr}, grad=[0])
    b = f.boxes(40, 32.0)
    s = f.rand(40)
    for thr in (0.3, 0.5, 0.7):
        f.case(f"nms_{thr:g}", "nms", lambda b, s, thr=thr: tvops.nms(b, s, thr), [b, s], {"iou_threshold": thr},
               grad=False)
    f.case("nms_f64", "nms", lambda b, s: tvops.nms(b, s, 0.4), [b.double(), s.double()], {"iou_threshold": 0.4},
           grad=False)
    # IoU exactly at the threshold is kept (suppression needs IoU > threshold); empty and fully-overlapping boxes.
    eb = torch.tensor([[0.0, 0.0, 10.0, 10.0], [0.0, 0.0, 10.0, 5.0], [20.0, 20.0, 20.0, 30.0], [0.0, 0.0, 10.0, 10.0],
                       [1.0, 1.0, 9.0, 9.0]])
    es = torch.tensor([0.9, 0.8, 0.7, 0.6, 0.5])
    f.case("nms_at_threshold", "nms", lambda b, s: tvops.nms(b, s, 0.5), [eb, es], {"iou_threshold": 0.5}, grad=False)
    f.case("nms_threshold_0.64", "nms", lambda b, s: tvops.nms(b, s, 0.64), [eb, es], {"iou_threshold": 0.64},
           grad=False)
    f.case("nms_empty", "nms", lambda b, s: tvops.nms(b, s, 0.5), [torch.zeros(0, 4), torch.zeros(0)],
           {"iou_threshold": 0.5}, grad=False)
    f.case("box_iou_degenerate", "box_iou", tvops.box_iou, [eb, eb[:3]], grad=False)
    f.case("roi_align_degenerate", "roi_align", lambda x, r: tvops.roi_align(x, r, 2, 1.0, 2, False),
           [f.randn(1, 2, 6, 6), torch.tensor([[0, 2.0, 2.0, 2.0, 4.0], [0, 1.0, 1.0, 1.5, 1.5]])],
           {"output_size": [2, 2], "spatial_scale": 1.0, "sampling_ratio": 2, "aligned": False}, grad=[0])
    f.case("roi_align_degenerate_aligned", "roi_align", lambda x, r: tvops.roi_align(x, r, 2, 1.0, 0, True),
           [f.randn(1, 2, 6, 6), torch.tensor([[0, 2.0, 2.0, 2.0, 4.0], [0, 5.5, 5.5, 7.0, 7.0]])],
           {"output_size": [2, 2], "spatial_scale": 1.0, "sampling_ratio": 0, "aligned": True}, grad=[0])
    db, ds = f.boxes(80, 12.0), f.rand(80)
    f.case("nms_dense", "nms", lambda b, s: tvops.nms(b, s, 0.5), [db, ds], {"iou_threshold": 0.5}, grad=False)
    f.case("batched_nms_dense", "batched_nms", lambda b, s, i: tvops.batched_nms(b, s, i, 0.4), [db, ds, f.ints(0, 4, 80)],
           {"iou_threshold": 0.4}, grad=False)
    f.case("batched_nms", "batched_nms", lambda b, s, i: tvops.batched_nms(b, s, i, 0.5), [b, s, f.ints(0, 3, 40)],
           {"iou_threshold": 0.5}, grad=False)
    a, c = f.boxes(6, 20.0), f.boxes(5, 20.0)
    f.case("box_iou", "box_iou", tvops.box_iou, [a, c])
    f.case("box_iou_f64", "box_iou", tvops.box_iou, [a.double(), c.double()])
    f.case("generalized_box_iou", "generalized_box_iou", tvops.generalized_box_iou, [a, c])
    f.case("generalized_box_iou_f64", "generalized_box_iou", tvops.generalized_box_iou, [a.double(), c.double()])
    f.case("box_area", "box_area", tvops.box_area, [a])
    for fr, to in (("xyxy", "xywh"), ("xyxy", "cxcywh"), ("xywh", "xyxy"), ("cxcywh", "xyxy"), ("xywh", "cxcywh")):
        f.case(f"box_convert_{fr}_{to}", "box_convert", lambda t, fr=fr, to=to: tvops.box_convert(t, fr, to), [a],
               {"from": fr, "to": to})
    f.case("clip_boxes", "clip_boxes", lambda t: tvops.clip_boxes_to_image(t, (15, 12)), [a * 1.2 - 3],
           {"height": 15, "width": 12})
    f.case("remove_small_boxes", "remove_small_boxes", lambda t: tvops.remove_small_boxes(t, 6.0), [a],
           {"min_size": 6.0}, grad=False)
    def soft_nms(boxes, scores, iou_thr, sigma, score_thr, method):
        """Soft-NMS (Bodla et al. 2017), greedy as mmcv's soft_nms: take the highest current score, decay the rest by
        their IoU with it, drop scores below score_thr. Returns kept indices in selection order and their scores."""
        scores = scores.clone()
        alive = list(range(len(scores)))
        kept, kept_scores = [], []
        while alive:
            i = max(alive, key=lambda j: (scores[j].item(), -j))
            alive.remove(i)
            kept.append(i)
            kept_scores.append(scores[i].clone())
            if not alive:
                break
            rest = torch.tensor(alive)
            o = tvops.box_iou(boxes[i:i + 1], boxes[rest])[0]
            if method == "linear":
                w = torch.where(o > iou_thr, 1 - o, torch.ones_like(o))
            elif method == "gaussian":
                w = torch.exp(-(o * o) / sigma)
            else:
                w = torch.where(o > iou_thr, torch.zeros_like(o), torch.ones_like(o))
            scores[rest] = scores[rest] * w
            alive = [j for j in alive if scores[j] >= score_thr]
        return torch.tensor(kept, dtype=torch.int64), torch.stack(kept_scores)

    sb, ss = f.boxes(30, 24.0), f.rand(30, lo=0.05, hi=1.0)
    for method in ("linear", "gaussian", "hard"):
        f.case(f"soft_nms_{method}", "soft_nms", lambda b, s, m=method: soft_nms(b, s, 0.3, 0.5, 0.001, m), [sb, ss],
               {"iou_threshold": 0.3, "sigma": 0.5, "score_threshold": 0.001, "method": method}, grad=False)
    f.case("soft_nms_gaussian_thr", "soft_nms", lambda b, s: soft_nms(b, s, 0.3, 0.2, 0.1, "gaussian"),
           [sb.double(), ss.double()], {"iou_threshold": 0.3, "sigma": 0.2, "score_threshold": 0.1,
                                        "method": "gaussian"}, grad=False)
    def bilinear(img, y, x):
        """torchvision RoIAlign's bilinear rule on one [H, W] plane (0 outside [-1, H] x [-1, W])."""
        h, w = img.shape
        if y < -1.0 or y > h or x < -1.0 or x > w:
            return img.new_zeros(())
        y, x = max(y, 0.0), max(x, 0.0)
        y0, x0 = int(y), int(x)
        if y0 >= h - 1:
            y0 = y1 = h - 1
            y = float(y0)
        else:
            y1 = y0 + 1
        if x0 >= w - 1:
            x0 = x1 = w - 1
            x = float(x0)
        else:
            x1 = x0 + 1
        ly, lx = y - y0, x - x0
        hy, hx = 1 - ly, 1 - lx
        return hy * hx * img[y0, x0] + hy * lx * img[y0, x1] + ly * hx * img[y1, x0] + ly * lx * img[y1, x1]

    def first_max(vals):
        best = vals[0]
        for v in vals[1:]:
            if v.item() > best.item():
                best = v
        return best

    def ps_roi_align_max(x, rois, ph, pw, scale, g, aligned):
        """Position-sensitive RoIAlign with max over a g x g sample grid per bin (Light-Head R-CNN)."""
        co = x.shape[1] // (ph * pw)
        o = 0.5 if aligned else 0.0
        out = []
        for r in rois.tolist():
            b = int(r[0])
            sx, sy = r[1] * scale - o, r[2] * scale - o
            rw, rh = r[3] * scale - o - sx, r[4] * scale - o - sy
            if not aligned:
                rw, rh = max(rw, 0.0), max(rh, 0.0)
            per_c = []
            for c in range(co):
                rows = []
                for i in range(ph):
                    cols = []
                    for j in range(pw):
                        plane = x[b, (c * ph + i) * pw + j]
                        vals = [bilinear(plane, sy + i * rh / ph + (iy + 0.5) * rh / (ph * g),
                                         sx + j * rw / pw + (ix + 0.5) * rw / (pw * g))
                                for iy in range(g) for ix in range(g)]
                        cols.append(first_max(vals))
                    rows.append(torch.stack(cols))
                per_c.append(torch.stack(rows))
            out.append(torch.stack(per_c))
        return torch.stack(out)

    for aligned in (False, True):
        f.case(f"ps_roi_align_max_{'aligned' if aligned else 'legacy'}", "ps_roi_align_max",
               lambda x, r, aligned=aligned: ps_roi_align_max(x, r, 2, 2, 0.5, 2, aligned),
               [f.randn(2, 8, 9, 10), f.boxes(3, 18.0, batch=2)],
               {"output_size": [2, 2], "spatial_scale": 0.5, "sampling_ratio": 2, "aligned": aligned}, grad=[0])
    f.case("ps_roi_align_max_f64", "ps_roi_align_max", lambda x, r: ps_roi_align_max(x, r, 2, 3, 1.0, 2, False),
           [f.randn(1, 12, 8, 8, dtype=D64), f.boxes(2, 8.0, batch=1, dtype=D64)],
           {"output_size": [2, 3], "spatial_scale": 1.0, "sampling_ratio": 2, "aligned": False}, grad=[0])

    def border_align(x, boxes, pool):
        """BorderDet's border_align: per box and side, max over pool + 1 bilinear samples along the side."""
        n, c4, _, _ = x.shape
        c = c4 // 4
        out = []
        for b in range(n):
            per_c = []
            for ch in range(c):
                per_k = []
                for x1, y1, x2, y2 in boxes[b].tolist():
                    w, h = x2 - x1, y2 - y1
                    pts = [[(y1, x1 + i * w / pool) for i in range(pool + 1)],
                           [(y1 + i * h / pool, x1) for i in range(pool + 1)],
                           [(y2, x2 - i * w / pool) for i in range(pool + 1)],
                           [(y2 - i * h / pool, x2) for i in range(pool + 1)]]
                    per_k.append(torch.stack([first_max([bilinear(x[b, side * c + ch], yy, xx) for yy, xx in pts[side]])
                                              for side in range(4)]))
                per_c.append(torch.stack(per_k))
            out.append(torch.stack(per_c))
        return torch.stack(out)

    bx = torch.stack([f.boxes(4, 9.0), f.boxes(4, 9.0)])
    bx[0, 0] = torch.tensor([-1.5, 2.0, 4.0, 11.0])  # partly outside the 10 x 9 map
    f.case("border_align", "border_align", lambda x, b: border_align(x, b, 4), [f.randn(2, 8, 10, 9), bx],
           {"pool_size": 4}, grad=[0])
    f.case("border_align_f64", "border_align", lambda x, b: border_align(x, b, 3),
           [f.randn(1, 4, 6, 7, dtype=D64), f.boxes(3, 6.0, dtype=D64).unsqueeze(0)], {"pool_size": 3}, grad=[0])
    def corners(bx):
        x, y, w, l, yaw = bx
        c, s_ = math.cos(yaw), math.sin(yaw)
        return [(x + u * c - v * s_, y + u * s_ + v * c)
                for u, v in ((-abs(w) / 2, -abs(l) / 2), (abs(w) / 2, -abs(l) / 2), (abs(w) / 2, abs(l) / 2),
                             (-abs(w) / 2, abs(l) / 2))]

    def poly_area(p):
        return abs(sum(p[i][0] * p[(i + 1) % len(p)][1] - p[(i + 1) % len(p)][0] * p[i][1]
                       for i in range(len(p)))) / 2 if len(p) >= 3 else 0.0

    def clip(poly, a, b):
        """Keeps the part of poly left of the directed line a -> b (Sutherland-Hodgman step)."""
        side = lambda p: (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0])
        out = []
        for i in range(len(poly)):
            p, q = poly[i], poly[(i + 1) % len(poly)]
            sp, sq = side(p), side(q)
            if sp >= 0:
                out.append(p)
            if (sp >= 0) != (sq >= 0):
                t_ = sp / (sp - sq)
                out.append((p[0] + t_ * (q[0] - p[0]), p[1] + t_ * (q[1] - p[1])))
        return out

    def rotated_iou(a, b):
        """Pairwise IoU of (x, y, w, l, yaw) boxes by convex clipping, in float64."""
        res = torch.zeros(len(a), len(b), dtype=torch.float64)
        for i, ba in enumerate(a.double().tolist()):
            for j, bb in enumerate(b.double().tolist()):
                pa, pb = corners(ba), corners(bb)
                poly = pa
                for k in range(4):
                    if not poly:
                        break
                    poly = clip(poly, pb[k], pb[(k + 1) % 4])
                inter = poly_area(poly)
                union = poly_area(pa) + poly_area(pb) - inter
                res[i, j] = inter / union if union > 0 else 0.0
        return res.to(a.dtype)

    def rbox(n):
        return torch.cat([f.rand(n, 2, hi=20.0), f.rand(n, 2, lo=2.0, hi=10.0), f.rand(n, 1, lo=-3.1, hi=3.1)], 1)

    ra, rb = rbox(6), rbox(5)
    ra[1] = rb[0]
    ra[2] = torch.tensor([5.0, 5.0, 2.0, 3.0, 0.3])
    rb[1] = torch.tensor([5.0, 5.0, 6.0, 7.0, -0.2])
    rb[2] = torch.tensor([15.0, 15.0, 0.0, 3.0, 0.0])
    f.case("rotated_iou", "rotated_iou", rotated_iou, [ra, rb], grad=False)
    f.case("rotated_iou_f64", "rotated_iou", rotated_iou, [ra.double(), rb.double()], grad=False)

    def rotated_nms(boxes, scores, thr):
        order = torch.sort(scores, descending=True, stable=True).indices.tolist()
        iou = rotated_iou(boxes.double(), boxes.double())
        keep = []
        for i in order:
            if all(iou[i, k] <= thr for k in keep):
                keep.append(i)
        return torch.tensor(keep, dtype=torch.int64)

    rn = torch.cat([f.rand(30, 2, hi=12.0), f.rand(30, 2, lo=2.0, hi=6.0), f.rand(30, 1, lo=-3.1, hi=3.1)], 1)
    f.case("rotated_nms", "rotated_nms", lambda b, s: rotated_nms(b, s, 0.3), [rn, f.rand(30)],
           {"iou_threshold": 0.3}, grad=False)
    losses = torch.tensor([0.5, 2.0, 0.1, 2.0, 0.7, 0.5, 3.0, 0.0])
    f.case("ohem_topk", "ohem_topk", lambda l: torch.sort(l, descending=True, stable=True).indices[:5], [losses],
           {"k": 5}, grad=False)
    f.case("ohem_topk_all", "ohem_topk", lambda l: torch.sort(l, descending=True, stable=True).indices[:20],
           [f.rand(6)], {"k": 20}, grad=False)
    for red in ("none", "mean", "sum"):
        f.case(f"sigmoid_focal_{red}", "sigmoid_focal_loss",
               lambda x, t, red=red: tvops.sigmoid_focal_loss(x, t, 0.25, 2.0, red),
               [f.randn(4, 6) * 2, (f.rand(4, 6) > 0.7).float()], {"alpha": 0.25, "gamma": 2.0, "reduction": red},
               grad=[0])
    f.case("sigmoid_focal_gamma0", "sigmoid_focal_loss", lambda x, t: tvops.sigmoid_focal_loss(x, t, 0.5, 0.0, "mean"),
           [f.randn(3, 4) * 3, (f.rand(3, 4) > 0.5).float()], {"alpha": 0.5, "gamma": 0.0, "reduction": "mean"},
           grad=[0])
    f.case("sigmoid_focal_soft_targets", "sigmoid_focal_loss",
           lambda x, t: tvops.sigmoid_focal_loss(x, t, 0.25, 1.5, "sum"), [f.randn(3, 4) * 3, f.rand(3, 4)],
           {"alpha": 0.25, "gamma": 1.5, "reduction": "sum"}, grad=[0, 1])
    f.case("sigmoid_focal_alpha_neg_gamma1", "sigmoid_focal_loss",
           lambda x, t: tvops.sigmoid_focal_loss(x, t, -1.0, 1.0, "sum"),
           [f.randn(3, 5, dtype=D64) * 2, (f.rand(3, 5, dtype=D64) > 0.5).double()],
           {"alpha": -1.0, "gamma": 1.0, "reduction": "sum"}, grad=[0])
    return f


def boxcoder():
    """Box codecs and anchors. Encode/decode deltas against torchvision's BoxCoder (the same formula as detectron2's
    Box2BoxTransform); FCOS ltrb, BorderDet deltas, cvpods' iou_loss and detectron2's anchors are written out here in
    torch from the papers' reference code."""
    from torchvision.models.detection._utils import BoxCoder
    f = Family("boxcoder")
    src, tgt = f.boxes(6, 40.0), f.boxes(6, 40.0)
    for wts in ((1.0, 1.0, 1.0, 1.0), (10.0, 10.0, 5.0, 5.0)):
        tag = "rpn" if wts[0] == 1.0 else "roi"
        f.case(f"encode_deltas_{tag}", "encode_box_deltas", lambda s, t, wts=wts: BoxCoder(wts).encode_single(t, s),
               [src, tgt], {"weights": list(wts)})
        d = f.randn(6, 8) * 0.5
        d[1, 2] = 6.0  # beyond the clamp ln(1000/16) once divided by ww = 1
        d[2, 7] = 30.0
        f.case(f"decode_deltas_{tag}", "decode_box_deltas", lambda d, b, wts=wts: BoxCoder(wts).decode_single(d, b),
               [d, src], {"weights": list(wts)})
    f.case("encode_deltas_f64", "encode_box_deltas", lambda s, t: BoxCoder((10.0, 10.0, 5.0, 5.0)).encode_single(t, s),
           [src.double(), tgt.double()], {"weights": [10.0, 10.0, 5.0, 5.0]})
    pts = f.rand(5, 2, hi=40.0)
    f.case("encode_ltrb", "encode_ltrb",
           lambda p, b: torch.stack([p[:, 0] - b[:, 0], p[:, 1] - b[:, 1], b[:, 2] - p[:, 0], b[:, 3] - p[:, 1]], -1) / 8,
           [pts, f.boxes(5, 40.0)], {"stride": 8.0})
    f.case("decode_ltrb", "decode_ltrb",
           lambda p, d: torch.stack([p[:, 0] - d[:, 0] * 4, p[:, 1] - d[:, 1] * 4, p[:, 0] + d[:, 2] * 4,
                                     p[:, 1] + d[:, 3] * 4], -1), [pts, f.rand(5, 4, hi=3.0)], {"stride": 4.0})

    def wh(b):
        w, h = b[..., 2] - b[..., 0], b[..., 3] - b[..., 1]
        return torch.stack([w, h, w, h], -1)

    f.case("encode_border", "encode_border_deltas", lambda c, t: (t - c) / (0.5 * wh(c)), [src, tgt], {"std": 0.5})
    f.case("decode_border", "decode_border_deltas", lambda d, c: c + d * 0.5 * wh(c), [f.randn(6, 4) * 0.3, src],
           {"std": 0.5})

    def iou_loss(pred, target, kind, ltrb=False, weight=None, reduction="none", smooth=False):
        eps = torch.finfo(torch.float32).eps
        if ltrb:
            pred = torch.stack([-pred[..., 0], -pred[..., 1], pred[..., 2], pred[..., 3]], -1)
            target = torch.stack([-target[..., 0], -target[..., 1], target[..., 2], target[..., 3]], -1)
        def area(b):
            return (b[..., 2] - b[..., 0]).clamp(min=0) * (b[..., 3] - b[..., 1]).clamp(min=0)
        iw = (torch.min(pred[..., 2], target[..., 2]) - torch.max(pred[..., 0], target[..., 0])).clamp(min=0)
        ih = (torch.min(pred[..., 3], target[..., 3]) - torch.max(pred[..., 1], target[..., 1])).clamp(min=0)
        inter = iw * ih
        union = area(pred) + area(target) - inter
        iou = (inter + 1) / (union + 1) if smooth else inter / union.clamp(min=eps)
        if kind == "iou":
            loss = -iou.clamp(min=eps).log()
        elif kind == "linear_iou":
            loss = 1 - iou
        else:
            cw = torch.max(pred[..., 2], target[..., 2]) - torch.min(pred[..., 0], target[..., 0])
            ch = torch.max(pred[..., 3], target[..., 3]) - torch.min(pred[..., 1], target[..., 1])
            c = cw * ch
            loss = 1 - (iou - (c - union) / c.clamp(min=eps))
        if weight is not None:
            loss = loss * weight
            if reduction == "mean":
                return loss.sum() / weight.sum().clamp(min=eps)
        return loss.sum() if reduction == "sum" else loss.mean() if reduction == "mean" else loss

    p, t = f.boxes(7, 30.0), f.boxes(7, 30.0)
    t[0] = p[0] + 0.5
    for kind in ("iou", "linear_iou", "giou"):
        f.case(f"iou_loss_{kind}", "iou_loss", lambda a, b, kind=kind: iou_loss(a, b, kind), [p, t], {"kind": kind})
    f.case("iou_loss_giou_weighted_mean", "iou_loss", lambda a, b, w: iou_loss(a, b, "giou", weight=w,
                                                                                 reduction="mean"),
           [p, t, f.rand(7)], {"kind": "giou", "reduction": "mean"}, grad=[0, 1])
    f.case("iou_loss_ltrb_sum", "iou_loss", lambda a, b: iou_loss(a, b, "iou", ltrb=True, reduction="sum"),
           [f.rand(2, 5, 4, lo=0.5, hi=6), f.rand(2, 5, 4, lo=0.5, hi=6)], {"kind": "iou", "ltrb": True,
                                                                          "reduction": "sum"})
    f.case("iou_loss_smooth_f64", "iou_loss", lambda a, b: iou_loss(a, b, "linear_iou", smooth=True),
           [p.double(), t.double()], {"kind": "linear_iou", "smooth": True})

    def cell_anchors(sizes, ratios):
        out = []
        for s in sizes:
            for a in ratios:
                w = (s * s / a) ** 0.5
                h = a * w
                out.append([-w / 2, -h / 2, w / 2, h / 2])
        return torch.tensor(out, dtype=torch.float32)

    f.case("cell_anchors", "cell_anchors", lambda: cell_anchors([32.0, 64.0], [0.5, 1.0, 2.0]), [],
           {"sizes": [32.0, 64.0], "ratios": [0.5, 1.0, 2.0]})

    def grid(h, w, stride, offset):
        ys, xs = torch.meshgrid((torch.arange(h, dtype=torch.float64) + offset) * stride,
                                (torch.arange(w, dtype=torch.float64) + offset) * stride, indexing="ij")
        return xs.reshape(-1), ys.reshape(-1)

    def grid_anchors(cell, h, w, stride, offset):
        sx, sy = grid(h, w, stride, offset)
        shifts = torch.stack([sx, sy, sx, sy], 1).to(cell.dtype)
        return (shifts.view(-1, 1, 4) + cell.view(1, -1, 4)).reshape(-1, 4)

    cell = cell_anchors([16.0], [0.5, 1.0, 2.0])
    f.case("grid_anchors", "grid_anchors", lambda c: grid_anchors(c, 3, 4, 8.0, 0.0), [cell],
           {"height": 3, "width": 4, "stride": 8.0, "offset": 0.0}, grad=False)
    f.case("grid_anchors_offset", "grid_anchors", lambda c: grid_anchors(c, 2, 3, 16.0, 0.5), [cell],
           {"height": 2, "width": 3, "stride": 16.0, "offset": 0.5}, grad=False)
    f.case("grid_points", "grid_points", lambda: torch.stack(grid(3, 5, 8.0, 0.5), 1).float(), [],
           {"height": 3, "width": 5, "stride": 8.0, "offset": 0.5})
    return f


def inplace():
    """In-place ops on a copy of the input (forward only: Scratch's autograd refuses in-place writes into recorded
    tensors by design, so in-place ops are for no-grad code such as optimizer steps and initialisation)."""
    f = Family("inplace")
    f0 = f.case
    f.case = lambda *a, **k: f0(*a, **k, grad=False)
    x, b = f.randn(3, 4), f.away(4)
    f.case("add_", "add_", lambda a, b: a.clone().add_(b), [x, b])
    f.case("sub_", "sub_", lambda a, b: a.clone().sub_(b), [x, b])
    f.case("mul_", "mul_", lambda a, b: a.clone().mul_(b), [x, b])
    f.case("div_", "div_", lambda a, b: a.clone().div_(b), [x, b])
    f.case("add_scalar_", "add_scalar_", lambda a: a.clone().add_(1.5), [x], {"value": 1.5})
    f.case("mul_scalar_", "mul_scalar_", lambda a: a.clone().mul_(-2.0), [x], {"value": -2.0})
    f.case("relu_", "relu_", lambda a: a.clone().relu_(), [f.away(3, 4)])
    f.case("clamp_", "clamp_", lambda a: a.clone().clamp_(-0.5, 0.5), [x], {"min": -0.5, "max": 0.5})
    f.case("copy_", "copy_", lambda a, b: a.clone().copy_(b), [x, f.randn(4)])
    f.case("fill_", "fill_", lambda a: a.clone().fill_(0.25), [x], {"value": 0.25})
    f.case("zero_slice_", "zero_slice_", lambda a: _zero_col(a), [x])
    idx = torch.tensor([[0, 3], [2, 1], [1, 1]])
    f.case("scatter_", "scatter_", lambda a, i, s: a.clone().scatter_(1, i, s), [x, torch.tensor([[0, 3], [2, 1],
                                                                                                 [1, 0]]),
                                                                              f.randn(3, 2)], {"dim": 1})
    f.case("scatter_add_", "scatter_add_", lambda a, i, s: a.clone().scatter_add_(1, i, s), [x, idx, f.randn(3, 2)],
           {"dim": 1})
    f.case("index_add_", "index_add_", lambda a, i, s: a.clone().index_add_(0, i, s, alpha=0.5),
           [x, torch.tensor([2, 0, 2]), f.randn(3, 4)], {"dim": 0, "alpha": 0.5})
    return f


def _zero_col(a):
    y = a.clone()
    y[:, 1].zero_()
    return y


def convert():
    f = Family("convert")
    v = torch.tensor([-2.7, -1.5, -0.5, -0.0, 0.0, 0.49, 0.5, 1.5, 2.5, 7.99, 1e6])
    f.case("f32_to_f64", "to", lambda t: t.to(torch.float64), [f.randn(3, 4)], {"dtype": "F64"})
    f.case("f64_to_f32", "to", lambda t: t.to(torch.float32), [f.randn(3, 4, dtype=D64) * 1e3 + 1e-9],
           {"dtype": "F32"})
    f.case("f32_to_i64", "to", lambda t: t.to(torch.int64), [v], {"dtype": "I64"}, grad=False)
    f.case("f32_to_i32", "to", lambda t: t.to(torch.int32), [v], {"dtype": "I32"}, grad=False)
    f.case("f64_to_i64", "to", lambda t: t.to(torch.int64), [v.double() * 3], {"dtype": "I64"}, grad=False)
    f.case("f32_to_bool", "to", lambda t: t.to(torch.bool), [v], {"dtype": "BOOL"}, grad=False)
    f.case("f32_to_u8", "to", lambda t: t.to(torch.uint8), [v.abs().clamp(max=255)], {"dtype": "U8"}, grad=False)
    f.case("bool_to_f32", "to", lambda t: t.to(torch.float32), [v > 0], {"dtype": "F32"}, grad=False)
    f.case("i64_to_f32", "to", lambda t: t.to(torch.float32), [torch.tensor([-3, 0, 7, 16777217, -(2 ** 40)])],
           {"dtype": "F32"}, grad=False)
    f.case("i64_to_f64", "to", lambda t: t.to(torch.float64), [torch.tensor([-3, 0, 7, 2 ** 53 + 1])],
           {"dtype": "F64"}, grad=False)
    return f


def blocks():
    """Composite blocks from functional ops: every weight is an input, so every weight gets a gradient."""
    f = Family("blocks")

    def w(cout, cin, k):
        return f.randn(cout, cin, k, k) * (2.0 / (cin * k * k)) ** 0.5

    def bnp(c):  # weight, bias, running mean, running var
        return [f.rand(c, lo=0.5, hi=1.5), f.randn(c) * 0.1, f.randn(c) * 0.1, f.rand(c, lo=0.5, hi=1.5)]

    def bn(x, wt, b, rm, rv, training):
        return F.batch_norm(x, rm.detach().clone(), rv.detach().clone(), wt, b, training=training)

    def basic(x, w1, g1, b1, m1, v1, w2, g2, b2, m2, v2, wd, gd, bd, md, vd, training):
        y = torch.relu(bn(F.conv2d(x, w1, stride=2, padding=1), g1, b1, m1, v1, training))
        y = bn(F.conv2d(y, w2, padding=1), g2, b2, m2, v2, training)
        idn = bn(F.conv2d(x, wd, stride=2), gd, bd, md, vd, training)
        return torch.relu(y + idn)

    for training in (False, True):
        inputs = [f.randn(2, 4, 8, 8), w(8, 4, 3), *bnp(8), w(8, 8, 3), *bnp(8), w(8, 4, 1), *bnp(8)]
        grads = [i for i in range(len(inputs)) if i == 0 or (i - 1) % 5 in (0, 1, 2)]
        f.case("resnet_basic_" + ("train" if training else "eval"), "resnet_basic",
               lambda *t, training=training: basic(*t, training), inputs, {"training": training}, grads)

    def bottleneck(x, w1, g1, b1, m1, v1, w2, g2, b2, m2, v2, w3, g3, b3, m3, v3):
        y = torch.relu(bn(F.conv2d(x, w1), g1, b1, m1, v1, False))
        y = torch.relu(bn(F.conv2d(y, w2, padding=1), g2, b2, m2, v2, False))
        y = bn(F.conv2d(y, w3), g3, b3, m3, v3, False)
        return torch.relu(y + x)

    inputs = [f.randn(2, 16, 6, 6), w(4, 16, 1), *bnp(4), w(4, 4, 3), *bnp(4), w(16, 4, 1), *bnp(16)]
    grads = [i for i in range(len(inputs)) if i == 0 or (i - 1) % 5 in (0, 1, 2)]
    f.case("resnet_bottleneck_eval", "resnet_bottleneck", bottleneck, inputs, {}, grads)

    def fpn(c3, c4, c5, l3, l3b, l4, l4b, l5, l5b, o3, o3b, o4, o4b, o5, o5b):
        p5 = F.conv2d(c5, l5, l5b)
        p4 = F.conv2d(c4, l4, l4b) + F.interpolate(p5, size=c4.shape[-2:], mode="nearest")
        p3 = F.conv2d(c3, l3, l3b) + F.interpolate(p4, size=c3.shape[-2:], mode="nearest")
        return (F.conv2d(p3, o3, o3b, padding=1), F.conv2d(p4, o4, o4b, padding=1), F.conv2d(p5, o5, o5b, padding=1))

    d = 6
    inputs = [f.randn(1, 4, 16, 16), f.randn(1, 8, 8, 8), f.randn(1, 12, 4, 4),
              w(d, 4, 1), f.randn(d) * 0.1, w(d, 8, 1), f.randn(d) * 0.1, w(d, 12, 1), f.randn(d) * 0.1,
              w(d, d, 3), f.randn(d) * 0.1, w(d, d, 3), f.randn(d) * 0.1, w(d, d, 3), f.randn(d) * 0.1]
    f.case("fpn", "fpn", fpn, inputs)

    def tower(x, *p):
        for i in range(2):
            wt, b, g, be = p[4 * i:4 * i + 4]
            x = torch.relu(F.group_norm(F.conv2d(x, wt, b, padding=1), 4, g, be))
        return F.conv2d(x, p[8], p[9], padding=1)

    inputs = [f.randn(2, 8, 7, 7)]
    for _ in range(2):
        inputs += [w(8, 8, 3), f.randn(8) * 0.1, f.rand(8, lo=0.5, hi=1.5), f.randn(8) * 0.1]
    inputs += [w(5, 8, 3), f.randn(5) * 0.1]
    f.case("conv_gn_relu_tower", "conv_gn_relu_tower", tower, inputs)
    return f


def layers():
    """torch.nn modules (and torchvision's FrozenBatchNorm2d) with random state, against Scratch.NN layers loaded
    from the same state dict: output, input and parameter gradients, running statistics after the call."""
    f = Family("layers")
    nn_ = torch.nn

    def rnd(m):
        with torch.no_grad():
            for k, v in m.state_dict().items():
                if not v.is_floating_point():
                    continue
                if k.endswith("running_var"):
                    v.copy_(f.rand(*v.shape, lo=0.5, hi=1.5, dtype=v.dtype))
                elif k.endswith("weight") and v.dim() == 1 or k.endswith("weight") and "norm" in k:
                    v.copy_(f.rand(*v.shape, lo=0.5, hi=1.5, dtype=v.dtype))
                else:
                    v.copy_(f.randn(*v.shape, dtype=v.dtype) * (0.5 if v.dim() > 1 else 0.2))
        return m

    f.module("linear", "Linear", rnd(nn_.Linear(5, 4)), [f.randn(3, 5)], {"in": 5, "out": 4, "bias": True})
    f.module("linear_nobias_3d", "Linear", rnd(nn_.Linear(6, 2, bias=False)), [f.randn(2, 3, 6)],
             {"in": 6, "out": 2, "bias": False})
    f.module("conv2d", "Conv2d", rnd(nn_.Conv2d(3, 4, 3, stride=2, padding=1)), [f.randn(2, 3, 7, 6)],
             {"in": 3, "out": 4, "kernel": [3, 3], "stride": [2, 2], "padding": [1, 1], "dilation": [1, 1],
              "groups": 1, "bias": True})
    f.module("conv2d_groups_dil_nobias", "Conv2d",
             rnd(nn_.Conv2d(4, 6, (3, 1), padding=(2, 0), dilation=(2, 1), groups=2, bias=False)),
             [f.randn(1, 4, 6, 5)], {"in": 4, "out": 6, "kernel": [3, 1], "stride": [1, 1], "padding": [2, 0],
                                     "dilation": [2, 1], "groups": 2, "bias": False})
    f.module("conv_transpose2d", "ConvTranspose2d",
             rnd(nn_.ConvTranspose2d(4, 3, 3, stride=2, padding=1, output_padding=1)), [f.randn(1, 4, 4, 5)],
             {"in": 4, "out": 3, "kernel": [3, 3], "stride": [2, 2], "padding": [1, 1], "output_padding": [1, 1],
              "groups": 1, "bias": True, "dilation": [1, 1]})
    for training in (True, False):
        tag = "train" if training else "eval"
        f.module(f"batchnorm2d_{tag}", "BatchNorm2d", rnd(nn_.BatchNorm2d(3)), [f.randn(4, 3, 5, 4) * 2 + 1],
                 {"features": 3}, training)
        f.module(f"batchnorm1d_{tag}", "BatchNorm1d", rnd(nn_.BatchNorm1d(5)), [f.randn(6, 5) * 2 + 1],
                 {"features": 5}, training)
        f.module(f"instancenorm2d_track_{tag}", "InstanceNorm2d",
                 rnd(nn_.InstanceNorm2d(3, affine=True, track_running_stats=True)), [f.randn(2, 3, 5, 4) * 2 + 1],
                 {"features": 3, "affine": True, "track": True}, training)
    f.module("batchnorm1d_3d_train", "BatchNorm1d", rnd(nn_.BatchNorm1d(4)), [f.randn(3, 4, 6)], {"features": 4},
             True)
    m = rnd(nn_.BatchNorm2d(3, momentum=None))
    m.num_batches_tracked.fill_(3)
    f.module("batchnorm2d_cumulative_train", "BatchNorm2d", m, [f.randn(2, 3, 4, 4)], {"features": 3,
                                                                                       "momentum": None}, True)
    f.module("batchnorm2d_noaffine_train", "BatchNorm2d", rnd(nn_.BatchNorm2d(3, affine=False)),
             [f.randn(2, 3, 4, 4)], {"features": 3, "affine": False}, True)
    f.module("batchnorm2d_notrack_eval", "BatchNorm2d", rnd(nn_.BatchNorm2d(3, track_running_stats=False)),
             [f.randn(2, 3, 4, 4)], {"features": 3, "track": False}, False)
    f.module("batchnorm2d_f64_train", "BatchNorm2d", rnd(nn_.BatchNorm2d(2)).double(),
             [f.randn(3, 2, 3, 3, dtype=D64)], {"features": 2}, True)
    f.module("frozen_batchnorm2d", "FrozenBatchNorm2d", rnd(tvops.FrozenBatchNorm2d(4)), [f.randn(2, 4, 3, 5)],
             {"features": 4})
    f.module("groupnorm", "GroupNorm", rnd(nn_.GroupNorm(2, 6)), [f.randn(2, 6, 4, 3)], {"groups": 2, "channels": 6})
    f.module("groupnorm_noaffine", "GroupNorm", nn_.GroupNorm(3, 6, affine=False), [f.randn(2, 6, 5)],
             {"groups": 3, "channels": 6, "affine": False})
    f.module("instancenorm2d", "InstanceNorm2d", nn_.InstanceNorm2d(3), [f.randn(2, 3, 4, 5)], {"features": 3},
             True)
    f.module("layernorm", "LayerNorm", rnd(nn_.LayerNorm([4, 5])), [f.randn(2, 3, 4, 5)], {"shape": [4, 5]})
    f.module("layernorm_noaffine", "LayerNorm", nn_.LayerNorm(6, elementwise_affine=False), [f.randn(3, 6)],
             {"shape": [6], "affine": False})
    f.module("relu", "ReLU", nn_.ReLU(), [f.away(3, 4)])
    f.module("gelu_tanh", "GELU", nn_.GELU("tanh"), [f.randn(3, 4)], {"approximate": "tanh"})
    f.module("silu", "SiLU", nn_.SiLU(), [f.randn(3, 4)])
    f.module("sigmoid", "Sigmoid", nn_.Sigmoid(), [f.randn(3, 4)])
    f.module("tanh", "Tanh", nn_.Tanh(), [f.randn(3, 4)])
    f.module("softplus", "Softplus", nn_.Softplus(2.0, 1.0), [f.away(3, 4)], {"beta": 2.0, "threshold": 1.0})
    f.module("leaky_relu", "LeakyReLU", nn_.LeakyReLU(0.1), [f.away(3, 4)], {"slope": 0.1})
    f.module("identity", "Identity", nn_.Identity(), [f.randn(3, 4)])
    f.module("flatten", "Flatten", nn_.Flatten(), [f.randn(2, 3, 2, 2)])
    f.module("dropout_eval", "Dropout", nn_.Dropout(0.3), [f.randn(3, 4)], {"p": 0.3})
    f.module("maxpool2d", "MaxPool2d", nn_.MaxPool2d(3, 2, 1), [f.randn(1, 2, 7, 6)],
             {"kernel": [3, 3], "stride": [2, 2], "padding": [1, 1]})
    f.module("avgpool2d", "AvgPool2d", nn_.AvgPool2d(3, 2, 1, ceil_mode=True, count_include_pad=False),
             [f.randn(1, 2, 7, 6)], {"kernel": [3, 3], "stride": [2, 2], "padding": [1, 1], "ceil_mode": True,
                                     "count_include_pad": False})
    f.module("adaptive_avgpool2d", "AdaptiveAvgPool2d", nn_.AdaptiveAvgPool2d((2, 3)), [f.randn(1, 2, 5, 7)],
             {"size": [2, 3]})
    f.module("adaptive_maxpool2d", "AdaptiveMaxPool2d", nn_.AdaptiveMaxPool2d(3), [f.randn(1, 2, 5, 7)],
             {"size": [3, 3]})
    f.module("upsample_nearest2x", "Upsample", nn_.Upsample(scale_factor=2.0), [f.randn(1, 2, 3, 4)],
             {"scale": [2.0, 2.0], "mode": "nearest"})
    f.module("upsample_bilinear_size_ac", "Upsample", nn_.Upsample(size=(5, 7), mode="bilinear", align_corners=True),
             [f.randn(1, 2, 3, 4)], {"size": [5, 7], "mode": "bilinear", "align_corners": True})
    from torchvision.models import resnet as tvr

    def down(cin, cout, stride, norm):
        return nn_.Sequential(tvr.conv1x1(cin, cout, stride), norm(cout))

    for training in (False, True):
        tag = "train" if training else "eval"
        f.module(f"resnet_basic_block_{tag}", "ResNetBasicBlock",
                 rnd(tvr.BasicBlock(4, 8, 2, down(4, 8, 2, nn_.BatchNorm2d))), [f.randn(2, 4, 8, 8)],
                 {"in": 4, "out": 8, "stride": 2, "norm": "batch", "block": True}, training)
    f.module("resnet_basic_block_identity", "ResNetBasicBlock", rnd(tvr.BasicBlock(6, 6)), [f.randn(1, 6, 5, 5)],
             {"in": 6, "out": 6, "stride": 1, "norm": "batch", "block": True})
    f.module("resnext_bottleneck_block", "ResNetBottleneck",
             rnd(tvr.Bottleneck(8, 4, 2, down(8, 16, 2, nn_.BatchNorm2d), groups=2, base_width=64)),
             [f.randn(2, 8, 7, 7)], {"in": 8, "width": 8, "out": 16, "stride": 2, "groups": 2, "norm": "batch",
                                     "block": True}, True)
    f.module("resnet_bottleneck_block_frozen", "ResNetBottleneck",
             rnd(tvr.Bottleneck(16, 4, 1, None, norm_layer=tvops.FrozenBatchNorm2d)), [f.randn(1, 16, 6, 6)],
             {"in": 16, "width": 4, "out": 16, "stride": 1, "groups": 1, "norm": "frozen", "block": True})
    logits, target = f.randn(5, 4), f.ints(0, 4, 5)
    w = f.rand(4, lo=0.2, hi=2)
    f.module("loss_cross_entropy", "CrossEntropyLoss", nn_.CrossEntropyLoss(w, label_smoothing=0.1), [logits, target],
             {"weight": w.tolist(), "label_smoothing": 0.1})
    f.module("loss_nll_sum", "NLLLoss", nn_.NLLLoss(reduction="sum", ignore_index=1),
             [torch.log_softmax(logits, 1), target], {"reduction": "sum", "ignore_index": 1})
    f.module("loss_mse", "MSELoss", nn_.MSELoss(), [f.randn(3, 4), f.randn(3, 4)], {}, grad=[0])
    f.module("loss_l1_none", "L1Loss", nn_.L1Loss(reduction="none"), [f.randn(3, 4), f.randn(3, 4)],
             {"reduction": "none"}, grad=[0])
    f.module("loss_smooth_l1", "SmoothL1Loss", nn_.SmoothL1Loss(beta=0.5), [f.randn(3, 4), f.randn(3, 4)],
             {"beta": 0.5}, grad=[0])
    f.module("loss_bce", "BCELoss", nn_.BCELoss(), [f.rand(3, 4, lo=0.05, hi=0.95), f.rand(3, 4)], {}, grad=[0])
    pw = f.rand(4, lo=0.5, hi=3)
    f.module("loss_bce_logits", "BCEWithLogitsLoss", nn_.BCEWithLogitsLoss(pos_weight=pw),
             [f.randn(3, 4), f.rand(3, 4)], {"pos_weight": pw.tolist()}, grad=[0])
    return f


def strided():
    """Ops on non-contiguous inputs (transposed, permuted, step-sliced, expanded, narrowed views)."""
    f = Family("strided")
    for op, fn in (("exp", torch.exp), ("relu", torch.relu), ("sigmoid", torch.sigmoid), ("gelu", F.gelu),
                   ("abs", torch.abs)):
        for v in ("T", "S", "P"):
            f.case(f"{op}_{v}", op, fn, [f.away(3, 4, 6)], views=[v])
    f.case("exp_E", "exp", torch.exp, [f.randn(1, 4, 5)], views=["E"])
    for op, fn in (("add", torch.add), ("mul", torch.mul), ("div", torch.div), ("maximum", torch.maximum),
                   ("sub", torch.sub)):
        f.case(f"{op}_T_T", op, fn, [f.randn(3, 5, 4), f.away(3, 5, 4)], views=["T", "T"])
        f.case(f"{op}_S_none", op, fn, [f.randn(4, 10), f.away(4, 5)], views=["S", None])
        f.case(f"{op}_E_P", op, fn, [f.randn(1, 4, 5), f.away(5, 4, 3)], views=["E", "P"])
    x = f.randn(4, 6, 5)
    for op, a in (("sum", {"dims": [1]}), ("mean", {"dims": [2], "keepdim": True}), ("amax", {"dims": [0, 2]}),
                  ("logsumexp", {"dims": [1]}), ("prod", {"dims": [2]}), ("var", {"dims": [1]}),
                  ("std", {"dims": [0]}), ("norm", {"p": 2.0, "dims": [1]})):
        def fn(t, op=op, a=a):
            dims = tuple(a["dims"])
            kd = a.get("keepdim", False)
            if op == "norm":
                return torch.norm(t, 2.0, dim=dims, keepdim=kd)
            if op == "prod":
                return torch.prod(t, dims[0], keepdim=kd)
            return getattr(torch, op)(t, dims, keepdim=kd)
        inp = f.rand(4, 6, 5, lo=0.5, hi=1.5) if op == "prod" else x
        for v in ("T", "S"):
            f.case(f"{op}_{v}", op, fn, [inp], a, views=[v])
    for op, fn in (("softmax", torch.softmax), ("log_softmax", torch.log_softmax), ("cumsum", torch.cumsum),
                   ("cumprod", torch.cumprod)):
        for d in (0, -1):
            f.case(f"{op}_{d}_T", op, lambda t, fn=fn, d=d: fn(t, d), [f.away(4, 6, 5)], {"dim": d}, views=["T"])
    f.case("max_dim_T", "max_dim", lambda t: torch.max(t, 1), [x], {"dim": 1}, views=["T"])
    f.case("argmax_P", "argmax", lambda t: torch.argmax(t, 0), [x], {"dim": 0}, views=["P"])
    f.case("sort_T", "sort", lambda t: torch.sort(t, 1), [x], {"dim": 1}, views=["T"])
    f.case("topk_S", "topk", lambda t: torch.topk(t, 2, -1), [f.randn(3, 4, 8)], {"k": 2, "dim": -1}, views=["S"])
    f.case("matmul_T_T", "matmul", torch.matmul, [f.randn(5, 4), f.randn(3, 5)], views=["T", "T"])
    f.case("matmul_batched_T_none", "matmul", torch.matmul, [f.randn(2, 5, 4), f.randn(2, 5, 3)], views=["T", None])
    f.case("matmul_E_T", "matmul", torch.matmul, [f.randn(1, 4, 5), f.randn(3, 2, 5)], views=["E", "T"])
    f.case("linear_T_weight", "linear", F.linear, [f.randn(3, 5), f.randn(5, 4), f.randn(4)], views=[None, "T", None])
    f.case("linear_S_input", "linear", F.linear, [f.randn(3, 10), f.randn(4, 5)], views=["S", None])
    f.case("conv2d_T", "conv2d", lambda x, w: F.conv2d(x, w, padding=1), [f.randn(2, 3, 7, 6), f.randn(4, 3, 3, 3)],
           {"stride": [1, 1], "padding": [1, 1], "dilation": [1, 1], "groups": 1}, views=["T", None])
    f.case("conv2d_N_weightT", "conv2d", lambda x, w: F.conv2d(x, w), [f.randn(3, 3, 6, 6), f.randn(4, 3, 3, 3)],
           {"stride": [1, 1], "padding": [0, 0], "dilation": [1, 1], "groups": 1}, views=["N", "T"])
    f.case("conv_transpose2d_S", "conv_transpose2d", lambda x, w: F.conv_transpose2d(x, w, stride=2),
           [f.randn(1, 3, 4, 10), f.randn(3, 2, 2, 2)],
           {"stride": [2, 2], "padding": [0, 0], "output_padding": [0, 0], "groups": 1, "dilation": [1, 1]},
           views=["S", None])
    f.case("max_pool2d_T", "max_pool2d", lambda t: F.max_pool2d(t, 3, 2, 1), [f.randn(2, 3, 8, 7)],
           {"kernel": [3, 3], "stride": [2, 2], "padding": [1, 1], "dilation": [1, 1], "ceil_mode": False},
           views=["T"])
    f.case("avg_pool2d_S", "avg_pool2d", lambda t: F.avg_pool2d(t, 2), [f.randn(1, 2, 6, 12)],
           {"kernel": [2, 2], "stride": [2, 2], "padding": [0, 0], "ceil_mode": False, "count_include_pad": True},
           views=["S"])
    f.case("adaptive_avg_T", "adaptive_avg_pool2d", lambda t: F.adaptive_avg_pool2d(t, (2, 3)), [f.randn(1, 2, 7, 5)],
           {"size": [2, 3]}, views=["T"])
    f.case("interpolate_bilinear_T", "interpolate", lambda t: F.interpolate(t, size=(7, 9), mode="bilinear"),
           [f.randn(1, 2, 5, 4)], {"mode": "bilinear", "size": [7, 9], "align_corners": False}, views=["T"])
    f.case("interpolate_nearest_S", "interpolate", lambda t: F.interpolate(t, scale_factor=2.0),
           [f.randn(1, 2, 3, 8)], {"mode": "nearest", "scale": [2.0, 2.0]}, views=["S"])
    f.case("layer_norm_T", "layer_norm", lambda t, w, b: F.layer_norm(t, (4,), w, b), [f.randn(3, 4, 5), f.randn(4),
                                                                                      f.randn(4)],
           {"normalized_shape": [4], "eps": 1e-5}, views=["T", None, None])
    f.case("group_norm_T", "group_norm", lambda t: F.group_norm(t, 2), [f.randn(2, 4, 5, 3)],
           {"groups": 2, "eps": 1e-5}, views=["T"])
    f.case("batch_norm_train_T", "batch_norm",
           lambda t, rm, rv: (lambda rm, rv: (F.batch_norm(t, rm, rv, training=True), rm, rv))(rm.detach().clone(),
                                                                                              rv.detach().clone()),
           [f.randn(3, 2, 5, 4), f.randn(2) * 0.1, f.rand(2, lo=0.5, hi=1.5)],
           {"training": True, "momentum": 0.1, "eps": 1e-5}, grad=[0], views=["T", None, None])
    f.case("cross_entropy_T", "cross_entropy", lambda a, t: F.cross_entropy(a, t), [f.randn(4, 6), f.ints(0, 4, 6)],
           {"reduction": "mean"}, grad=[0], views=["T", None])
    f.case("mse_T_S", "mse", F.mse_loss, [f.randn(4, 3), f.randn(3, 8)], {"reduction": "mean"}, views=["T", "S"])
    f.case("gather_T", "gather", lambda t, i: torch.gather(t, 1, i), [f.randn(5, 3), f.ints(0, 5, 3, 4)], {"dim": 1},
           views=["T", None])
    f.case("index_select_S", "index_select", lambda t, i: torch.index_select(t, 0, i), [f.randn(4, 10),
                                                                                        torch.tensor([3, 0, 3])],
           {"dim": 0}, views=["S", None])
    f.case("cat_T_S", "cat", lambda a, b: torch.cat([a, b], 0), [f.randn(4, 3), f.randn(2, 8)], {"dim": 0},
           views=["T", "S"])
    f.case("where_T", "where", torch.where, [f.randn(4, 3) > 0, f.randn(3, 4), f.randn(4, 3)], views=["T", None, "T"])
    f.case("pad_reflect_T", "pad", lambda t: F.pad(t, [1, 2, 2, 1], mode="reflect"), [f.randn(1, 2, 5, 4)],
           {"pads": [1, 2, 2, 1], "mode": "reflect"}, views=["T"])
    f.case("roi_align_S", "roi_align", lambda x, r: tvops.roi_align(x, r, 2, 1.0, 2, True),
           [f.randn(1, 2, 8, 16), f.boxes(3, 8.0, batch=1)],
           {"output_size": [2, 2], "spatial_scale": 1.0, "sampling_ratio": 2, "aligned": True}, grad=[0],
           views=["S", None])
    return f


def graph():
    """Autograd graphs: an input used several times (gradient accumulation), views of one input feeding one op,
    outputs that share a subgraph, a detached branch."""
    f = Family("graph")
    f.case("x_times_x", "graph_x_times_x", lambda x: x * x, [f.randn(3, 4)])
    f.case("x_plus_xT", "graph_x_plus_xT", lambda x: x + x.T, [f.randn(4, 4)])
    f.case("x_matmul_xT", "graph_x_matmul_xT", lambda x: x @ x.T, [f.randn(3, 5)])
    f.case("softmax_times_x", "graph_softmax_times_x", lambda x: torch.softmax(x, 1) * x, [f.randn(3, 5)])
    f.case("cat_x_x", "graph_cat_x_x", lambda x: torch.cat([x, x * 2], 0), [f.randn(2, 3)])
    f.case("slices_of_x", "graph_slices_of_x", lambda x: x[:, :3] * x[:, 2:], [f.randn(3, 5)])
    f.case("shared_subgraph", "graph_shared_subgraph",
           lambda x, w: (lambda h: (h.sum(1), (h * h).mean(0)))(torch.tanh(x @ w)), [f.randn(4, 3), f.randn(3, 5)])
    f.case("detached_branch", "graph_detached_branch", lambda x: x * x.detach().exp(), [f.randn(3, 4)])
    f.case("mlp", "graph_mlp",
           lambda x, w1, b1, w2, b2: F.linear(F.gelu(F.linear(x, w1, b1)), w2, b2).log_softmax(1),
           [f.randn(6, 5), f.randn(8, 5) * 0.5, f.randn(8) * 0.1, f.randn(3, 8) * 0.5, f.randn(3) * 0.1])
    f.case("attention", "graph_attention",
           lambda q, k, v: torch.softmax(q @ k.transpose(-2, -1) / 2.0, -1) @ v,
           [f.randn(2, 4, 4), f.randn(2, 5, 4), f.randn(2, 5, 3)])
    f.case("attention_f64", "graph_attention",
           lambda q, k, v: torch.softmax(q @ k.transpose(-2, -1) / 2.0, -1) @ v,
           [f.randn(2, 4, 4, dtype=D64), f.randn(2, 5, 4, dtype=D64), f.randn(2, 5, 3, dtype=D64)])
    f.case("where_both_branches", "graph_where_both_branches", lambda x: torch.where(x > 0, x.sqrt(), x * x),
           [f.away(3, 4)])
    return f


def empty():
    """Zero-size tensors: PyTorch's conventions for empty reductions, concatenation and products."""
    f = Family("empty")
    e = torch.zeros(0, 4)
    f.case("sum_empty_dim0", "sum", lambda t: t.sum((0,)), [e], {"dims": [0]})
    f.case("sum_empty_all", "sum", torch.sum, [e])
    f.case("mean_empty_dim0", "mean", lambda t: t.mean((0,)), [e], {"dims": [0]}, grad=False)
    f.case("prod_empty_dim0", "prod", lambda t: t.prod(0), [e], {"dims": [0]})
    f.case("logsumexp_empty", "logsumexp", lambda t: torch.logsumexp(t, (0,)), [e], {"dims": [0]}, grad=False)
    f.case("softmax_empty_rows", "softmax", lambda t: torch.softmax(t, 1), [e], {"dim": 1})
    f.case("cumsum_empty", "cumsum", lambda t: torch.cumsum(t, 0), [e], {"dim": 0})
    f.case("exp_empty", "exp", torch.exp, [e])
    f.case("add_empty_bcast", "add", torch.add, [e, f.randn(4)])
    f.case("cat_with_empty", "cat", lambda a, b: torch.cat([a, b], 0), [e, f.randn(2, 4)], {"dim": 0})
    f.case("matmul_k0", "matmul", torch.matmul, [torch.zeros(3, 0), torch.zeros(0, 2)])
    f.case("matmul_m0", "matmul", torch.matmul, [torch.zeros(0, 3), f.randn(3, 2)])
    f.case("linear_batch0", "linear", F.linear, [torch.zeros(0, 5), f.randn(3, 5), f.randn(3)])
    f.case("conv2d_batch0", "conv2d", lambda x, w: F.conv2d(x, w), [torch.zeros(0, 2, 5, 5), f.randn(3, 2, 3, 3)],
           {"stride": [1, 1], "padding": [0, 0], "dilation": [1, 1], "groups": 1})
    f.case("box_iou_empty", "box_iou", tvops.box_iou, [torch.zeros(0, 4), f.boxes(3)], grad=False)
    f.case("roi_align_no_rois", "roi_align", lambda x, r: tvops.roi_align(x, r, 2, 1.0, 2, True),
           [f.randn(1, 2, 5, 5), torch.zeros(0, 5)],
           {"output_size": [2, 2], "spatial_scale": 1.0, "sampling_ratio": 2, "aligned": True}, grad=[0])
    f.case("batched_nms_empty", "batched_nms", lambda b, s, i: tvops.batched_nms(b, s, i, 0.5),
           [torch.zeros(0, 4), torch.zeros(0), torch.zeros(0, dtype=torch.int64)], {"iou_threshold": 0.5}, grad=False)
    f.case("nonzero_none", "nonzero", torch.nonzero, [torch.zeros(3, 2, dtype=torch.int64)])
    f.case("masked_select_none", "masked_select", torch.masked_select, [f.randn(3), torch.zeros(3, dtype=torch.bool)])
    return f


def main():
    torch.manual_seed(0)
    total = 0
    for make in (elementwise, reduce, shape, index, linalg, conv, pool, interp, norm, loss, nn, detection, boxcoder, blocks, layers, inplace, convert, strided, empty, graph):
        total += make().save()
    print(f"total {total} bytes")


if __name__ == "__main__":
    main()
