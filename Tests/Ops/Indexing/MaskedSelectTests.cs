using Scratch.Tests.Properties;
using Xunit;
using static Scratch.Tests.Ops.ShapeOps.ShapeCheck;

namespace Scratch.Tests.Ops.Indexing;

public class MaskedSelectTests
{
    private static Tensor Mask(int[] dims, ulong seed, bool broadcast)
    {
        var g = new Generator(seed + 17);
        var m = broadcast && dims.Length > 0 ? dims.Skip(1).ToArray() : dims;
        var shape = new Shape(m);
        return Tensor.From(Enumerable.Range(0, (int)shape.Numel).Select(_ => g.NextDouble() < 0.5).ToArray(), shape);
    }

    [TensorProperty]
    public void Gradient_matches_finite_differences(ShapeCase c)
    {
        var broadcast = c.Seed % 2 == 0;
        var mask = Mask(c.Dims, c.Seed, broadcast);
        Verify.Gradients(x => x[0].MaskedSelect(mask), c.Make());
        // x broadcast against a larger mask: the gradient sums over the broadcast copies.
        Verify.Gradients(x => x[0].MaskedSelect(Mask([2, .. c.Dims], c.Seed, false)), c.Make());
    }

    [TensorProperty]
    public void Selects_exactly_the_true_positions_in_order(ShapeCase c)
    {
        var x = c.Make();
        var mask = Mask(c.Dims, c.Seed, false);
        var m = mask.ToArray<bool>();
        var expected = x.ToDoubleArray().Where((_, i) => m[i]).ToArray();
        Verify.Close(expected, x.MaskedSelect(mask).ToDoubleArray(), 0, 0);
        var nz = mask.Nonzero();
        Assert.Equal(new Shape(expected.Length, c.Dims.Length), nz.Shape);
        if (c.Dims.Length > 0)
            Verify.Close(expected, x[mask].ToDoubleArray(), 0, 0);
    }

    [FsCheck.Xunit.Property(Arbitrary = [typeof(TensorArbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Cpu_matches_reference_for_strided_inputs(ViewCase c)
    {
        var mask = Mask(c.Dims, c.Seed, c.Seed % 2 == 0);
        SameOnViews(c, x => x.MaskedSelect(mask.To(x.Device)));
        SameOnViews(c, x => x.MaskedSelect(mask.To(x.Device)), DType.F32);
        SameOnViews(
            c, x => F.Nonzero(x.Detach() * 0 + Mask(c.Dims, c.Seed, false).To(x.Device).To(x.DType)).To(DType.F64));
    }

    [Fact]
    public void Known_values()
    {
        var b = Tensor.Arange(12, DType.F32).Reshape(3, 4);
        // torch 1.13: torch.masked_select(torch.arange(12.).reshape(3,4), torch.tensor([True,False,False,True]))
        Verify.Values(
            b.MaskedSelect(Tensor.From(new[] { true, false, false, true })), new Shape(6), [0, 3, 4, 7, 8, 11]);
        // torch 1.13: torch.nonzero(torch.tensor([[0.,1.,0.],[2.,0.,3.]]))
        var nz = Tensor.From(new float[] { 0, 1, 0, 2, 0, 3 }, new Shape(2, 3)).Nonzero();
        Assert.Equal(DType.I64, nz.DType);
        Verify.Values(nz, new Shape(3, 2), [0, 1, 1, 0, 1, 2]);
        // torch 1.13: torch.nonzero(torch.tensor(0.)).shape -> [0, 0]
        Verify.Values(Tensor.Scalar(0).Nonzero(), new Shape(0, 0), []);
    }

    [Fact]
    public void Bad_arguments_are_reported()
    {
        var x = Tensor.Zeros(new Shape(3, 4));
        Throws<DTypeMismatchException>(
            () => x.MaskedSelect(Tensor.Ones(new Shape(3, 4))), "MaskedSelect", "mask", "float32");
        Throws<ShapeMismatchException>(
            () => x.MaskedSelect(Tensor.From(new[] { true, false })), "MaskedSelect", "mask", "[2]");
    }
}
