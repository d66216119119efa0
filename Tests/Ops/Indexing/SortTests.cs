using Scratch.Tests.Properties;
using Xunit;
using static Scratch.Tests.Ops.ShapeOps.ShapeCheck;

namespace Scratch.Tests.Ops.Indexing;

public class SortTests
{
    private static int Dim(ShapeCase c) => c.Dims.Length == 0 ? 0 : (int)(c.Seed % (ulong)c.Dims.Length) - (c.Seed % 3 == 0 ? c.Dims.Length : 0);

    private static int K(int size, ulong seed, int lo) => size < lo ? lo : lo + (int)(seed / 7 % (ulong)(size - lo + 1));

    /// <summary>Iterates the lanes along <paramref name="dim"/> of a row-major array of <paramref name="dims"/>.</summary>
    private static IEnumerable<long[]> Lanes(int[] dims, int dim)
    {
        if (dims.Length == 0)
        {
            yield return [0];
            yield break;
        }
        long outer = 1, inner = 1;
        for (var k = 0; k < dim; k++) outer *= dims[k];
        for (var k = dim + 1; k < dims.Length; k++) inner *= dims[k];
        for (long o = 0; o < outer; o++)
            for (long i = 0; i < inner; i++)
                yield return Enumerable.Range(0, dims[dim]).Select(j => (o * dims[dim] + j) * inner + i).ToArray();
    }

    [TensorProperty]
    public void Sort_is_an_ordered_permutation(ShapeCase c)
    {
        var x = Values.Uniform(c.Shape, c.Seed, DType.F64, -2, 2).Mul(Tensor.Scalar(4, DType.F64));
        x = F.Div(x.To(DType.I64).To(DType.F64), Tensor.Scalar(4, DType.F64)); // ties on purpose
        var dim = Dim(c);
        var desc = c.Seed % 2 == 0;
        var (values, indices) = x.Sort(dim, desc);
        Assert.Equal(x.Shape, values.Shape);
        Assert.Equal(DType.I64, indices.DType);
        var d = c.Dims.Length == 0 ? 0 : (dim + c.Dims.Length) % c.Dims.Length;
        var xv = x.ToDoubleArray();
        var vv = values.ToDoubleArray();
        var iv = indices.ToArray<long>();
        foreach (var lane in Lanes(c.Dims, d))
        {
            var picked = lane.Select(p => iv[p]).ToArray();
            Assert.Equal(Enumerable.Range(0, lane.Length).Select(i => (long)i), picked.Order());
            for (var j = 0; j < lane.Length; j++)
                Assert.Equal(xv[lane[(int)picked[j]]], vv[lane[j]]);
            for (var j = 1; j < lane.Length; j++)
            {
                var (a, b) = (vv[lane[j - 1]], vv[lane[j]]);
                Assert.True(desc ? a >= b : a <= b);
                if (a == b) Assert.True(picked[j - 1] < picked[j], "stable: ties keep input order");
            }
        }
        Verify.Close(indices, x.Argsort(dim, desc), 0, 0);
    }

    [TensorProperty]
    public void TopK_values_are_the_sorted_prefix(ShapeCase c)
    {
        var x = c.Make();
        var dim = Dim(c);
        var size = c.Dims.Length == 0 ? 1 : c.Shape[dim];
        var k = K(size, c.Seed, 0);
        foreach (var largest in new[] { true, false })
        {
            var (v, i) = x.TopK(k, dim, largest);
            var (sv, si) = x.Sort(dim, largest);
            if (c.Dims.Length > 0)
            {
                sv = sv.Narrow(dim, 0, k);
                si = si.Narrow(dim, 0, k);
            }
            Verify.Close(sv, v, 0, 0);
            Verify.Close(si, i, 0, 0);
        }
    }

    [TensorProperty]
    public void Gradients_match_finite_differences(ShapeCase c)
    {
        var x = c.Make();
        var dim = Dim(c);
        var size = c.Dims.Length == 0 ? 1 : c.Shape[dim];
        Verify.Gradients(t => t[0].Sort(dim, c.Seed % 2 == 0).Values, x);
        Verify.Gradients(t => t[0].TopK(K(size, c.Seed, 0), dim, c.Seed % 2 == 1).Values, x);
        if (size > 0)
            Verify.Gradients(t => t[0].KthValue(K(size, c.Seed, 1), dim, c.Seed % 2 == 0).Values, x);
    }

