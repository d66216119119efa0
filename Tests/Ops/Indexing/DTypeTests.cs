using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.Ops.Indexing;

public class DTypeTests
{
    public static TheoryData<DType, Device> Cases() => new()
    {
        { DType.I32, Device.Cpu }, { DType.I64, Device.Cpu }, { DType.U8, Device.Cpu }, { DType.Bool, Device.Cpu },
        { DType.I32, Device.Reference }, { DType.I64, Device.Reference }, { DType.U8, Device.Reference }, { DType.Bool, Device.Reference },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Data_movement_ops_keep_non_float_values_exactly(DType dtype, Device device)
    {
        var raw = new double[] { 3, 0, 1, 2, 0, 1 };
        var x = Tensor.FromDoubles(raw, new Shape(2, 3), dtype, device);
        var expected = dtype == DType.Bool ? raw.Select(v => v != 0 ? 1.0 : 0).ToArray() : raw;
        Verify.Values(
            x.Flip(1), new Shape(2, 3), [expected[2], expected[1], expected[0], expected[5], expected[4], expected[3]]);
        Verify.Values(F.Cat([x, x.Slice(1, 1)], 1), new Shape(2, 5),
            [expected[0], expected[1], expected[2], expected[1], expected[2], expected[3], expected[4], expected[5], expected[4], expected[5]]);
        var idx = Tensor.From(new long[] { 2, 0 }).To(device);
        Verify.Values(x.IndexSelect(1, idx), new Shape(2, 2), [expected[2], expected[0], expected[5], expected[3]]);
        Verify.Values(x.T[1], new Shape(2), [expected[1], expected[4]]);
        Verify.Values(
            F.Pad(x, [1, 0], PadMode.Constant, 1), new Shape(2, 4),
            [1, expected[0], expected[1], expected[2], 1, expected[3], expected[4], expected[5]]);
        var gathered = x.Gather(1, Tensor.From(new long[] { 1, 1, 0, 2 }, new Shape(2, 2)).To(device));
        Verify.Values(gathered, new Shape(2, 2), [expected[1], expected[1], expected[3], expected[5]]);
        Assert.Equal(dtype, gathered.DType);
        Assert.Equal(device, gathered.Device);
        var (values, indices) = x.Sort(1, descending: true);
        Assert.Equal(dtype, values.DType);
        Verify.Values(
            values, new Shape(2, 3), [.. expected[..3].OrderDescending(), .. expected[3..].OrderDescending()]);
        Assert.Equal(device, indices.Device);
    }
}
