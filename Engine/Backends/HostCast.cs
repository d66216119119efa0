using System.Numerics;

namespace Scratch.Backends;

/// <summary>Dtype conversion and fill for host tensors (shared by the Reference and CPU backends).</summary>
internal static class HostCast
{
    public static void Run(Tensor src, Tensor dst, bool parallel)
    {
        switch (src.Storage)
        {
            case HostStorage<float>: From<float>(src, dst, parallel); break;
            case HostStorage<double>: From<double>(src, dst, parallel); break;
            case HostStorage<int>: From<int>(src, dst, parallel); break;
            case HostStorage<long>: From<long>(src, dst, parallel); break;
            default: From<byte>(src, dst, parallel); break;
        }
    }

    private static void From<TS>(Tensor src, Tensor dst, bool parallel) where TS : unmanaged, INumber<TS>
    {
        switch (dst.DType)
        {
            case DType.F32: Convert<TS, float>(src, dst, parallel); break;
            case DType.F64: Convert<TS, double>(src, dst, parallel); break;
            case DType.I32: Convert<TS, int>(src, dst, parallel); break;
            case DType.I64: Convert<TS, long>(src, dst, parallel); break;
            case DType.U8: Convert<TS, byte>(src, dst, parallel); break;
            default: ToBool<TS>(src, dst); break;
        }
    }

    private static void Convert<TS, TD>(Tensor src, Tensor dst, bool parallel)
        where TS : unmanaged, INumber<TS> where TD : unmanaged, INumber<TD>
    {
        var s = src.HostArray<TS>();
        var d = dst.HostArray<TD>();
        long so = src.Offset, dOff = dst.Offset, n = dst.Numel;
        void Chunk(long lo, long hi)
        {
            for (var i = lo; i < hi; i++) d[dOff + i] = TD.CreateTruncating(s[so + i]);
        }
        HostParallel.Chunks(n, parallel, Chunk);
    }

    private static void ToBool<TS>(Tensor src, Tensor dst) where TS : unmanaged, INumber<TS>
    {
        var s = src.HostArray<TS>();
        var d = dst.HostArray<byte>();
        for (long i = 0; i < dst.Numel; i++) d[dst.Offset + i] = s[src.Offset + i] != TS.Zero ? (byte)1 : (byte)0;
    }

    public static void Fill(Tensor dst, double value)
    {
        var n = (int)dst.Numel;
        var o = (int)dst.Offset;
        switch (dst.Storage)
        {
            case HostStorage<float> f: Array.Fill(f.Data, (float)value, o, n); break;
            case HostStorage<double> f: Array.Fill(f.Data, value, o, n); break;
            case HostStorage<int> f: Array.Fill(f.Data, (int)value, o, n); break;
            case HostStorage<long> f: Array.Fill(f.Data, (long)value, o, n); break;
            case HostStorage<byte> f:
                Array.Fill(f.Data, dst.DType == DType.Bool ? (value != 0 ? (byte)1 : (byte)0) : (byte)value, o, n);
                break;
        }
    }
}
