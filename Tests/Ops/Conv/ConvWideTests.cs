using FsCheck;
using FsCheck.Fluent;
using Scratch.Ops;
using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.Ops.Conv;

/// <summary>The wide direct kernel for stride-1 convs (ConvKernels.Wide.cs) and the flipped-filter input gradient
/// it also computes, against the Reference loops and finite differences, over channel counts off the 8-row tile,
/// groups, dilation, unequal padding, both task schedules and narrow channel chunks.</summary>
public class ConvWideTests
{
    /// <summary>x [N, G·CinG, H, W], weight [G·CoutG, CinG, KH, KW], stride 1; Chunk is the weight-slice budget.</summary>
    public sealed record WideCase(int N, int G, int CinG, int CoutG, int H, int W, int KH, int KW, Size2 Padding,
        Size2 Dilation, int Chunk, bool Bias, ulong Seed)
    {
        public Tensor[] Make(DType dtype)
        {
            Tensor[] t = [Values.Uniform(new Shape(N, G * CinG, H, W), Seed, dtype, -1, 1),
                Values.Uniform(new Shape(G * CoutG, CinG, KH, KW), Seed + 1, dtype, -1, 1)];
            return Bias ? [.. t, Values.Uniform(new Shape(G * CoutG), Seed + 2, dtype, -1, 1)] : t;
        }

        public Tensor Apply(Tensor[] t) =>
            F.Conv2d(t[0], t[1], t.Length > 2 ? t[2] : null, 1, Padding, Dilation, G);

        public override string ToString() =>
            $"x [{N}, {G * CinG}, {H}, {W}] w [{G * CoutG}, {CinG}, {KH}, {KW}] groups {G} pad {Padding} dil {Dilation} chunk budget {Chunk}";
    }

    public static class Arbs
    {
        /// <summary>Small planes (the forward and input gradient on the wide grid) and, one case in three, planes
        /// of over 1024 wide positions, where the weight gradient runs on the wide grid too.</summary>
        public static Arbitrary<WideCase> Wide() => Arb.From(
            from large in Gen.Frequency((2, Gen.Constant(false)), (1, Gen.Constant(true)))
            from c in Cases(large)
            select c);

        /// <summary>Small (at most 14 rows) or large (30–36 rows, 32–40 columns) cases.</summary>
        public static Gen<WideCase> Cases(bool large) =>
            from n in Gen.Choose(1, large ? 2 : 3)
            from g in Gen.Frequency((3, Gen.Constant(1)), (1, Gen.Constant(2)))
            from cin in Gen.Choose(2, large ? 6 : 12)
            from cout in Gen.Choose(1, large ? 10 : 20)
            from kh in Gen.Choose(1, 3)
            from kw in Gen.Choose(2, 3)
            from ph in Gen.Choose(0, 2)
            from pw in Gen.Choose(0, 2)
            from dh in Gen.Frequency((3, Gen.Constant(1)), (1, Gen.Constant(2)))
            from dw in Gen.Frequency((3, Gen.Constant(1)), (1, Gen.Constant(2)))
            from h in large ? Gen.Choose(30, 36) : Gen.Choose(3, 14)
            from w in large ? Gen.Choose(32, 40) : Gen.Choose(16, 40)
            from chunk in Gen.Elements(1, 100, 1 << 17)
            from bias in Gen.Elements(true, false)
            from seed in Gen.Choose(0, int.MaxValue)
            select new WideCase(n, g, cin, cout, Math.Max(h, dh * (kh - 1) + 1), Math.Max(w, dw * (kw - 1) + 1), kh, kw,
                (ph, pw), (dh, dw), chunk, bias, (ulong)seed);
    }

    /// <summary>Small planes only (finite differences evaluate the conv twice per input element).</summary>
    public static class SmallArbs
    {
        public static Arbitrary<WideCase> Small() => Arb.From(Arbs.Cases(false));
    }

    private static void WithChunk(int budget, Action body)
    {
        var saved = ConvKernels.WideChunkBudget;
        ConvKernels.WideChunkBudget = budget;
        try
        {
            body();
        }
        finally
        {
            ConvKernels.WideChunkBudget = saved;
        }
    }

    [FsCheck.Xunit.Property(Arbitrary = [typeof(Arbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Wide_conv_and_its_gradients_match_reference(WideCase c) => WithChunk(c.Chunk, () =>
    {
        Verify.SameOnBackends(c.Apply, c.Make(DType.F64), 1e-11, 1e-11);
        Verify.SameOnBackends(c.Apply, c.Make(DType.F32), 1e-4, 1e-4);
    });

    [FsCheck.Xunit.Property(Arbitrary = [typeof(SmallArbs)], MaxTest = 30, QuietOnSuccess = true)]
    public void Wide_conv_gradients_match_finite_differences(WideCase c) => WithChunk(c.Chunk, () =>
        Verify.Gradients(c.Apply, c.Make(DType.F64)));

    /// <summary>A fact that runs only where the wide kernel is enabled (512-bit vectors or ARM64).</summary>
    public sealed class WideHostFactAttribute : FactAttribute
    {
        public WideHostFactAttribute()
        {
            if (!System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated && !System.Runtime.Intrinsics.Arm.AdvSimd.Arm64.IsSupported)
                Skip = "the wide kernel needs 512-bit vectors or ARM64; this host runs the im2col path only";
        }
    }

    [WideHostFact]
    public void Stride_one_backbone_convs_take_the_wide_kernel_and_match_the_im2col_path()
    {
        // A 3×3 layer at batch 1 (tiles split over threads) and batch 3 (an image per task), and a dilated one; all
        // with planes of over 1024 wide positions, so the weight gradient is computed on the wide grid too.
        foreach (var (n, c, size, dil) in new[] { (1, 24, 34, 1), (3, 16, 33, 1), (2, 20, 33, 2) })
        {
            var x = Values.Uniform(new Shape(n, c, size, size), 7, DType.F32, -1, 1).RequiresGrad_();
            var w = Values.Uniform(new Shape(c, c, 3, 3), 8, DType.F32, -1, 1).RequiresGrad_();
            var g = F.Conv2dGeometry("Conv2d", x, w, null, 1, dil, dil, 1);
            Assert.True(ConvKernels.UseWide(g), $"{g} should take the wide kernel");
            Assert.True(ConvKernels.UseWideWeightGrad(g), $"{g} should take the wide weight gradient");
            var gy = Values.Uniform(new Shape(n, c, size, size), 9, DType.F32, -1, 1);
            var wide = F.Conv2d(x, w, null, 1, dil, dil);
            wide.Backward(gy);
            var (y1, gx1, gw1) = (wide.Detach(), x.Grad!, w.Grad!);
            x.Grad = null;
            w.Grad = null;
            ConvKernels.WideEnabled = false;
            try
            {
                var im2col = F.Conv2d(x, w, null, 1, dil, dil);
                im2col.Backward(gy);
                Verify.Close(im2col.Detach(), y1, 1e-4, 1e-4, "forward");
                Verify.Close(x.Grad!, gx1, 1e-4, 1e-4, "input gradient");
                Verify.Close(w.Grad!, gw1, 1e-3, 1e-4, "weight gradient");
            }
            finally
            {
                ConvKernels.WideEnabled = true;
            }
        }
    }
}
