using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.Ops.Indexing;

/// <summary>Gradchecks of the shape and indexing ops on permuted and stepped (non-contiguous) leaf inputs.</summary>
public class StridedGradientTests
{
    private static Tensor Leaf(ViewCase c) =>
        (c.Kind == ViewKind.Expanded ? c with { Kind = ViewKind.Stepped } : c).Make();

    [FsCheck.Xunit.Property(Arbitrary = [typeof(TensorArbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Views_and_copies_have_correct_gradients(ViewCase c)
    {
        var x = Leaf(c);
        var rank = c.Dims.Length;
        var d = (int)(c.Seed % (ulong)rank);
        var n = c.Dims[d];
        Verify.Gradients(t => t[0].Slice(d, 1, null, 2), x);
        Verify.Gradients(t => t[0].Flip(d).Repeat([.. Enumerable.Repeat(1, rank - 1), 2]), x);
        Verify.Gradients(t => F.Cat([t[0], t[0].Narrow(d, 0, n / 2)], d), x);
        Verify.Gradients(t => F.Pad(t[0], [1, 2], PadMode.Constant, 3), x);
        if (n == 0) return;
        Verify.Gradients(t => t[0].Select(d, -1), x);
        var idx = Tensor.From(new long[] { n - 1, 0, n / 2 });
        Verify.Gradients(t => t[0].IndexSelect(d, idx), x);
        Verify.Gradients(t => t[0].Gather(d, t[0].Argsort(d)), x);
        Verify.Gradients(t => t[0].TopK(Math.Min(2, n), d).Values, x);
        var mask = Tensor.From(x.ToDoubleArray().Select(v => v > 0).ToArray(), x.Shape);
        Verify.Gradients(t => t[0].MaskedSelect(mask), x);
    }
}
