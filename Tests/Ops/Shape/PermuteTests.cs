using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.Ops.ShapeOps;

public class PermuteTests
{
    private static int[] Perm(ShapeCase c)
    {
        var g = new Generator(c.Seed);
        var p = Enumerable.Range(0, c.Dims.Length).ToArray();
        for (var i = p.Length - 1; i > 0; i--)
        {
            var j = (int)g.NextInt64(i + 1);
            (p[i], p[j]) = (p[j], p[i]);
        }
        return p;
    }

    [TensorProperty]
    public void Gradient_matches_finite_differences(ShapeCase c)
    {
        var p = Perm(c);
        Verify.Gradients(x => x[0].Permute(p) * 1.5, c.Make());
    }

    [TensorProperty]
    public void Cpu_matches_reference(ViewCase c)
    {
        var p = Enumerable.Range(0, c.Dims.Length).Reverse().ToArray();
        ShapeCheck.SameOnViews(c, x => x.Permute(p).Contiguous() * 2);
        ShapeCheck.SameOnViews(c, x => x.Transpose(0, -1).Contiguous());
    }

    [Fact]
    public void Known_layout()
    {
        // torch 1.13: torch.arange(6).reshape(2, 3).t().contiguous().flatten() -> [0, 3, 1, 4, 2, 5]
        var x = Tensor.Arange(6).Reshape(2, 3);
        Assert.Equal([0L, 3, 1, 4, 2, 5], x.T.Contiguous().Reshape(-1).ToArray<long>());
        Assert.Equal(new Shape(4, 2, 3), Tensor.Zeros(new Shape(2, 3, 4)).Permute(2, 0, 1).Shape);
        Assert.Equal([1L, 3], x.T.Strides.ToArray());
    }

    [Fact]
    public void Bad_permutations_are_reported()
    {
        var x = Tensor.Zeros(new Shape(2, 3));
        Assert.Contains("permutation", Assert.Throws<ShapeMismatchException>(() => x.Permute(0, 0)).Message);
        Assert.Contains("2 dims", Assert.Throws<ShapeMismatchException>(() => x.Permute(0)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => x.Transpose(0, 2));
        Assert.Throws<ShapeMismatchException>(() => Tensor.Zeros(new Shape(2, 2, 2)).T);
    }
}
