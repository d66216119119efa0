using Scratch.Autograd;
using Scratch.Models.EqCo;
using Scratch.NN;
using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.Models.EqCo;

public class EqCoComponentsTests
{
    [Fact]
    public void Ema_update_mixes_parameters_and_leaves_buffers()
    {
        var q = new ContrastiveNet(2, [1], dim: 4, generator: new Generator(1));
        var k = new ContrastiveNet(2, [1], dim: 4, generator: new Generator(2));
        var before = k.NamedState().ToDictionary(s => s.Name, s => s.Value.ToDoubleArray());
        var qs = q.NamedState().ToDictionary(s => s.Name, s => s.Value.ToDoubleArray());
        MomentumEncoder.Update(q, k, 0.9);
        var paramNames = k.NamedParameters().Select(p => p.Name).ToHashSet();
        foreach (var (name, t) in k.NamedState())
        {
            var expected = paramNames.Contains(name)
                ? before[name].Zip(qs[name], (kv, qv) => 0.9 * kv + 0.1 * qv).ToArray()
                : before[name];
            Verify.Close(expected, t.ToDoubleArray(), 1e-6, 1e-5, name);
        }
        MomentumEncoder.Update(q, k, 0);
        foreach (var (name, p) in k.NamedParameters()) Verify.Close(qs[name], p.ToDoubleArray(), 1e-7, 0, name);
        Assert.Contains("momentum", Assert.Throws<ArgumentOutOfRangeException>(() => MomentumEncoder.Update(q, k, 1.5)).Message);
    }

    [Fact]
    public void CopyInto_copies_all_state_and_freezes_the_key_net()
    {
        var q = new ContrastiveNet(2, [1], dim: 4, generator: new Generator(1));
        var k = new ContrastiveNet(2, [1], dim: 4, generator: new Generator(2));
        MomentumEncoder.CopyInto(q, k);
        var qs = q.NamedState().ToDictionary(s => s.Name, s => s.Value.ToDoubleArray());
        foreach (var (name, t) in k.NamedState()) Assert.Equal(qs[name], t.ToDoubleArray());
        Assert.All(k.Parameters(), p => Assert.False(p.RequiresGrad));
        Assert.All(q.Parameters(), p => Assert.True(p.RequiresGrad));
    }

    [Fact]
    public void Queue_overwrites_the_oldest_keys_and_wraps()
    {
        var queue = new KeyQueue(5, 2, new Generator(0));
        var norms = queue.Contents.ToArray<float>().Chunk(2).Select(r => Math.Sqrt(r[0] * r[0] + r[1] * r[1]));
        Assert.All(norms, n => Assert.Equal(1, n, 1e-5));
        queue.Enqueue(Tensor.From(new float[] { 1, 1, 2, 2, 3, 3 }, new Shape(3, 2)));
        Assert.Equal(3, queue.Pointer);
        queue.Enqueue(Tensor.From(new float[] { 4, 4, 5, 5, 6, 6 }, new Shape(3, 2)));
        Assert.Equal(1, queue.Pointer);
        Assert.Equal(new float[] { 6, 6, 2, 2, 3, 3, 4, 4, 5, 5 }, queue.Contents.ToArray<float>());
        queue.Enqueue(Tensor.From(Enumerable.Range(0, 14).Select(i => (float)i).ToArray(), new Shape(7, 2)));
        Assert.Equal(3, queue.Pointer);
        Assert.Equal(new float[] { 8, 9, 10, 11, 12, 13, 4, 5, 6, 7 }, queue.Contents.ToArray<float>());
        Assert.Contains("keys", Assert.Throws<ShapeMismatchException>(() => queue.Enqueue(Tensor.Zeros(new Shape(2, 3)))).Message);
        Assert.Contains("size", Assert.Throws<ArgumentOutOfRangeException>(() => new KeyQueue(0, 2)).Message);
    }

