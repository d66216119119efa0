using System.Numerics;

namespace Scratch.Backends;

/// <summary>Arg-max/arg-min over rows for host tensors; the first extreme wins and NaN is the extreme.</summary>
internal static class HostArgReduce
{
    public static void Run(bool max, Tensor x, Tensor values, Tensor indices, int rows, int len, bool parallel)
    {
        switch (x.DType)
        {
            case DType.F32: RunT<float>(max, x, values, indices, rows, len, parallel); break;
            case DType.F64: RunT<double>(max, x, values, indices, rows, len, parallel); break;
            case DType.I32: RunT<int>(max, x, values, indices, rows, len, parallel); break;
            case DType.I64: RunT<long>(max, x, values, indices, rows, len, parallel); break;
            default: RunT<byte>(max, x, values, indices, rows, len, parallel); break;
        }
    }

    private static void RunT<T>(bool max, Tensor x, Tensor values, Tensor indices, int rows, int len, bool parallel)
        where T : unmanaged, INumber<T>
    {
        var xs = x.HostArray<T>();
        var vs = values.HostArray<T>();
        var ix = indices.HostArray<long>();
        void Rows(long lo, long hi)
        {
            for (var r = lo; r < hi; r++)
            {
                var baseOff = x.Offset + r * len;
                var best = xs[baseOff];
                var bi = 0;
                if (!T.IsNaN(best))
                {
                    for (var j = 1; j < len; j++)
                    {
                        var v = xs[baseOff + j];
                        if (T.IsNaN(v))
                        {
                            best = v;
                            bi = j;
                            break;
                        }
                        if (max ? v > best : v < best)
                        {
                            best = v;
                            bi = j;
                        }
                    }
                }
                vs[values.Offset + r] = best;
                ix[indices.Offset + r] = bi;
            }
        }
        HostParallel.Chunks(rows, parallel && (long)rows * len >= HostParallel.Grain * 2, Rows);
    }
}