    [FsCheck.Xunit.Property(Arbitrary = [typeof(TensorArbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Cpu_matches_reference_for_strided_inputs(ViewCase c)
    {
        var dim = (int)(c.Seed % (ulong)c.Dims.Length);
        var size = c.Dims[dim];
        SameOnViews(c, x => x.Sort(dim, c.Seed % 2 == 0).Values);
        SameOnViews(c, x => x.Argsort(dim).To(DType.F64));
        SameOnViews(c, x => x.TopK(K(size, c.Seed, 0), dim).Values, DType.F32);
        if (size > 0) SameOnViews(c, x => x.KthValue(K(size, c.Seed, 1), dim).Indices.To(DType.F64));
        Verify.SameOnBackends(x => Stepped(x[0]).Sort(0).Values, [Tensor.From(new long[] { 3, -1, 2, 2, 0 })], 0, 0);
    }

    [Fact]
    public void Known_values()
    {
        var y = Tensor.From(new float[] { 3, 1, 2, 1, 0.5f, -1, 4, 0.5f }, new Shape(2, 4));
        // torch 1.13: torch.sort(y, dim=1, stable=True) with y = [[3,1,2,1],[0.5,-1,4,0.5]]
        var (v, i) = y.Sort(1, stable: true);
        Verify.Values(v, new Shape(2, 4), [1, 1, 2, 3, -1, 0.5, 0.5, 4]);
        Verify.Values(i, new Shape(2, 4), [1, 3, 2, 0, 1, 0, 3, 2]);
        // torch 1.13: torch.sort(y, dim=1, descending=True, stable=True)
        (v, i) = y.Sort(1, descending: true, stable: true);
        Verify.Values(v, new Shape(2, 4), [3, 2, 1, 1, 4, 0.5, 0.5, -1]);
        Verify.Values(i, new Shape(2, 4), [0, 2, 1, 3, 2, 0, 3, 1]);
        // torch 1.13: torch.sort(y, dim=0, stable=True)
        (v, i) = y.Sort(0);
        Verify.Values(v, new Shape(2, 4), [0.5, -1, 2, 0.5, 3, 1, 4, 1]);
        Verify.Values(i, new Shape(2, 4), [1, 1, 0, 1, 0, 0, 1, 0]);
        // torch 1.13: torch.sort(torch.tensor([float('nan'), 1., -2.])) -> [-2, 1, nan], [2, 1, 0]
        (v, i) = Tensor.From(new[] { double.NaN, 1, -2 }).Sort();
        Verify.Values(v, new Shape(3), [-2, 1, double.NaN]);
        Verify.Values(i, new Shape(3), [2, 1, 0]);

        var z = Tensor.From(new double[] { 3, 1, 2, 5, 0.5, -1, 4, 7 }, new Shape(2, 4));
        // torch 1.13: torch.kthvalue(torch.tensor([[3.,1.,2.,5.],[0.5,-1.,4.,7.]]),2,dim=1) -> [2.0, 0.5], [2, 0]
        (v, i) = z.KthValue(2, 1);
        Verify.Values(v, new Shape(2), [2, 0.5]);
        Verify.Values(i, new Shape(2), [2, 0]);
        // torch 1.13: yy=[[3.,1.,2.,5.],[0.5,-1.,4.,7.]]; v,i=torch.topk(yy,2,dim=1);
        //             (v*[[1,2],[3,4]]).sum().backward()
        //             -> v [[5, 3], [7, 4]], i [[3, 0], [3, 2]], yy.grad [[2,0,0,1],[0,0,4,3]]
        var leaf = z.Detach().RequiresGrad_();
        (v, i) = leaf.TopK(2, 1);
        Verify.Values(v, new Shape(2, 2), [5, 3, 7, 4]);
        Verify.Values(i, new Shape(2, 2), [3, 0, 3, 2]);
        (v * Tensor.From(new double[] { 1, 2, 3, 4 }, new Shape(2, 2))).Sum().Backward();
        Verify.Values(leaf.Grad!, new Shape(2, 4), [2, 0, 0, 1, 0, 0, 4, 3]);
    }

    [Fact]
    public void Bad_arguments_are_reported()
    {
        var x = Tensor.Zeros(new Shape(2, 3));
        Throws<ArgumentOutOfRangeException>(() => x.TopK(4, 1), "TopK", "k", "4", "[0, 3]");
        Throws<ArgumentOutOfRangeException>(() => x.KthValue(0, 1), "KthValue", "k", "0", "[1, 3]");
        Throws<ArgumentOutOfRangeException>(() => x.KthValue(3, 0), "KthValue", "k", "3", "[1, 2]");
        Throws<ArgumentOutOfRangeException>(() => x.Sort(2), "Sort", "dim");
    }
}
