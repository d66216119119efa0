using FsCheck;
using FsCheck.Fluent;
using Scratch.Tests.Properties;
using Xunit;
using static Scratch.Tests.Ops.ShapeOps.ShapeCheck;

namespace Scratch.Tests.Ops.ShapeOps;

public class PadTests
{
    public sealed record PadCase(int[] Dims, int[] Pads, PadMode Mode, ulong Seed)
    {
        public override string ToString() => $"{new Shape(Dims)} pads [{string.Join(", ", Pads)}] {Mode}";
    }

    public static class Arbs
    {
        public static Arbitrary<PadCase> Cases() => Arb.From(
            from mode in Gen.Elements(PadMode.Constant, PadMode.Reflect, PadMode.Replicate)
            from k in Gen.Choose(1, 3)
            from extra in Gen.Choose(1, 2)
            from dims in Gen.ArrayOf(Gen.Choose(1, 4), k + extra)
            from raw in Gen.ArrayOf(Gen.Choose(mode == PadMode.Constant ? -1 : 0, 3), 2 * k)
            from seed in Gen.Choose(0, int.MaxValue)
            select new PadCase(dims, Fix(dims, raw, mode), mode, (ulong)seed));

        private static int[] Fix(int[] dims, int[] pads, PadMode mode) => pads.Select((p, i) =>
        {
            var size = dims[dims.Length - 1 - i / 2];
            return mode == PadMode.Reflect ? Math.Min(p, size - 1) : mode == PadMode.Constant ? Math.Max(p, -size / 2) : p;
        }).ToArray();
    }

    [FsCheck.Xunit.Property(Arbitrary = [typeof(Arbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Gradient_matches_finite_differences(PadCase c) =>
        Verify.Gradients(
            x => F.Pad(x[0], c.Pads, c.Mode, 0.5), Values.Uniform(new Shape(c.Dims), c.Seed, DType.F64, -2, 2));

    [FsCheck.Xunit.Property(Arbitrary = [typeof(Arbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Cpu_matches_reference_for_strided_inputs(PadCase c)
    {
        var x = Values.Uniform(new Shape(c.Dims), c.Seed, DType.F64, -2, 2);
        Verify.SameOnBackends(t => F.Pad(Stepped(t[0]), c.Pads, c.Mode, -1), [x], 0, 0);
        Verify.SameOnBackends(t => F.Pad(t[0].MT.Contiguous().MT, c.Pads, c.Mode), [x.To(DType.F32)], 0, 0);
    }

    [FsCheck.Xunit.Property(Arbitrary = [typeof(Arbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Interior_is_the_input_and_constant_border_is_the_value(PadCase c)
    {
        if (c.Mode == PadMode.Constant && c.Pads.Any(p => p < 0)) return;
        var x = Values.Uniform(new Shape(c.Dims), c.Seed, DType.F64, -2, 2);
        var y = F.Pad(x, c.Pads, c.Mode, 9);
        var inner = y;
        for (var j = 0; j < c.Pads.Length / 2; j++)
            inner = inner.Narrow(c.Dims.Length - 1 - j, c.Pads[2 * j], c.Dims[c.Dims.Length - 1 - j]);
        Verify.Close(x, inner, 0, 0);
        if (c.Mode == PadMode.Constant)
            Assert.Equal(y.Numel - x.Numel, y.ToDoubleArray().Count(v => v == 9));
    }

    [Fact]
    public void Known_values()
    {
        var a = Tensor.Arange(6, DType.F32).Reshape(1, 2, 3);
        // torch 1.13: F.pad(torch.arange(6.).reshape(1,2,3),(1,2,0,1),mode='constant',value=-1)
        Verify.Values(F.Pad(a, [1, 2, 0, 1], PadMode.Constant, -1), new Shape(1, 3, 6),
            [-1, 0, 1, 2, -1, -1, -1, 3, 4, 5, -1, -1, -1, -1, -1, -1, -1, -1]);
        // torch 1.13: F.pad(torch.arange(6.).reshape(1,2,3),(2,1),mode='reflect')
        Verify.Values(F.Pad(a, [2, 1], PadMode.Reflect), new Shape(1, 2, 6), [2, 1, 0, 1, 2, 1, 5, 4, 3, 4, 5, 4]);
        // torch 1.13: F.pad(torch.arange(6.).reshape(1,1,2,3),(1,2,1,0),mode='replicate')
        Verify.Values(F.Pad(a.Unsqueeze(0), [1, 2, 1, 0], PadMode.Replicate), new Shape(1, 1, 3, 6),
            [0, 0, 1, 2, 2, 2, 0, 0, 1, 2, 2, 2, 3, 3, 4, 5, 5, 5]);
        // torch 1.13: F.pad(torch.arange(6.).reshape(1,1,2,3),(2,2,1,1),mode='reflect')
        Verify.Values(F.Pad(a.Unsqueeze(0), [2, 2, 1, 1], PadMode.Reflect), new Shape(1, 1, 4, 7),
            [5, 4, 3, 4, 5, 4, 3, 2, 1, 0, 1, 2, 1, 0, 5, 4, 3, 4, 5, 4, 3, 2, 1, 0, 1, 2, 1, 0]);
        // torch 1.13: F.pad(torch.arange(6.).reshape(1,2,3),(-1,0))
        Verify.Values(F.Pad(a, [-1, 0]), new Shape(1, 2, 2), [1, 2, 4, 5]);
    }

    [Fact]
    public void Reflect_gradient_accumulates_mirrored_positions()
    {
        var x = Tensor.Arange(3, DType.F64).Reshape(1, 3).Detach().RequiresGrad_();
        F.Pad(x, [2, 2], PadMode.Reflect).Sum().Backward();
        // torch 1.13: x=torch.arange(3.).reshape(1,3).requires_grad_(); F.pad(x,(2,2),mode='reflect').sum().backward();
        //             x.grad -> [[2., 3., 2.]]
        Verify.Values(x.Grad!, new Shape(1, 3), [2, 3, 2]);
    }

    [Fact]
    public void Bad_arguments_are_reported()
    {
        var x = Tensor.Zeros(new Shape(1, 2, 3));
        Throws<ShapeMismatchException>(() => F.Pad(x, [1, 1, 1]), "Pad", "pads");
        Throws<ShapeMismatchException>(() => F.Pad(x, [1, 1, 1, 1, 1, 1, 1, 1]), "Pad", "pads");
        Throws<ArgumentOutOfRangeException>(() => F.Pad(x, [3, 0], PadMode.Reflect), "Pad", "pads", "size 3");
        Throws<ShapeMismatchException>(
            () => F.Pad(Tensor.Zeros(new Shape(3)), [1, 1], PadMode.Reflect), "Pad", "input", "rank-2");
        Throws<ArgumentOutOfRangeException>(() => F.Pad(x, [-1, 0], PadMode.Replicate), "Pad", "pads");
        Throws<ShapeMismatchException>(() => F.Pad(x, [-2, -2]), "Pad", "pads", "dim 2");
    }
}
