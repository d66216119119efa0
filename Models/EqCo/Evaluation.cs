using Scratch.Autograd;
using Scratch.NN;
using Scratch.Optim;
using Scratch.Optim.Schedules;

namespace Scratch.Models.EqCo;

/// <summary>A feature matrix: <see cref="Data"/> holds <see cref="Count"/> rows of <see cref="Dim"/> floats.</summary>
public sealed record FeatureSet(float[] Data, int Count, int Dim)
{
    /// <summary>The flattened raw pixels of images given as consecutive blocks of <paramref name="pixels"/>
    /// floats (the raw-pixel baseline).</summary>
    public static FeatureSet FromPixels(float[] images, int pixels)
    {
        if (pixels < 1 || images.Length % pixels != 0)
            throw new ArgumentException($"FeatureSet.FromPixels: {images.Length} values are not a whole number of {pixels}-pixel images.", nameof(pixels));
        return new FeatureSet(images, images.Length / pixels, pixels);
    }

    /// <summary>Encoder features of every image (encoder in eval mode, no gradient), on the un-augmented
    /// <see cref="GreyAugment.Plain"/> input, in chunks of <paramref name="batch"/>.</summary>
    public static FeatureSet Embed(Module<Tensor, Tensor> encoder, GreyAugment augment, float[] images, int batch = 500)
    {
        const int pixels = GreyAugment.InputSize * GreyAugment.InputSize;
        var n = images.Length / pixels;
        var wasTraining = encoder.Training;
        encoder.Eval();
        using var _ = GradMode.Disable();
        float[]? data = null;
        var dim = 0;
        for (var start = 0; start < n; start += batch)
        {
            var idx = new long[Math.Min(batch, n - start)];
            for (var i = 0; i < idx.Length; i++) idx[i] = start + i;
            var f = encoder.Forward(augment.Plain(images, idx)).To(DType.F32).ToArray<float>();
            dim = f.Length / idx.Length;
            data ??= new float[(long)n * dim];
            Array.Copy(f, 0, data, (long)start * dim, f.Length);
        }
        encoder.Train(wasTraining);
        return new FeatureSet(data ?? [], n, dim);
    }
}

/// <summary>The weighted k-nearest-neighbour monitor of instance-discrimination papers (Wu et al. 2018, MoCo's
/// kNN monitor): features are L2-normalised; each query takes its <c>k</c> most cosine-similar bank entries, each
/// votes for its label with weight exp(s/T); the class with the largest total wins.</summary>
public static class KnnMonitor
{
    /// <summary>Predicted labels of <paramref name="queries"/> from the labelled <paramref name="bank"/>.</summary>
    /// <param name="bank">Reference features (e.g. the training set).</param>
    /// <param name="bankLabels">Labels in [0, <paramref name="classes"/>), one per bank row.</param>
    /// <param name="queries">Features to classify (same Dim).</param>
    /// <param name="classes">Number of classes.</param>
    /// <param name="k">Neighbours (200; clipped to the bank size).</param>
    /// <param name="temperature">T of the vote weights exp(s/T) (0.1).</param>
    public static int[] Predict(FeatureSet bank, IReadOnlyList<long> bankLabels, FeatureSet queries, int classes,
        int k = 200, double temperature = 0.1)
    {
        if (bankLabels.Count != bank.Count)
            throw new ArgumentException($"KnnMonitor: bankLabels has {bankLabels.Count} entries, expected {bank.Count}.", nameof(bankLabels));
        if (queries.Dim != bank.Dim)
            throw new ShapeMismatchException("KnnMonitor", "queries", $"[Q, {bank.Dim}]", $"[{queries.Count}, {queries.Dim}]");
        if (k < 1) throw new ArgumentOutOfRangeException(nameof(k), k, $"KnnMonitor: k must be >= 1, got {k}.");
        if (classes < 1) throw new ArgumentOutOfRangeException(nameof(classes), classes, $"KnnMonitor: classes must be >= 1, got {classes}.");
        if (!(temperature > 0)) throw new ArgumentOutOfRangeException(nameof(temperature), temperature, $"KnnMonitor: temperature must be > 0, got {temperature}.");
        foreach (var l in bankLabels)
            if (l < 0 || l >= classes) throw new ArgumentOutOfRangeException(nameof(bankLabels), l, $"KnnMonitor: labels must be in [0, {classes}), got {l}.");
        k = Math.Min(k, bank.Count);
        var bt = ContrastiveNet.L2Normalize(Tensor.From(bank.Data, new Shape(bank.Count, bank.Dim))).Transpose(0, 1).Contiguous();
        var pred = new int[queries.Count];
        const int chunk = 256;
        for (var start = 0; start < queries.Count; start += chunk)
        {
            var rows = Math.Min(chunk, queries.Count - start);
            var q = Tensor.From(queries.Data.AsSpan(start * queries.Dim, rows * queries.Dim).ToArray(), new Shape(rows, queries.Dim));
            var s = F.Matmul(ContrastiveNet.L2Normalize(q), bt).ToArray<float>();
            Parallel.For(0, rows, r =>
            {
                var row = s.AsSpan(r * bank.Count, bank.Count);
                var top = new PriorityQueue<int, float>(k + 1);
                for (var j = 0; j < row.Length; j++)
                {
                    if (top.Count < k) top.Enqueue(j, row[j]);
                    else if (row[j] > row[top.Peek()]) { top.Dequeue(); top.Enqueue(j, row[j]); }
                }
                var votes = new double[classes];
                while (top.TryDequeue(out var j, out var sim)) votes[bankLabels[j]] += Math.Exp(sim / temperature);
                var best = 0;
                for (var c = 1; c < classes; c++) if (votes[c] > votes[best]) best = c;
                pred[start + r] = best;
            });
        }
        return pred;
    }

