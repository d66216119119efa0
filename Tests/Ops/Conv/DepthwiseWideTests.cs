using FsCheck;
using FsCheck.Fluent;
using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.Ops.Conv;

/// <summary>The unit-column-stride depthwise forward over wide planes (several 512-bit vectors per row, ragged
/// ends, planes narrower than one vector) against the Reference loops.</summary>
public class DepthwiseWideTests
{
    public static class Arbs
    {
        public static Arbitrary<ConvCpuPathTests.DepthwiseCase> Wide() => Arb.From(
            from n in Gen.Choose(1, 2)
            from c in Gen.Choose(1, 3)
            from k in Gen.Choose(1, 5)
            from sh in Gen.Choose(1, 2)
            from ph in Gen.Choose(0, 2)
            from pw in Gen.Choose(0, 2)
            from dh in Gen.Choose(1, 2)
            from dw in Gen.Choose(1, 2)
            from h in Gen.Choose(1, 6)
            from w in Gen.Choose(1, 70)
            from bias in Gen.Elements(true, false)
            from seed in Gen.Choose(0, int.MaxValue)
            select new ConvCpuPathTests.DepthwiseCase(n, c, Math.Max(h, dh * (k - 1) + 1 - 2 * ph),
                Math.Max(w, dw * (k - 1) + 1 - 2 * pw), k, (sh, 1), (ph, pw), (dh, dw), bias, (ulong)seed));
    }

    [FsCheck.Xunit.Property(Arbitrary = [typeof(Arbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Wide_depthwise_matches_reference(ConvCpuPathTests.DepthwiseCase c)
    {
        Verify.SameOnBackends(c.Apply, c.Make(DType.F64), 1e-12, 1e-12);
        Verify.SameOnBackends(c.Apply, c.Make(DType.F32), 1e-5, 1e-5);
    }
}