    [Fact]
    public void Knn_monitor_classifies_separated_clusters_and_weights_votes_by_similarity()
    {
        var g = new Generator(3);
        var centres = new[] { new[] { 1.0, 0, 0 }, [0, 1.0, 0], [0, 0, 1.0] };
        FeatureSet Cloud(int n, out long[] labels)
        {
            var data = new float[n * 3];
            labels = new long[n];
            for (var i = 0; i < n; i++)
            {
                labels[i] = i % 3;
                for (var d = 0; d < 3; d++) data[i * 3 + d] = (float)(centres[i % 3][d] + 0.2 * g.NextNormal());
            }
            return new FeatureSet(data, n, 3);
        }
        var bank = Cloud(300, out var bankLabels);
        var queries = Cloud(60, out var queryLabels);
        Assert.Equal(1.0, KnnMonitor.Accuracy(KnnMonitor.Predict(bank, bankLabels, queries, 3, k: 50), queryLabels));
        // 1 very close neighbour of class 0 vs 2 orthogonal ones of class 1: weighted vote picks 0 (e^{1/0.1} ≫ 2e^0).
        var small = new FeatureSet([1, 0, 0, 1, 0, 1], 3, 2);
        Assert.Equal([0], KnnMonitor.Predict(small, [0, 1, 1], new FeatureSet([1, 0], 1, 2), 2, k: 200));
        Assert.Equal([1], KnnMonitor.Predict(small, [0, 1, 1], new FeatureSet([1, 0], 1, 2), 2, k: 200, temperature: 100));
        Assert.Contains("bankLabels", Assert.Throws<ArgumentException>(() => KnnMonitor.Predict(small, [0, 1], small, 2)).Message);
        Assert.Contains("queries", Assert.Throws<ShapeMismatchException>(() => KnnMonitor.Predict(small, [0, 1, 1], new FeatureSet([1, 0, 0], 1, 3), 2)).Message);
        Assert.Contains("k", Assert.Throws<ArgumentOutOfRangeException>(() => KnnMonitor.Predict(small, [0, 1, 1], small, 2, k: 0)).Message);
    }

    [Fact]
    public void Linear_probe_learns_a_linearly_separable_problem()
    {
        var g = new Generator(4);
        FeatureSet Make(int n, out long[] y)
        {
            var x = new float[n * 2];
            y = new long[n];
            for (var i = 0; i < n; i++)
            {
                x[i * 2] = (float)(g.NextDouble() * 2 - 1);
                x[i * 2 + 1] = (float)(g.NextDouble() * 2 - 1) * 100 + 7; // a badly scaled but useless dimension
                y[i] = x[i * 2] > 0 ? 1 : 0;
            }
            return new FeatureSet(x, n, 2);
        }
        var train = Make(400, out var ytr);
        var test = Make(200, out var yte);
        Assert.True(LinearProbe.Run(train, ytr, test, yte, 2, epochs: 20, lr: 0.1, batch: 32) > 0.95);
        Assert.Contains("testLabels", Assert.Throws<ArgumentException>(() => LinearProbe.Run(train, ytr, test, ytr, 2)).Message);
    }

    [Fact]
    public void Encoder_and_projection_shapes()
    {
        var enc = new SmallResNet(4, generator: new Generator(0));
        Assert.Equal(16, enc.FeatureDim);
        Assert.Equal(new Shape(2, 16), enc.Forward(Tensor.Randn(new Shape(2, 1, 32, 32), new Generator(1))).Shape);
        Assert.Equal(new Shape(2, 16), enc.Forward(Tensor.Randn(new Shape(2, 1, 28, 28), new Generator(1))).Shape);
        Assert.All(enc.NamedParameters().Where(p => p.Name.EndsWith(".bn2.weight", StringComparison.Ordinal)),
            p => Assert.All(p.Value.ToDoubleArray(), v => Assert.Equal(0, v)));
        var net = new ContrastiveNet(4, dim: 8, generator: new Generator(0));
        var z = net.Forward(Tensor.Randn(new Shape(3, 1, 32, 32), new Generator(2)));
        Assert.Equal(new Shape(3, 8), z.Shape);
        Assert.All(z.ToArray<float>().Chunk(8), r => Assert.Equal(1, Math.Sqrt(r.Sum(v => v * v)), 1e-5));
        Assert.Contains("width", Assert.Throws<ArgumentOutOfRangeException>(() => new SmallResNet(0)).Message);
        Assert.Contains("blocks", Assert.Throws<ArgumentException>(() => new SmallResNet(4, [])).Message);
        Assert.Contains("input", Assert.Throws<ShapeMismatchException>(() => enc.Forward(Tensor.Zeros(new Shape(2, 32, 32)))).Message);
    }

    [Fact]
    public void L2Normalize_matches_torch()
    {
        // torch 1.13: F.normalize(torch.tensor([[3., 4.], [0., 0.], [1., -1.]]), dim=1)
        var y = ContrastiveNet.L2Normalize(Tensor.From(new float[] { 3, 4, 0, 0, 1, -1 }, new Shape(3, 2)));
        Verify.Close([0.6, 0.8, 0, 0, 0.7071067690849304, -0.7071067690849304], y.ToDoubleArray(), 1e-6);
        Verify.Gradients(x => ContrastiveNet.L2Normalize(x[0]), Tensor.Randn(new Shape(3, 4), new Generator(1), DType.F64));
    }

