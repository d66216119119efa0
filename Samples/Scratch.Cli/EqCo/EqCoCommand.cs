using System.Diagnostics;
using System.Globalization;
using Scratch.Cli.Data;
using Scratch.IO;
using Scratch.NN;
using Scratch.Models.EqCo;

namespace Scratch.Cli.EqCo;

/// <summary><c>scratch train simo|mocov2 ...</c> (contrastive pre-training on Fashion-MNIST, labels unused) and
/// <c>scratch eval linear --weights W ...</c> (linear probe of a saved encoder plus the raw-pixel and
/// random-encoder baselines).</summary>
internal static class EqCoCommand
{
    /// <summary>Usage text.</summary>
    public const string Usage =
        "usage: scratch train simo|mocov2 --k K --alpha A --epochs E --out RUN [options]\n" +
        "       scratch eval linear --weights RUN/encoder.safetensors [options]\n" +
        "train options:\n" +
        "  --k K              negatives per query (SiMo: <= batch - 1; MoCo v2: queue length)\n" +
        "  --alpha A          EqCo's alpha (default: K, i.e. plain InfoNCE)\n" +
        "  --epochs E         passes over the training images (default 10)\n" +
        "  --out RUN          output folder: encoder.safetensors, log.txt\n" +
        "  --train-count N    use the first N training images (default all)\n" +
        "  --width W          encoder width (stages W, 2W, 4W; default 16)\n" +
        "  --batch B          batch size (default 256)\n" +
        "  --lr LR            peak SGD learning rate (default 0.06)\n" +
        "  --momentum M       key-encoder EMA momentum (default 0.99)\n" +
        "  --groups G         MoCo v2 shuffle-BN groups (default 4)\n" +
        "  --symmetric        also swap the views and average the two losses\n" +
        "  --monitor-count N  kNN bank size (training images, default min(N, 10000)); --test-count M test images (default all)\n" +
        "  --probe-epochs P   linear-probe epochs after training (default 30; 0 to skip)\n" +
        "eval options: --width W (default: from the file), --train-count N, --test-count M, --probe-epochs P,\n" +
        "  --probe-lr LR (default 0.1), --no-baselines\n" +
        "common: --seed S (default 0), --threads T, --full | --embedded (data source; default: full set if installed)";

    /// <summary>Whether <paramref name="args"/> (the whole command line) is one of this command's verbs.</summary>
    public static bool Handles(string[] args) =>
        args.Length > 1 && ((args[0] == "train" && args[1] is "simo" or "mocov2") || (args[0] == "eval" && args[1] == "linear"));

