using System.Buffers;
using System.Numerics;
using Scratch.Backends.Cpu;

namespace Scratch.Ops;

/// <summary>The input gradient of convs on small planes with the images side by side: deep layers late in a backbone
/// (3×3 512→512 at 8×8) have filters far larger than their activations, and a product per image would read those
/// filters once per image. Here the column matrix spans every image's positions, so one product per channel chunk
/// covers the whole batch. (The same for the forward conv measured no faster: its per-image blocks already share
/// the packed filters across a block's columns.)</summary>
internal static partial class ConvKernels
{
    /// <summary>Switch for tests and benchmarks comparing with the per-image col2im path (per thread); either value
    /// gives the same result up to rounding.</summary>
    internal static bool AcrossImagesEnabled
    {
        get => !t_acrossImagesDisabled;
        set => t_acrossImagesDisabled = !value;
    }

    [ThreadStatic] private static bool t_acrossImagesDisabled;

    /// <summary>Whether the col2im input gradient of a small-plane conv takes all the images in one product per
    /// channel chunk (<see cref="CpuInputGradAcrossImages{T}"/>): when the chunk's column matrix over every image's
    /// positions fits one column block.</summary>
    internal static bool InputGradAcrossImages(in ConvGeometry g, int threads)
    {
        if (!AcrossImagesEnabled) return false;
        var cc = ChannelChunk(g.CinG, g.Groups, threads);
        var cols = (long)g.N * g.L;
        return cols <= int.MaxValue && BlockColumns(cc * g.KH * g.KW, (int)cols) >= cols;
    }

    /// <summary>The col2im input gradient with the images side by side: gy is gathered into [Cout, N·L] (row co is
    /// gy[0, co], gy[1, co], ...), then per group and channel chunk one product dcol [cc·KH·KW, N·L] =
    /// W_g[:, chunk]ᵀ · gy_g reads that slice of the filters once for the whole batch (a deep layer's filters
    /// outweigh its activations), and col2im adds each image's columns into its planes.</summary>
    private static void CpuInputGradAcrossImages<T>(T[] ga, int go, T[] wa, int wo, T[] xa, ConvGeometry g,
        int threads) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int hw = g.H * g.W, khw = g.KH * g.KW, cols = g.N * g.L;
        var gyt = ArrayPool<T>.Shared.Rent(g.Cout * cols);
        Tasks(g.Cout, threads, co =>
        {
            for (var n = 0; n < g.N; n++)
                ga.AsSpan(go + (n * g.Cout + co) * g.L, g.L).CopyTo(gyt.AsSpan(co * cols + n * g.L));
        });
        var cc = ChannelChunk(g.CinG, g.Groups, threads);
        var chunks = (g.CinG + cc - 1) / cc;
        Tasks(g.Groups * chunks, threads, t =>
        {
            int ch = t % chunks, grp = t / chunks, c0 = ch * cc, nc = Math.Min(cc, g.CinG - c0), rows = nc * khw;
            var col = ArrayPool<T>.Shared.Rent(rows * cols);
            Gemm.Run(true, false, rows, cols, g.CoutG, T.One, wa.AsSpan(wo + grp * g.CoutG * g.K + c0 * khw), g.K,
                gyt.AsSpan(grp * g.CoutG * cols), cols, T.Zero, col, cols, 1);
            for (var n = 0; n < g.N; n++)
            {
                var dst = xa.AsSpan((n * g.Cin + grp * g.CinG + c0) * hw, nc * hw);
                dst.Clear(); // col2im adds into it
                Im2Col.RaiseCols<T>(col.AsSpan(n * g.L), cols, nc, g, 0, g.L, dst);
            }
            ArrayPool<T>.Shared.Return(col);
        });
        ArrayPool<T>.Shared.Return(gyt);
    }
}
