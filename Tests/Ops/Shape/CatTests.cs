using Scratch.Tests.Properties;
using Xunit;
using static Scratch.Tests.Ops.ShapeOps.ShapeCheck;

namespace Scratch.Tests.Ops.ShapeOps;

public class CatTests
{
    /// <summary>Splits the chosen dim of a case into 1–3 random parts.</summary>
    private static (int Dim, int[] Sizes) Parts(int[] dims, ulong seed)
    {
        var g = new Generator(seed + 5);
        var d = Pick(g, 0, dims.Length - 1);
        var left = dims[d];
        var sizes = new List<int>();
        var parts = Pick(g, 1, 3);
        for (var i = 0; i < parts - 1; i++)
        {
            var s = Pick(g, 0, left);
            sizes.Add(s);
            left -= s;
        }
        sizes.Add(left);
        return (d, sizes.ToArray());
    }

    [TensorProperty]
    public void Cat_gradient_matches_finite_differences(ShapeCase c)
    {
        var dims = AtLeast1D(c.Dims);
        var (d, sizes) = Parts(dims, c.Seed);
        var inputs = sizes.Select((s, i) =>
        {
            var di = (int[])dims.Clone();
            di[d] = s;
            return Values.Uniform(new Shape(di), c.Seed + (ulong)i, DType.F64, -2, 2);
        }).ToArray();
        Verify.Gradients(x => F.Cat(x, d - dims.Length), inputs);
    }

    [TensorProperty]
    public void Split_then_cat_round_trips(ShapeCase c)
    {
        var dims = AtLeast1D(c.Dims);
        var (d, sizes) = Parts(dims, c.Seed);
        var x = Values.Uniform(new Shape(dims), c.Seed, DType.F64, -2, 2);
        var parts = x.Split(sizes, d);
        Assert.Equal(sizes, parts.Select(p => p.Shape[d]).ToArray());
        Assert.All(parts, p => Assert.Same(x.Storage, p.Storage));
        Verify.Close(x, F.Cat(parts, d), 0, 0);
        var size = Math.Max(1, sizes[0]);
        Verify.Close(x, F.Cat(x.Split(size, d), d), 0, 0);
        var chunks = x.Chunk(sizes.Length + 1, d);
        Assert.True(chunks.Length <= sizes.Length + 1);
        Verify.Close(x, F.Cat(chunks, d), 0, 0);
    }

    [TensorProperty]
    public void Stack_equals_unsqueeze_then_cat(ShapeCase c)
    {
        var a = c.Make();
        var b = Values.Uniform(c.Shape, c.Seed + 1, DType.F64, -2, 2);
        var d = (int)(c.Seed % (ulong)(c.Dims.Length + 1));
        Verify.Close(F.Cat([a.Unsqueeze(d), b.Unsqueeze(d)], d), F.Stack([a, b], d), 0, 0);
        Verify.Gradients(x => F.Stack([x[0], x[1]], d), a, b);
    }

    [FsCheck.Xunit.Property(Arbitrary = [typeof(TensorArbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Cpu_matches_reference_for_strided_inputs(ViewCase c)
    {
        var (d, sizes) = Parts(c.Dims, c.Seed);
        SameOnViews(c, x => F.Cat([.. x.Split(sizes, d), x], d));
        SameOnViews(c, x => F.Stack([x, x * 2], -1), DType.F32);
        Verify.SameOnBackends(x => F.Cat([Stepped(x[0]), x[1]], 0),
            [Values.Uniform(
                new Shape(2, 3), c.Seed, DType.F64, -1,
                1), Values.Uniform(new Shape(1, 3), c.Seed + 1, DType.F64, -1, 1)]);
    }

    [Fact]
    public void Known_values()
    {
        // torch 1.13: torch.cat([torch.arange(4.).reshape(2,2), torch.arange(10.,16.).reshape(2,3)],1)
        var y = F.Cat(
            [Tensor.Arange(4, DType.F32).Reshape(2, 2), Tensor.Arange(10, 16, 1, DType.F32).Reshape(2, 3)], 1);
        Verify.Values(y, new Shape(2, 5), [0, 1, 10, 11, 12, 2, 3, 13, 14, 15]);
        // torch 1.13: torch.stack([torch.arange(3.), torch.arange(3.,6.)],1)
        Verify.Values(
            F.Stack([Tensor.Arange(3, DType.F32), Tensor.Arange(3, 6, 1, DType.F32)], 1), new Shape(3, 2),
            [0, 3, 1, 4, 2, 5]);
        // torch 1.13: [t.tolist() for t in torch.arange(7.).chunk(3)] -> [[0,1,2],[3,4,5],[6]]
        var chunks = Tensor.Arange(7, DType.F32).Chunk(3);
        Assert.Equal(3, chunks.Length);
        Verify.Values(chunks[2], new Shape(1), [6]);
        // torch 1.13: [t.shape for t in torch.zeros(5).chunk(4)] -> [2], [2], [1]
        Assert.Equal([2, 2, 1], Tensor.Zeros(new Shape(5)).Chunk(4).Select(t => t.Shape[0]).ToArray());
        // torch 1.13: [t.shape for t in torch.zeros(0).chunk(3)] -> three [0]
        Assert.Equal(3, Tensor.Zeros(new Shape(0)).Chunk(3).Length);
    }

    [Fact]
    public void Bad_arguments_are_reported()
    {
        var a = Tensor.Zeros(new Shape(2, 3));
        Throws<ShapeMismatchException>(
            () => F.Cat([a, Tensor.Zeros(new Shape(3, 3))], 1), "Cat", "tensors[1]", "[3, 3]");
        Throws<ShapeMismatchException>(() => F.Cat([a, Tensor.Zeros(new Shape(3))]), "Cat", "tensors[1]", "rank 2");
        Throws<DTypeMismatchException>(
            () => F.Cat([a, Tensor.Zeros(new Shape(2, 3), DType.F64)]), "Cat", "tensors[1]", "float64");
        Throws<ArgumentException>(() => F.Cat([]), "Cat", "tensors");
        Throws<ShapeMismatchException>(() => F.Stack([a, Tensor.Zeros(new Shape(2, 2))]), "Stack", "tensors[1]");
        Throws<ShapeMismatchException>(() => a.Split([1, 1], 1), "Split", "sizes", "summing to 3");
        Throws<ArgumentOutOfRangeException>(() => a.Split(0, 1), "Split", "splitSize");
        Throws<ArgumentOutOfRangeException>(() => a.Chunk(0), "Chunk", "chunks");
        Throws<ArgumentOutOfRangeException>(() => F.Cat([a], 2), "Cat", "dim");
    }
}
