"""PyTorch's float32 -> bfloat16 and float32 -> float16 roundings, the outside reference for the tensor-core input
formats (Engine/Backends/Gpu/Kernels/EmulatedTensorCore.cs).

    /usr/bin/python3 Tests/Fixtures/make_rounding_fixture.py

Writes Tests/Fixtures/ops/rounding.safetensors: "x" (F32 [n]) and the bit patterns torch gives for it, "bf16" and
"f16" (I32 [n], the 16 bits zero-extended). x holds edge cases (ties at both roundings' last bit, subnormal and
overflow boundaries of float16, signed zeros, infinities, the largest and smallest floats) and uniformly random
bit patterns (NaNs excluded: their payload is not specified the same way by torch and PTX).
"""
import os

import torch

from make_fixtures import write_safetensors

HERE = os.path.dirname(os.path.abspath(__file__))


def bits_to_float(bits):
    return torch.tensor(bits, dtype=torch.int64).to(torch.int32).view(torch.float32)


def main():
    g = torch.Generator().manual_seed(7)
    edges = [0.0, -0.0, 1.0, -1.0, 1.0 + 2 ** -8, 1.0 + 3 * 2 ** -8, 1.0 + 2 ** -11, 1.0 + 3 * 2 ** -11,
             1.0 + 2 ** -12, 65504.0, 65519.99, 65520.0, -65520.0, 65536.0, 2 ** -14, 2 ** -24, 2 ** -25,
             1.5 * 2 ** -25, 3 * 2 ** -26, 2 ** -26, 1e-30, 3.0e38, float("inf"), float("-inf"), 0.1, -0.3,
             3.14159265, 1234.5678]
    x = torch.tensor(edges, dtype=torch.float32)
    edge_bits = [0x7F7FFFFF, 0xFF7FFFFF, 0x00000001, 0x807FFFFF, 0x3F808000, 0x3F818000, 0x3F807FFF, 0x477FEFFF,
                 0x477FF000, 0x33000000, 0x33000001, 0x387FC000, 0x387FE000]
    x = torch.cat([x, bits_to_float(edge_bits)])
    rand = torch.randint(0, 2 ** 32, (4000,), generator=g, dtype=torch.int64).to(torch.int32).view(torch.float32)
    near = (torch.rand(4000, generator=g) * 2 - 1) * torch.pow(2.0, torch.randint(-30, 18, (4000,), generator=g).float())
    x = torch.cat([x, rand, near.float()])
    x = x[~torch.isnan(x)]
    bf16 = x.to(torch.bfloat16).view(torch.int16).to(torch.int32) & 0xFFFF
    f16 = x.to(torch.float16).view(torch.int16).to(torch.int32) & 0xFFFF
    meta = {"__torch__": torch.__version__}
    write_safetensors(os.path.join(HERE, "ops", "rounding.safetensors"), {"x": x, "bf16": bf16, "f16": f16}, meta)


if __name__ == "__main__":
    main()
