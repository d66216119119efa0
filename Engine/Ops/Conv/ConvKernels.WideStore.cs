using System.Numerics;
using System.Runtime.CompilerServices;
using Scratch.Backends.Cpu;

namespace Scratch.Ops;

/// <summary>Where the wide kernel's register tiles go (see <see cref="ConvKernels"/>' wide kernel in
/// ConvKernels.Wide.cs): into the wide output buffer, or, when the whole depth is one chunk, straight into the
/// output planes through the runs of lanes that land on valid columns.</summary>
internal static partial class ConvKernels
{
    /// <summary>Bound on the runs of one tile's lanes that fall on valid output columns. A plane the wide kernel
    /// takes with discarded columns has OW ≥ 4 of them per discarded one (at most 1.25× the work), so Wp ≥ 5 and a
    /// vector of at most 16 lanes meets at most 5 rows; without discarded columns the rows merge into one run.</summary>
    private const int WideStoreSegments = 16;

    /// <summary>Splits the tile at wide position l0 (2 vectors of w lanes) into runs of lanes on one output row's
    /// valid columns: per run, the vector (0 or 1), the offset in the output plane that the vector's lane 0 would
    /// have, and the lanes [from, to). Discarded columns (ow ≥ OW) and positions past the last row are in no run.
    /// </summary>
    private static unsafe int WideSegments(int* seg, int l0, int w, in ConvGeometry g, in WideGrid d)
    {
        var count = 0;
        for (var v = 0; v < 2; v++)
        {
            int lane0 = l0 + v * w, p = lane0, end = Math.Min(lane0 + w, d.Lw);
            while (p < end)
            {
                int oh = p / d.Wp, ow = p - oh * d.Wp;
                if (ow >= g.OW)
                {
                    p = (oh + 1) * d.Wp;
                    continue;
                }
                int stop = Math.Min(end, oh * d.Wp + g.OW), offset = oh * g.OW + ow - (p - lane0);
                int* last = seg + 4 * (count - 1);
                if (count > 0 && last[0] == v && last[1] == offset && last[3] == p - lane0)
                {
                    last[3] = stop - lane0; // no discarded columns (Wp = OW): the rows run on in y
                }
                else
                {
                    if (count == WideStoreSegments)
                        throw new InvalidOperationException($"wide conv: over {WideStoreSegments} row runs in a tile");
                    int* q = seg + 4 * count++;
                    (q[0], q[1], q[2], q[3]) = (v, offset, p - lane0, stop - lane0);
                }
                p = stop;
            }
        }
        return count;
    }

    /// <summary>Where a wide tile's 8 rows go.</summary>
    private interface IWideStore<TV> where TV : struct
    {
        /// <summary>Row r of the tile: acc0 holds its first vector of positions, acc1 the second.</summary>
        void Row(int r, TV acc0, TV acc1);
    }

    /// <summary>Into the wide buffer (rows Ldc apart), overwriting (Beta = 0) or accumulating (Beta = 1).</summary>
    private unsafe struct WideBufferStore<T, TV, V> : IWideStore<TV>
        where T : unmanaged, INumberBase<T> where TV : struct where V : IGemmVector<T, TV>
    {
        public T* C;
        public long Ldc;
        public T Beta;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Row(int r, TV acc0, TV acc1) =>
            GemmTileStore<T, TV, V>.Row(C + r * Ldc, T.One, Beta, acc0, acc1);
    }

    /// <summary>Straight into the output planes (row r's plane is Stride after row r − 1's; rows from Rows on are the
    /// weight panel's padding), valid columns only, through the tile's precomputed lane runs.</summary>
    private unsafe struct WidePlaneStore<T, TV, V> : IWideStore<TV>
        where T : unmanaged, INumberBase<T> where TV : struct where V : IGemmVector<T, TV>
    {
        public T* Plane;
        public long Stride;
        public int Rows, Count;
        public int* Segments;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Row(int r, TV acc0, TV acc1)
        {
            if (r >= Rows) return;
            T* plane = Plane + r * Stride;
            for (var s = 0; s < Count; s++)
            {
                int* q = Segments + 4 * s;
                V.StoreLanes(q[0] == 0 ? acc0 : acc1, plane + q[1], q[2], q[3]);
            }
        }
    }
}
