using System.Diagnostics;
using System.Globalization;
using Scratch.Optim;
using Scratch.Optim.Schedules;

namespace Scratch.Models.EqCo;

/// <summary>Which contrastive method <see cref="Pretrainer"/> trains.</summary>
public enum ContrastiveMethod
{
    /// <summary>SiMo: in-batch negatives (K ≤ B − 1).</summary>
    SiMo,

    /// <summary>MoCo v2: a queue of K negatives.</summary>
    MoCoV2,
}

/// <summary>Settings of a pre-training run.</summary>
/// <param name="Method">SiMo or MoCo v2.</param>
/// <param name="Model">Loss and network settings.</param>
/// <param name="Epochs">Passes over the (unlabelled) training images.</param>
/// <param name="Batch">Images per step (SiMo needs ≥ K + 1).</param>
/// <param name="Lr">Peak SGD learning rate (linear warm-up, then cosine to 0).</param>
/// <param name="WeightDecay">SGD weight decay (on every parameter, as SiMo's config).</param>
/// <param name="WarmupSteps">Warm-up steps.</param>
/// <param name="Seed">Seed of initialisation, shuffling, augmentation and negative subsets.</param>
public sealed record PretrainOptions(ContrastiveMethod Method, ContrastiveConfig Model, int Epochs = 10, int Batch = 256,
    double Lr = 0.06, double WeightDecay = 5e-4, int WarmupSteps = 10, ulong Seed = 0);

/// <summary>Images in [0, 1] (N consecutive 28×28 blocks) with labels (used only by the monitor and the probe).</summary>
public sealed record LabelledImages(float[] Pixels, long[] Labels)
{
    /// <summary>Number of images.</summary>
    public int Count => Labels.Length;

    /// <summary>The first <paramref name="n"/> images.</summary>
    public LabelledImages Take(int n)
    {
        n = Math.Min(n, Count);
        const int p = GreyAugment.InputSize * GreyAugment.InputSize;
        return new LabelledImages(Pixels.AsSpan(0, n * p).ToArray(), Labels.AsSpan(0, n).ToArray());
    }
}

/// <summary>The SiMo / MoCo v2 training loop with a per-epoch kNN monitor.</summary>
public static class Pretrainer
{
    /// <summary>Creates the learner for <paramref name="options"/>.</summary>
    public static ContrastiveLearner CreateLearner(PretrainOptions options, Generator generator) => options.Method switch
    {
        ContrastiveMethod.SiMo => new SiMo(options.Model, generator),
        _ => new MoCoV2(options.Model, generator),
    };

    /// <summary>Trains on <paramref name="train"/> (labels unused) and, after each epoch, reports the kNN
    /// accuracy of the query encoder's features of <paramref name="monitorBank"/> → <paramref name="monitorQueries"/>
    /// through <paramref name="log"/>; returns the learner.</summary>
    public static ContrastiveLearner Run(PretrainOptions options, LabelledImages train, LabelledImages monitorBank,
        LabelledImages monitorQueries, Action<string> log)
    {
        if (options.Epochs < 1) throw new ArgumentOutOfRangeException(nameof(options), options.Epochs, $"Pretrainer: Epochs must be >= 1, got {options.Epochs}.");
        if (options.Method == ContrastiveMethod.SiMo && options.Batch < options.Model.K + 1)
            throw new ArgumentOutOfRangeException(nameof(options), options.Batch, $"Pretrainer: SiMo with K = {options.Model.K} needs a batch >= {options.Model.K + 1}, got {options.Batch}.");
        if (train.Count < options.Batch)
            throw new ArgumentOutOfRangeException(nameof(train), train.Count, $"Pretrainer: need at least one full batch of {options.Batch} images, got {train.Count}.");
        var gen = new Generator(options.Seed);
        var learner = CreateLearner(options, gen);
        var augment = new GreyAugment();
        var opt = new Sgd(learner.Parameters(), lr: options.Lr, momentum: 0.9, weightDecay: options.WeightDecay);
        var steps = train.Count / options.Batch; // drop the last partial batch (SiMo needs B > K)
        var total = (long)steps * options.Epochs;
        var schedule = new WarmupLr(new CosineLr(options.Lr, total), Math.Min(options.WarmupSteps, total), warmupFactor: 0.01);
        long step = 0;
        for (var epoch = 1; epoch <= options.Epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            var order = Tensor.Randperm(train.Count, gen).ToArray<long>();
            double lossSum = 0;
            for (var b = 0; b < steps; b++)
            {
                var (v1, v2) = augment.TwoViews(train.Pixels, order.AsSpan(b * options.Batch, options.Batch), gen);
                schedule.Apply(opt, step++);
                opt.ZeroGrad();
                var loss = learner.Step(v1, v2, gen);
                loss.Backward();
                opt.Step();
                lossSum += loss.Item();
            }
            var knn = KnnAccuracy(learner.Query.Encoder, augment, monitorBank, monitorQueries);
            log(string.Create(CultureInfo.InvariantCulture,
                $"epoch {epoch}/{options.Epochs}: loss {lossSum / steps:F4}, kNN(200) {100 * knn:F2}% ({clock.Elapsed.TotalSeconds:F1} s)"));
        }
        return learner;
    }

    /// <summary>kNN (k = 200, T = 0.1) accuracy of <paramref name="encoder"/> features: bank → queries.</summary>
    public static double KnnAccuracy(Scratch.NN.Module<Tensor, Tensor> encoder, GreyAugment augment, LabelledImages bank,
        LabelledImages queries)
    {
        var fb = FeatureSet.Embed(encoder, augment, bank.Pixels);
        var fq = FeatureSet.Embed(encoder, augment, queries.Pixels);
        return KnnMonitor.Accuracy(KnnMonitor.Predict(fb, bank.Labels, fq, 10), queries.Labels);
    }
}
