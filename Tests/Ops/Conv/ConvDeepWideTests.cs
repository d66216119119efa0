using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.Ops.Conv;

/// <summary>The Cpu conv on shapes deeper than one GEMM depth slice (K = Cin·KH·KW &gt; 256) and
/// wider than 128 output positions, with ragged row panels, strides, dilation, padding and groups,
/// against the Reference loops (outputs and gradients; a stride-1 input gradient runs the forward kernels).</summary>
public class ConvDeepWideTests
{
    [Theory]
    [InlineData(1, 30, 20, 3, 3, 1, 1, 1, 1, 17, 15)]
    [InlineData(2, 29, 13, 3, 3, 2, 1, 1, 1, 19, 23)]
    [InlineData(1, 64, 9, 3, 3, 1, 2, 2, 1, 14, 14)]
    [InlineData(1, 40, 24, 3, 2, 1, 1, 1, 2, 12, 18)]
    [InlineData(1, 3, 16, 7, 7, 2, 3, 1, 1, 30, 29)]
    [InlineData(1, 300, 11, 1, 1, 2, 0, 1, 1, 24, 24)]
    public void Deep_and_wide_convs_match_reference(int n, int cin, int cout, int kh, int kw, int stride, int pad,
        int dil, int groups, int h, int w)
    {
        var x = Values.Uniform(new Shape(n, cin * groups, h, w), 31, DType.F64, -1, 1);
        var wt = Values.Uniform(new Shape(cout * groups, cin, kh, kw), 32, DType.F64, -1, 1);
        var saved = Scratch.Ops.ConvKernels.ParallelWork;
        try
        {
            // One thread (blocked im2col + GEMM), then threaded (small planes split over output channels).
            foreach (var work in new[] { long.MaxValue, saved })
            {
                Scratch.Ops.ConvKernels.ParallelWork = work;
                Verify.SameOnBackends(t => F.Conv2d(t[0], t[1], null, stride, pad, dil, groups), [x, wt], 1e-10,
                    1e-10);
                Verify.SameOnBackends(t => F.Conv2d(t[0], t[1], null, stride, pad, dil, groups),
                    [x.To(DType.F32), wt.To(DType.F32)], 1e-4, 1e-4);
            }
        }
        finally
        {
            Scratch.Ops.ConvKernels.ParallelWork = saved;
        }
    }
}
