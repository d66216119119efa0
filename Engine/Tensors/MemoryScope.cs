using Scratch.Backends;

namespace Scratch;

/// <summary>A region of code (typically one training or inference step) whose host tensors draw their buffers from
/// a pool and give them back once they are garbage, so a loop of steps reaches a flat heap: after the first steps
/// every large buffer is a reused one and the collector has no large objects to reclaim.</summary>
/// <remarks>
/// <code>for (var i = 0; i &lt; steps; i++)
/// {
///     using var _ = MemoryScope.Begin();
///     var loss = F.CrossEntropy(model.Forward(x), y);
///     loss.Backward();
///     opt.Step();
///     opt.ZeroGrad();
/// }</code>
/// While a scope is open on a thread, every host tensor of at least <c>8 KiB</c> that this thread allocates gets an
/// array of exactly its size from the pool (zeroed, as <see cref="Tensor.Empty"/> promises) and is tracked. When the
/// outermost scope of the thread is disposed, a blocking gen-0/1 collection runs and the arrays of the tracked
/// storages that are now unreachable return to the pool; tensors still referenced (parameters, gradients, optimizer
/// state, results kept by the caller, views of any of them, tensors saved for a backward pass not yet run) are left
/// alone and checked again at later scope ends. Reuse is therefore never of a buffer something can still reach.
/// One caveat: a tensor made inside a scope and handed to another thread must stay referenced by that thread while
/// it is in use (a local that is used after the op call is enough). Scopes nest; only the outermost sweeps. The
/// sweep costs one young-generation collection, so open scopes around whole steps, not single ops.</remarks>
public sealed class MemoryScope : IDisposable
{
    private readonly int _generation;
    private readonly int _thread;
    private bool _disposed;

    private MemoryScope(int generation)
    {
        (_generation, _thread) = (generation, Environment.CurrentManagedThreadId);
        HostPool.Enter();
    }

    /// <summary>Opens a scope on the current thread.</summary>
    /// <param name="collectGeneration">The generation the closing sweep collects (0–2; default 1). 2 also finds
    /// storages that lived long enough to reach generation 2, at the price of a full collection.</param>
    public static MemoryScope Begin(int collectGeneration = 1)
    {
        if (collectGeneration is < 0 or > 2)
            throw new ArgumentOutOfRangeException(nameof(collectGeneration), collectGeneration,
                "MemoryScope.Begin: collectGeneration expected 0, 1 or 2.");
        return new MemoryScope(collectGeneration);
    }

    /// <summary>True while a scope is open on the current thread.</summary>
    public static bool IsActive => HostPool.Active;

    /// <summary>Pool counters since the process started.</summary>
    public static MemoryPoolStats Stats => HostPool.Stats();

    /// <summary>Releases every free pooled buffer to the garbage collector (buffers in use are unaffected).</summary>
    public static void Trim() => HostPool.Trim();

    /// <summary>Closes the scope; the outermost one returns the buffers of unreachable tensors to the pool.</summary>
    /// <exception cref="InvalidOperationException">Disposed on another thread than the one that opened it (scopes
    /// are per thread: do not await inside one).</exception>
    public void Dispose()
    {
        if (_disposed) return;
        if (Environment.CurrentManagedThreadId != _thread)
            throw new InvalidOperationException(
                $"MemoryScope.Dispose: scope expected to close on the thread that opened it ({_thread}), got thread " +
                $"{Environment.CurrentManagedThreadId}; do not await inside a scope.");
        _disposed = true;
        HostPool.Exit(_generation);
    }
}

/// <summary>Host pool counters.</summary>
/// <param name="Rented">Pooled-size allocations made inside scopes.</param>
/// <param name="Fresh">Of those, the ones that needed a new array (the rest reused one).</param>
/// <param name="Recycled">Allocations served from the pool.</param>
/// <param name="PooledBytes">Bytes held in free arrays now.</param>
/// <param name="Sweeps">Scope-end sweeps so far.</param>
public readonly record struct MemoryPoolStats(long Rented, long Fresh, long Recycled, long PooledBytes, long Sweeps);
