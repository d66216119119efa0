using Scratch.Autograd;
using Scratch.NN;

namespace Scratch.Models.EqCo;

/// <summary>Hyper-parameters shared by <see cref="SiMo"/> and <see cref="MoCoV2"/>.</summary>
/// <param name="K">Negatives per query (SiMo: a column subset of the other B − 1 keys, so K ≤ B − 1; MoCo v2: the
/// queue length).</param>
/// <param name="Alpha">EqCo's equivalent count α; α = K is plain InfoNCE.</param>
/// <param name="Tau">Temperature τ (0.2).</param>
/// <param name="Momentum">EMA momentum of the key network (0.999 in the paper; small data sets train better with
/// a lower one, e.g. 0.99).</param>
/// <param name="Width">Encoder width w (stages w, 2w, 4w).</param>
/// <param name="Dim">Embedding length (128).</param>
/// <param name="ShuffleGroups">MoCo v2 only: the batch is split into this many groups, each normalised by BN
/// separately, emulating per-GPU BN; keys are shuffled across the groups (shuffle-BN).</param>
/// <param name="Symmetric">Also use view 2 as query and view 1 as key and average the two losses.</param>
public sealed record ContrastiveConfig(int K, double Alpha, double Tau = 0.2, double Momentum = 0.999, int Width = 16,
    int Dim = 128, int ShuffleGroups = 4, bool Symmetric = false);

/// <summary>A query network trained by SGD and its EMA key network; subclasses define the negatives.</summary>
public abstract class ContrastiveLearner
{
    /// <summary>Creates both networks from <paramref name="generator"/> (the key net starts as a copy).</summary>
    protected ContrastiveLearner(ContrastiveConfig config, Generator generator)
    {
        if (config.K < 1) throw new ArgumentOutOfRangeException(nameof(config), config.K, $"{GetType().Name}: K must be >= 1, got {config.K}.");
        _ = EqCoLoss.Margin(config.Alpha, config.K, config.Tau);
        Config = config;
        Query = new ContrastiveNet(config.Width, dim: config.Dim, generator: generator);
        Key = new ContrastiveNet(config.Width, dim: config.Dim, generator: generator);
        MomentumEncoder.CopyInto(Query, Key);
    }

    /// <summary>The settings.</summary>
    public ContrastiveConfig Config { get; }

    /// <summary>The trained network (its <see cref="ContrastiveNet.Encoder"/> is the result).</summary>
    public ContrastiveNet Query { get; }

    /// <summary>The EMA network.</summary>
    public ContrastiveNet Key { get; }

    /// <summary>The trainable parameters (the query network's).</summary>
    public IEnumerable<Parameter> Parameters() => Query.Parameters();

    /// <summary>Updates the key network by EMA, then returns the (differentiable) EqCo loss of the two views
    /// <paramref name="view1"/>, <paramref name="view2"/> [B, 1, H, W] of the same B images.</summary>
    public Tensor Step(Tensor view1, Tensor view2, Generator generator)
    {
        if (view1.Rank != 4 || view2.Shape != view1.Shape)
            throw new ShapeMismatchException(GetType().Name, "view2", $"same [B, C, H, W] as view1 {view1.Shape}", view2.Shape.ToString());
        Query.Train();
        Key.Train();
        MomentumEncoder.Update(Query, Key, Config.Momentum);
        if (!Config.Symmetric) return Loss(view1, view2, generator);
        return (Loss(view1, view2, generator) + Loss(view2, view1, generator)) * 0.5;
    }

    /// <summary>The loss with <paramref name="q"/> through the query net and <paramref name="k"/> through the key
    /// net.</summary>
    protected abstract Tensor Loss(Tensor q, Tensor k, Generator generator);

    /// <summary>Key embeddings without gradient.</summary>
    protected Tensor Keys(Tensor x)
    {
        using var _ = GradMode.Disable();
        return Key.Forward(x).Detach();
    }
}

/// <summary>SiMo (simplified MoCo): EMA key network, no queue; the B×B similarity of queries and keys gives the
/// positives on its diagonal and, per row, the other B − 1 keys as negatives, of which one random column subset of
/// size K (shared by all rows, as SiMo's <c>randperm(B−1)[:K]</c>) enters the EqCo loss.</summary>
public sealed class SiMo(ContrastiveConfig config, Generator generator) : ContrastiveLearner(config, generator)
{
    /// <inheritdoc/>
    protected override Tensor Loss(Tensor q, Tensor k, Generator generator)
    {
        var b = q.Size(0);
        if (Config.K > b - 1)
            throw new ArgumentOutOfRangeException(nameof(q), b, $"SiMo: K = {Config.K} needs a batch of at least K + 1 = {Config.K + 1} images, got {b}.");
        var zq = Query.Forward(q);
        var zk = Keys(k);
        var sims = F.Matmul(zq, zk.Transpose(0, 1));                       // [B, B]
        var (pos, neg) = SplitSimilarities(sims, Config.K, generator);
        return EqCoLoss.Compute(pos, neg, Config.Alpha, Config.Tau);
    }