    /// <summary>Fraction of <paramref name="predicted"/> equal to <paramref name="labels"/>.</summary>
    public static double Accuracy(IReadOnlyList<int> predicted, IReadOnlyList<long> labels)
    {
        if (predicted.Count != labels.Count)
            throw new ArgumentException($"KnnMonitor.Accuracy: {predicted.Count} predictions for {labels.Count} labels.", nameof(labels));
        var hit = 0;
        for (var i = 0; i < labels.Count; i++) if (predicted[i] == labels[i]) hit++;
        return labels.Count == 0 ? 0 : (double)hit / labels.Count;
    }
}

/// <summary>Linear evaluation on frozen features: the features are standardised with the training set's
/// per-dimension mean and standard deviation, then a linear classifier (weights N(0, 0.01), bias 0) is trained by
/// SGD (momentum 0.9, no weight decay, cosine learning rate) with softmax cross-entropy. The same code serves
/// the learned encoder, the random encoder and the raw-pixel baselines.</summary>
/// <remarks>Deviation from the paper's protocol: features are extracted once from un-augmented images (no crop
/// or flip during probe training), and standardised so one learning rate fits every feature source.</remarks>
public static class LinearProbe
{
    /// <summary>Trains on (<paramref name="train"/>, <paramref name="trainLabels"/>) and returns the test top-1
    /// accuracy.</summary>
    public static double Run(FeatureSet train, IReadOnlyList<long> trainLabels, FeatureSet test, IReadOnlyList<long> testLabels,
        int classes, int epochs = 30, double lr = 0.1, int batch = 256, Generator? generator = null)
    {
        if (trainLabels.Count != train.Count)
            throw new ArgumentException($"LinearProbe: trainLabels has {trainLabels.Count} entries, expected {train.Count}.", nameof(trainLabels));
        if (testLabels.Count != test.Count)
            throw new ArgumentException($"LinearProbe: testLabels has {testLabels.Count} entries, expected {test.Count}.", nameof(testLabels));
        if (test.Dim != train.Dim) throw new ShapeMismatchException("LinearProbe", "test", $"[N, {train.Dim}]", $"[{test.Count}, {test.Dim}]");
        if (epochs < 1) throw new ArgumentOutOfRangeException(nameof(epochs), epochs, $"LinearProbe: epochs must be >= 1, got {epochs}.");
        if (batch < 1) throw new ArgumentOutOfRangeException(nameof(batch), batch, $"LinearProbe: batch must be >= 1, got {batch}.");
        generator ??= new Generator(0);
        var d = train.Dim;
        var (mean, std) = Moments(train);
        var xtr = Standardize(train, mean, std);
        var xte = Standardize(test, mean, std);
        var ytr = trainLabels.ToArray();
        var fc = new Linear(d, classes, generator: generator);
        Init.Normal_(fc.Weight, 0, 0.01, generator);
        Init.Constant_(fc.Bias!, 0);
        var opt = new Sgd(fc.Parameters(), lr: lr, momentum: 0.9);
        var steps = (train.Count + batch - 1) / batch;
        var schedule = new CosineLr(lr, (long)steps * epochs);
        long step = 0;
        for (var e = 0; e < epochs; e++)
        {
            var order = Tensor.Randperm(train.Count, generator).ToArray<long>();
            for (var b = 0; b < steps; b++)
            {
                var n = Math.Min(batch, train.Count - b * batch);
                var x = new float[n * d];
                var y = new long[n];
                for (var i = 0; i < n; i++)
                {
                    var j = order[b * batch + i];
                    Array.Copy(xtr, j * d, x, (long)i * d, d);
                    y[i] = ytr[j];
                }
                schedule.Apply(opt, step++);
                opt.ZeroGrad();
                F.CrossEntropy(fc.Forward(Tensor.From(x, new Shape(n, d))), Tensor.From(y)).Backward();
                opt.Step();
            }
        }
        using var _ = GradMode.Disable();
        var logits = fc.Forward(Tensor.From(xte, new Shape(test.Count, d))).ToArray<float>();
        var hit = 0;
        for (var i = 0; i < test.Count; i++)
        {
            var row = logits.AsSpan(i * classes, classes);
            var best = 0;
            for (var c = 1; c < classes; c++) if (row[c] > row[best]) best = c;
            if (best == testLabels[i]) hit++;
        }
        return test.Count == 0 ? 0 : (double)hit / test.Count;
    }

    private static (double[] Mean, double[] Std) Moments(FeatureSet f)
    {
        var mean = new double[f.Dim];
        var sq = new double[f.Dim];
        for (var i = 0; i < f.Count; i++)
            for (var j = 0; j < f.Dim; j++)
            {
                double v = f.Data[(long)i * f.Dim + j];
                mean[j] += v;
                sq[j] += v * v;
            }
        var std = new double[f.Dim];
        for (var j = 0; j < f.Dim; j++)
        {
            mean[j] /= Math.Max(1, f.Count);
            std[j] = Math.Sqrt(Math.Max(0, sq[j] / Math.Max(1, f.Count) - mean[j] * mean[j])) + 1e-6;
        }
        return (mean, std);
    }

    private static float[] Standardize(FeatureSet f, double[] mean, double[] std)
    {
        var x = new float[f.Data.Length];
        for (long i = 0; i < x.Length; i++)
        {
            var j = (int)(i % f.Dim);
            x[i] = (float)((f.Data[i] - mean[j]) / std[j]);
        }
        return x;
    }
}