    [Fact]
    public void SiMo_split_takes_the_diagonal_and_one_shared_off_diagonal_column_subset()
    {
        var sims = Tensor.Arange(0, 36, dtype: DType.F64).Reshape(6, 6); // value = 6·row + column
        var (pos, neg) = SiMo.SplitSimilarities(sims, 3, new Generator(9));
        Assert.Equal(new double[] { 0, 7, 14, 21, 28, 35 }, pos.ToDoubleArray());
        var n = neg.ToDoubleArray();
        var offDiagColumns = new HashSet<string>();
        for (var i = 0; i < 6; i++)
        {
            var cols = Enumerable.Range(0, 3).Select(j => (int)n[i * 3 + j] - 6 * i).ToArray();
            Assert.DoesNotContain(i, cols);
            Assert.Equal(3, cols.Distinct().Count());
            offDiagColumns.Add(string.Join(",", cols.Select(c => c < i ? c : c - 1))); // back to off-diagonal index
        }
        Assert.Single(offDiagColumns);
        Assert.Contains("k", Assert.Throws<ArgumentOutOfRangeException>(() => SiMo.SplitSimilarities(sims, 6, new Generator(0))).Message);
    }

    [Fact]
    public void SiMo_and_MoCo_steps_train_the_query_net_only()
    {
        var g = new Generator(0);
        var x1 = Tensor.Randn(new Shape(8, 1, 32, 32), g);
        var x2 = Tensor.Randn(new Shape(8, 1, 32, 32), g);
        var simo = new SiMo(new ContrastiveConfig(K: 4, Alpha: 7, Width: 2, Dim: 8, Symmetric: true), new Generator(1));
        var loss = simo.Step(x1, x2, g);
        Assert.True(double.IsFinite(loss.Item()));
        loss.Backward();
        Assert.All(simo.Query.Parameters(), p => Assert.NotNull(p.Grad));
        Assert.All(simo.Key.Parameters(), p => Assert.Null(p.Grad));
        Assert.Contains("K + 1", Assert.Throws<ArgumentOutOfRangeException>(() =>
            new SiMo(new ContrastiveConfig(K: 8, Alpha: 8, Width: 2, Dim: 8), g).Step(x1, x2, g)).Message);

        var moco = new MoCoV2(new ContrastiveConfig(K: 12, Alpha: 12, Width: 2, Dim: 8, ShuffleGroups: 2), new Generator(1));
        var before = moco.Queue.Contents.ToArray<float>();
        var l = moco.Step(x1, x2, g);
        l.Backward();
        Assert.True(double.IsFinite(l.Item()));
        Assert.Equal(8, moco.Queue.Pointer);
        Assert.Equal(before.AsSpan(8 * 8).ToArray(), moco.Queue.Contents.ToArray<float>().AsSpan(8 * 8).ToArray());
        Assert.All(moco.Query.Parameters(), p => Assert.NotNull(p.Grad));
        Assert.Contains("view2", Assert.Throws<ShapeMismatchException>(() => moco.Step(x1, Tensor.Zeros(new Shape(4, 1, 32, 32)), g)).Message);
    }

    [Fact]
    public void Grouped_forward_normalises_each_group_separately()
    {
        var bn = new BatchNorm1d(1, affine: false);
        var x = Tensor.From(new float[] { 0, 2, 10, 30 }, new Shape(4, 1));
        using var _ = GradMode.Disable();
        // groups {0, 2} and {10, 30}: each becomes (−1, 1) up to ε.
        Verify.Close([-1, 1, -1, 1], MoCoV2.Grouped(bn, x, 2).ToDoubleArray(), 1e-3);
    }

    [Fact]
    public void Augment_views_have_the_right_shape_and_plain_input_is_padded_and_normalised()
    {
        var g = new Generator(0);
        var images = Enumerable.Range(0, 3 * 784).Select(_ => (float)g.NextDouble()).ToArray();
        var aug = new GreyAugment(mean: 0.5f, std: 0.25f);
        var (a, b) = aug.TwoViews(images, [2, 0], new Generator(1));
        Assert.Equal(new Shape(2, 1, 32, 32), a.Shape);
        Assert.Equal(new Shape(2, 1, 32, 32), b.Shape);
        Assert.NotEqual(a.ToArray<float>(), b.ToArray<float>());
        Assert.All(a.ToArray<float>(), v => Assert.True(float.IsFinite(v) && v >= -2.0001f && v <= 2.0001f, $"{v}"));
        var (a2, _) = aug.TwoViews(images, [2, 0], new Generator(1));
        Assert.Equal(a.ToArray<float>(), a2.ToArray<float>());
        var p = aug.Plain(images, [1]).ToArray<float>();
        Assert.Equal(-2f, p[0]);                                             // border: (0 − 0.5)/0.25
        Assert.Equal((images[784 + 5 * 28 + 7] - 0.5f) / 0.25f, p[(5 + 2) * 32 + 7 + 2], 6);
        Assert.Contains("index", Assert.Throws<ArgumentOutOfRangeException>(() => aug.Plain(images, [3])).Message);
    }
}
