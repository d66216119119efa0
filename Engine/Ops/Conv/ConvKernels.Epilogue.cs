using System.Numerics;
using System.Numerics.Tensors;

namespace Scratch.Ops;

/// <summary>The per-channel epilogue of a fused convolution, applied to a block of output rows right after the GEMM
/// that wrote them: y ← act(y·a_c + b_c [+ r]) with the same operations, in the same order, as the separate
/// channel scale-shift (eval batch norm), residual add and ReLU passes, so the fused result equals the unfused one
/// bit for bit.</summary>
internal sealed class ConvEpilogue<T>(T[] scale, T[] shift, T[]? residual, int residualOffset, bool relu)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Applies the epilogue to output channels [c0, c0 + rows) of image n, positions [l0, l0 + nl), of a
    /// contiguous y [N, Cout, L].</summary>
    public void Apply(T[] y, in ConvGeometry g, int n, int c0, int rows, int l0, int nl)
    {
        for (var co = c0; co < c0 + rows; co++)
        {
            var at = (n * g.Cout + co) * g.L + l0;
            var s = y.AsSpan(at, nl);
            ChannelNormKernels.Scale<T>(s, scale[co], shift[co], s);
            if (residual is not null) TensorPrimitives.Add(s, residual.AsSpan(residualOffset + at, nl), s);
            if (relu) TensorPrimitives.Max(s, T.Zero, s);
        }
    }
}

internal static partial class ConvKernels
{
    /// <summary>act(conv(x, w)·scale_c + shift_c [+ residual]) on Cpu tensors, the epilogue applied to each output
    /// block while it is in cache. scale and shift are [Cout]; residual, when given, has the output's shape.</summary>
    public static Tensor ForwardAffine(Tensor x, Tensor w, in ConvGeometry g, Tensor scale, Tensor shift,
        Tensor? residual, bool relu)
    {
        var y = Tensor.Uninitialized(new Shape(g.N, g.Cout, g.OH, g.OW), x.DType, x.Device);
        var (xc, wc, rc) = (x.Materialize(), w.Materialize(), residual?.Materialize());
        if (x.DType == DType.F32) CpuForward(xc, wc, y, g, Epilogue<float>(scale, shift, rc, relu));
        else CpuForward(xc, wc, y, g, Epilogue<double>(scale, shift, rc, relu));
        return y;
    }

    private static ConvEpilogue<T> Epilogue<T>(Tensor scale, Tensor shift, Tensor? residual, bool relu)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        new(scale.Materialize().ToArray<T>(), shift.Materialize().ToArray<T>(), residual?.HostArray<T>(),
            (int)(residual?.Offset ?? 0), relu);
}