    /// <summary>Runs <c>train simo|mocov2</c> or <c>eval linear</c>; <paramref name="args"/> is the whole command
    /// line. Returns the exit code.</summary>
    public static int Run(string[] args)
    {
        var rest = args[2..];
        if (rest.Contains("--help") || rest.Contains("-h"))
        {
            Console.WriteLine(Usage);
            return 0;
        }
        var name = $"{args[0]} {args[1]}";
        try
        {
            var strings = TakeStrings(ref rest, ["out", "weights"]);
            var p = new ArgParser(name, rest,
                ["k", "alpha", "epochs", "train-count", "width", "batch", "lr", "momentum", "groups", "monitor-count",
                 "test-count", "probe-epochs", "probe-lr", "seed", "threads"],
                ["symmetric", "full", "embedded", "no-baselines"]);
            if (ThreadLimit.Enforce(p.Int("threads", 0, min: 0)) is { } exit) return exit;
            return args[0] == "train" ? Train(args[1], p, strings) : EvalLinear(p, strings);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"scratch {e.Message}\n{Usage}");
            return 2;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"scratch {name}: {e.Message}");
            return 1;
        }
    }

    private static int Train(string method, ArgParser p, Dictionary<string, string> strings)
    {
        if (!strings.TryGetValue("out", out var outDir)) throw new ArgumentException("train: --out RUN is required.");
        var k = p.Int("k", method == "simo" ? 255 : 4096);
        var batch = p.Int("batch", 256);
        var width = p.Int("width", 16);
        if (method == "simo" && k > batch - 1)
            throw new ArgumentException($"train simo: --k {k} needs --batch >= {k + 1} (the negatives are the other images of the batch), got {batch}.");
        var seed = p.ULong("seed", 0);
        var model = new ContrastiveConfig(k, p.Double("alpha", k), Momentum: p.Double("momentum", 0.99), Width: width,
            ShuffleGroups: p.Int("groups", 4), Symmetric: p.Flag("symmetric"));
        var options = new PretrainOptions(method == "simo" ? ContrastiveMethod.SiMo : ContrastiveMethod.MoCoV2, model,
            p.Int("epochs", 10), batch, p.Double("lr", 0.06), Seed: seed);
        var (train, test, origin) = LoadData(p);
        train = train.Take(p.Int("train-count", train.Count));
        test = test.Take(p.Int("test-count", test.Count));
        var bank = train.Take(p.Int("monitor-count", Math.Min(train.Count, 10000)));
        Directory.CreateDirectory(outDir);
        using var logFile = new StreamWriter(Path.Combine(outDir, "log.txt"));
        void Log(string line)
        {
            Console.WriteLine(line);
            logFile.WriteLine(line);
            logFile.Flush();
        }
        Log(string.Create(CultureInfo.InvariantCulture,
            $"{method}: K {k}, alpha {model.Alpha}, tau {model.Tau}, momentum {model.Momentum}, width {width}, batch {batch}, lr {options.Lr}, epochs {options.Epochs}, seed {seed}, symmetric {model.Symmetric}; Fashion-MNIST ({origin}): {train.Count} train, kNN bank {bank.Count}, {test.Count} test; {Environment.ProcessorCount} cores"));
        var clock = Stopwatch.StartNew();
        var learner = Pretrainer.Run(options, train, bank, test, Log);
        var weights = Path.Combine(outDir, "encoder.safetensors");
        learner.Query.Encoder.SaveSafetensors(weights, new Dictionary<string, string>
        {
            ["width"] = width.ToString(CultureInfo.InvariantCulture),
            ["method"] = method,
            ["k"] = k.ToString(CultureInfo.InvariantCulture),
            ["alpha"] = model.Alpha.ToString("R", CultureInfo.InvariantCulture),
            ["seed"] = seed.ToString(CultureInfo.InvariantCulture),
        });
        Log(string.Create(CultureInfo.InvariantCulture, $"pre-training took {clock.Elapsed.TotalSeconds:F1} s; encoder saved to {weights}"));
        var probeEpochs = p.Int("probe-epochs", 30, min: 0);
        if (probeEpochs > 0)
        {
            var probe = Probe(learner.Query.Encoder, train, test, probeEpochs, p.Double("probe-lr", 0.1), seed);
            Log(string.Create(CultureInfo.InvariantCulture, $"linear probe ({probeEpochs} epochs on {train.Count} images): {100 * probe:F2}%"));
        }
        return 0;
    }

    private static int EvalLinear(ArgParser p, Dictionary<string, string> strings)
    {
        if (!strings.TryGetValue("weights", out var weights)) throw new ArgumentException("eval linear: --weights W is required.");
        var file = Safetensors.Read(weights);
        var width = p.Int("width", file.Metadata.TryGetValue("width", out var w) ? int.Parse(w, CultureInfo.InvariantCulture) : 16);
        var seed = p.ULong("seed", 0);
        var encoder = new SmallResNet(width);
        encoder.LoadStateDict(file.StateDict);
        var (train, test, origin) = LoadData(p);
        train = train.Take(p.Int("train-count", train.Count));
        test = test.Take(p.Int("test-count", test.Count));
        var epochs = p.Int("probe-epochs", 30);
        var lr = p.Double("probe-lr", 0.1);
        Console.WriteLine($"linear probe on Fashion-MNIST ({origin}): {train.Count} train / {test.Count} test, {epochs} epochs, lr {lr.ToString(CultureInfo.InvariantCulture)}, seed {seed}");
        var augment = new GreyAugment();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"encoder {weights} (width {width}): probe {100 * Probe(encoder, train, test, epochs, lr, seed):F2}%, kNN(200) {100 * Pretrainer.KnnAccuracy(encoder, augment, train, test):F2}%"));
        if (!p.Flag("no-baselines"))
        {
            var random = new SmallResNet(width, generator: new Generator(seed));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"random encoder (width {width}): probe {100 * Probe(random, train, test, epochs, lr, seed):F2}%, kNN(200) {100 * Pretrainer.KnnAccuracy(random, augment, train, test):F2}%"));
            const int pixels = GreyAugment.InputSize * GreyAugment.InputSize;
            var raw = LinearProbe.Run(FeatureSet.FromPixels(train.Pixels, pixels), train.Labels,
                FeatureSet.FromPixels(test.Pixels, pixels), test.Labels, 10, epochs, lr, generator: new Generator(seed));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"raw pixels: linear {100 * raw:F2}%"));
        }
        return 0;
    }

    private static double Probe(Scratch.NN.Module<Tensor, Tensor> encoder, LabelledImages train, LabelledImages test,
        int epochs, double lr, ulong seed)
    {
        var augment = new GreyAugment();
        return LinearProbe.Run(FeatureSet.Embed(encoder, augment, train.Pixels), train.Labels,
            FeatureSet.Embed(encoder, augment, test.Pixels), test.Labels, 10, epochs, lr, generator: new Generator(seed));
    }

    private static (LabelledImages Train, LabelledImages Test, string Origin) LoadData(ArgParser p)
    {
        if (p.Flag("full") && p.Flag("embedded")) throw new ArgumentException("eqco: --full and --embedded exclude each other.");
        var source = p.Flag("full") ? DataSource.Full : p.Flag("embedded") ? DataSource.Embedded : DataSource.Auto;
        var train = FashionMnist.Load(Split.Train, source);
        var test = FashionMnist.Load(Split.Test, source);
        return (Raw(train), Raw(test), train.Origin);
    }

    /// <summary>Undoes <see cref="FashionMnist"/>'s normalisation: the augmentations work on [0, 1] pixels.</summary>
    private static LabelledImages Raw(Dataset d)
    {
        var x = d.Images.ToArray<float>();
        for (var i = 0; i < x.Length; i++) x[i] = Math.Clamp(x[i] * FashionMnist.Std + FashionMnist.Mean, 0f, 1f);
        return new LabelledImages(x, d.Labels.ToArray<long>());
    }

    private static Dictionary<string, string> TakeStrings(ref string[] args, string[] names)
    {
        var found = new Dictionary<string, string>(StringComparer.Ordinal);
        var kept = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            var a = args[i];
            var name = names.FirstOrDefault(n => a == "--" + n || a.StartsWith("--" + n + "=", StringComparison.Ordinal));
            if (name is null) { kept.Add(a); continue; }
            if (a.Length > name.Length + 2) found[name] = a[(name.Length + 3)..];
            else if (i + 1 < args.Length) found[name] = args[++i];
            else throw new ArgumentException($"eqco: --{name} expects a value.");
        }
        args = [.. kept];
        return found;
    }
}
