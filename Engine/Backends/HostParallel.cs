namespace Scratch.Backends;

/// <summary>Splits flat index ranges across cores when the work is large enough to pay for it.</summary>
internal static class HostParallel
{
    /// <summary>Elements below which one thread does the whole range.</summary>
    public const long Grain = 1 << 15;

    /// <summary>Calls <paramref name="body"/>(lo, hi) over [0, n) in chunks, in parallel when large.</summary>
    public static void Chunks(long n, bool parallel, Action<long, long> body)
    {
        if (!parallel || n < 2 * Grain)
        {
            body(0, n);
            return;
        }
        var chunks = (int)Math.Min(Environment.ProcessorCount * 4L, n / Grain);
        var size = (n + chunks - 1) / chunks;
        Parallel.For(0, chunks, c =>
        {
            var lo = c * size;
            var hi = Math.Min(n, lo + size);
            if (lo < hi) body(lo, hi);
        });
    }
}