    /// <summary>Positives (the diagonal, [B]) and a shared random subset of K off-diagonal columns ([B, K]) of a
    /// B×B similarity matrix: off-diagonal column j of row i is key j (j &lt; i) or j + 1 (j ≥ i), and the same
    /// K off-diagonal columns <c>randperm(B − 1)[:K]</c> are taken in every row.</summary>
    public static (Tensor Positive, Tensor Negatives) SplitSimilarities(Tensor sims, int k, Generator generator)
    {
        if (sims.Rank != 2 || sims.Size(0) != sims.Size(1))
            throw new ShapeMismatchException("SiMo.SplitSimilarities", "sims", "[B, B]", sims.Shape.ToString());
        var b = sims.Size(0);
        if (k < 1 || k > b - 1)
            throw new ArgumentOutOfRangeException(nameof(k), k, $"SiMo.SplitSimilarities: k must be in [1, {b - 1}], got {k}.");
        var cols = Tensor.Randperm(b - 1, generator).ToArray<long>();
        var idx = new long[(long)b * k];
        for (var i = 0; i < b; i++)
            for (var j = 0; j < k; j++)
                idx[(long)i * k + j] = cols[j] < i ? cols[j] : cols[j] + 1;
        var diag = new long[b];
        for (var i = 0; i < b; i++) diag[i] = i;
        var pos = F.Gather(sims, 1, Tensor.From(diag, new Shape(b, 1), sims.Device)).Squeeze(1);
        var neg = F.Gather(sims, 1, Tensor.From(idx, new Shape(b, k), sims.Device));
        return (pos, neg);
    }
}

/// <summary>MoCo v2: EMA key network, a queue of K past keys as negatives, positives q·k⁺, shuffle-BN emulated on
/// one device (the batch is split into <see cref="ContrastiveConfig.ShuffleGroups"/> groups, each with its own BN
/// statistics; keys are computed on a random permutation of the batch and un-shuffled). The loss is EqCo with the
/// queue as its K negatives (α = K: MoCo's cross-entropy).</summary>
public sealed class MoCoV2 : ContrastiveLearner
{
    /// <summary>Creates the learner and its queue of <see cref="ContrastiveConfig.K"/> random unit keys.</summary>
    public MoCoV2(ContrastiveConfig config, Generator generator) : base(config, generator)
    {
        if (config.ShuffleGroups < 1)
            throw new ArgumentOutOfRangeException(nameof(config), config.ShuffleGroups, $"MoCoV2: ShuffleGroups must be >= 1, got {config.ShuffleGroups}.");
        Queue = new KeyQueue(config.K, config.Dim, generator);
    }

    /// <summary>The negatives.</summary>
    public KeyQueue Queue { get; }

    /// <inheritdoc/>
    protected override Tensor Loss(Tensor q, Tensor k, Generator generator)
    {
        var b = q.Size(0);
        var groups = Math.Min(Config.ShuffleGroups, b);
        var zq = Grouped(Query, q, groups);
        Tensor zk;
        using (GradMode.Disable())
        {
            var perm = Tensor.Randperm(b, generator);
            var inverse = Inverse(perm.ToArray<long>());
            zk = F.IndexSelect(Grouped(Key, F.IndexSelect(k, 0, perm), groups), 0, Tensor.From(inverse)).Detach();
        }
        var pos = (zq * zk).Sum([1]);                                      // [B]
        var neg = F.Matmul(zq, Queue.Contents.To(zq.DType).Transpose(0, 1)); // [B, K]
        var loss = EqCoLoss.Compute(pos, neg, Config.Alpha, Config.Tau);
        Queue.Enqueue(zk);
        return loss;
    }

    /// <summary>Runs <paramref name="net"/> on <paramref name="groups"/> contiguous chunks of the batch
    /// separately (per-chunk BN statistics) and concatenates the outputs.</summary>
    public static Tensor Grouped(Module<Tensor, Tensor> net, Tensor x, int groups) =>
        groups <= 1 ? net.Forward(x) : F.Cat(F.Chunk(x, groups, 0).Select(net.Forward).ToArray(), 0);

    private static long[] Inverse(long[] perm)
    {
        var inv = new long[perm.Length];
        for (var i = 0; i < perm.Length; i++) inv[perm[i]] = i;
        return inv;
    }
}
