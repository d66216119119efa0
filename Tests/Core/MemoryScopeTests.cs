using System.Runtime.CompilerServices;
using Scratch.NN;
using Scratch.Optim;
using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.Core;

/// <summary>The host buffer pool behind <see cref="MemoryScope"/>: a train loop stops allocating large buffers, results
/// do not change, and nothing still reachable is ever reused.</summary>
[Collection("MemoryScope")] // the pool counters are process-wide: keep these tests sequential
public class MemoryScopeTests
{
    private sealed class Net
    {
        public readonly Conv2d Conv;
        public readonly BatchNorm2d Bn;
        public readonly Linear Fc;

        public Net(ulong seed)
        {
            var g = new Generator(seed);
            (Conv, Bn, Fc) = (new Conv2d(4, 8, 3, padding: 1, generator: g), new BatchNorm2d(8),
                new Linear(8 * 16 * 16, 3, generator: g));
        }

        public IEnumerable<Tensor> Parameters() =>
            Conv.Parameters().Concat(Bn.Parameters()).Concat(Fc.Parameters());

        public Tensor Loss(Tensor x, Tensor labels)
        {
            var h = F.Relu(Bn.Forward(Conv.Forward(x)));
            h = F.MaxPool2d(h, 2, 2);
            return F.CrossEntropy(Fc.Forward(h.Reshape(x.Size(0), -1)), labels);
        }
    }

    private static (Tensor X, Tensor Labels) Batch() =>
        (Values.Uniform(new Shape(2, 4, 32, 32), 3, DType.F32, -1, 1), Tensor.From(new long[] { 0, 2 }));

    /// <summary>Runs <paramref name="steps"/> SGD steps, each in its own scope when <paramref name="pooled"/>;
    /// returns the losses.</summary>
    private static double[] Train(Net net, int steps, bool pooled, Sgd? optimizer = null)
    {
        var (x, labels) = Batch();
        var sgd = optimizer ?? new Sgd(net.Parameters(), lr: 0.05, momentum: 0.9);
        var losses = new double[steps];
        for (var i = 0; i < steps; i++)
        {
            using var scope = pooled ? MemoryScope.Begin() : null;
            var loss = net.Loss(x, labels);
            loss.Backward();
            sgd.Step();
            sgd.ZeroGrad();
            losses[i] = loss.Item();
        }
        return losses;
    }

    [Fact]
    public void A_train_loop_in_scopes_reaches_a_flat_heap_and_the_same_losses()
    {
        var plain = Train(new Net(1), 12, pooled: false);
        var net = new Net(1);
        var sgd = new Sgd(net.Parameters(), lr: 0.05, momentum: 0.9);
        Train(net, 3, pooled: true, sgd); // warm-up: the pool fills, the momentum buffers appear
        var before = MemoryScope.Stats;
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        Train(net, 9, pooled: true, sgd);
        var after = MemoryScope.Stats;
        var perStep = (GC.GetAllocatedBytesForCurrentThread() - allocated) / 9.0;
        Assert.True(after.Rented - before.Rented > 9 * 10, $"expected pooled allocations, got {after.Rented - before.Rented}");
        Assert.Equal(0, after.Fresh - before.Fresh); // every large buffer after warm-up is a reused one

        var unpooled = GC.GetAllocatedBytesForCurrentThread();
        Train(new Net(1), 3, pooled: false);
        var perStepUnpooled = (GC.GetAllocatedBytesForCurrentThread() - unpooled) / 3.0;
        Assert.True(perStep < perStepUnpooled / 2,
            $"pooled steps allocate {perStep:0} bytes each, unpooled {perStepUnpooled:0}");

        var again = new Net(1);
        var pooledLosses = Train(again, 12, pooled: true);
        Assert.Equal(plain, pooledLosses);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Garbage(int count, int numel)
    {
        for (var i = 0; i < count; i++) Tensor.Full(new Shape(numel), 7.0);
    }

    [Fact]
    public void Reachable_tensors_and_views_keep_their_buffers()
    {
        const int numel = 5000;
        Tensor kept, view;
        using (MemoryScope.Begin())
        {
            kept = Tensor.Full(new Shape(numel), 1.0);
            view = Tensor.Full(new Shape(numel), 2.0).Slice(0, 10, 20);
            Garbage(4, numel);
        }
        for (var round = 0; round < 3; round++)
        {
            using (MemoryScope.Begin()) Garbage(8, numel);
        }
        Assert.All(kept.ToDoubleArray(), v => Assert.Equal(1.0, v));
        Assert.All(view.ToDoubleArray(), v => Assert.Equal(2.0, v));
    }

    [Fact]
    public void Reused_buffers_come_back_zeroed()
    {
        const int numel = 4099;
        using (MemoryScope.Begin()) Garbage(3, numel);
        var before = MemoryScope.Stats;
        Tensor z;
        using (MemoryScope.Begin()) z = Tensor.Zeros(new Shape(numel)) + 0;
        Assert.True(MemoryScope.Stats.Recycled > before.Recycled);
        Assert.All(z.ToDoubleArray(), v => Assert.Equal(0.0, v));
    }

    /// <summary>An op output allocated without zeroing reuses a pooled buffer as it is (here NaN, the suite's poison
    /// for such buffers), while zeros still come back zeroed from the same pool.</summary>
    [Fact]
    public void Unzeroed_outputs_skip_the_fill_and_zeros_keep_it()
    {
        const int numel = 4103;
        using (MemoryScope.Begin()) Garbage(4, numel);
        var before = MemoryScope.Stats;
        Tensor u, z;
        using (MemoryScope.Begin())
        {
            u = Tensor.Uninitialized(new Shape(numel), DType.F32, Device.Cpu);
            z = Tensor.Zeros(new Shape(numel));
            Assert.All(u.ToDoubleArray(), v => Assert.True(double.IsNaN(v), $"expected the poison, got {v}"));
            Assert.All(z.ToDoubleArray(), v => Assert.Equal(0.0, v));
        }
        Assert.True(MemoryScope.Stats.Recycled >= before.Recycled + 2, "both buffers should come from the pool");
        Assert.All(Tensor.Uninitialized(new Shape(numel), DType.F64, Device.Cpu).ToDoubleArray(),
            v => Assert.True(double.IsNaN(v), $"a fresh unzeroed array should be poisoned too, got {v}"));
    }

    [Fact]
    public void Nested_scopes_sweep_once_at_the_outermost_end()
    {
        var before = MemoryScope.Stats.Sweeps;
        using (MemoryScope.Begin())
        {
            using (MemoryScope.Begin()) Garbage(2, 3000);
            Assert.True(MemoryScope.IsActive);
            Assert.Equal(before, MemoryScope.Stats.Sweeps);
        }
        Assert.False(MemoryScope.IsActive);
        Assert.Equal(before + 1, MemoryScope.Stats.Sweeps);
    }

    [Fact]
    public void A_scope_must_close_on_its_own_thread()
    {
        var scope = MemoryScope.Begin();
        Exception? e = null;
        var other = new Thread(() => e = Record.Exception(scope.Dispose));
        other.Start();
        other.Join();
        Assert.IsType<InvalidOperationException>(e);
        Assert.Contains("MemoryScope.Dispose", e.Message);
        scope.Dispose();
        Assert.False(MemoryScope.IsActive);
    }

    [Fact]
    public void A_bad_collect_generation_names_the_argument()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => MemoryScope.Begin(3));
        Assert.Equal("collectGeneration", e.ParamName);
        Assert.Contains("collectGeneration", e.Message);
    }
}
