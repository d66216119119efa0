using Scratch.Data;

namespace Scratch.Cli.Data;

/// <summary>Which Fashion-MNIST split to load.</summary>
internal enum Split
{
    /// <summary>Training images (60000 full, 6000 embedded).</summary>
    Train,

    /// <summary>Test images (10000 full, 1000 embedded).</summary>
    Test,
}

/// <summary>Where <see cref="FashionMnist.Load"/> reads from.</summary>
internal enum DataSource
{
    /// <summary>The installed full set when present, otherwise the embedded subset.</summary>
    Auto,

    /// <summary>The installed full set (error when missing).</summary>
    Full,

    /// <summary>The subset embedded in this program.</summary>
    Embedded,
}

/// <summary>A loaded split: images F32 [N, 1, 28, 28], normalised; labels I64 [N]; where they came from.</summary>
internal sealed record Dataset(Tensor Images, Tensor Labels, string Origin)
{
    /// <summary>Number of examples.</summary>
    public int Count => Labels.Size(0);
}

/// <summary>Fashion-MNIST (Zalando, MIT licence): the full set installed at <see cref="FullDirectory"/> or the
/// deterministic subset embedded from <c>data/fashion-mnist-subset</c>.</summary>
internal static class FashionMnist
{
    /// <summary>Where Debian's dataset-fashion-mnist package installs the IDX files.</summary>
    public const string FullDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>Mean of the training pixels scaled to [0, 1].</summary>
    public const float Mean = 0.2860f;

    /// <summary>Standard deviation of the training pixels scaled to [0, 1].</summary>
    public const float Std = 0.3530f;

    /// <summary>Class names by label.</summary>
    public static readonly string[] Classes =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>Loads <paramref name="split"/>: pixels scaled to [0, 1] then normalised (x − 0.2860)/0.3530.</summary>
    public static Dataset Load(Split split, DataSource source = DataSource.Auto)
    {
        var prefix = split == Split.Train ? "train" : "t10k";
        var imagesName = $"{prefix}-images-idx3-ubyte.gz";
        var labelsName = $"{prefix}-labels-idx1-ubyte.gz";
        var fullImages = Path.Combine(FullDirectory, imagesName);
        var fullLabels = Path.Combine(FullDirectory, labelsName);
        var haveFull = File.Exists(fullImages) && File.Exists(fullLabels);
        if (source == DataSource.Full && !haveFull)
            throw new FileNotFoundException($"Fashion-MNIST: the full set is not installed ({fullImages}); install dataset-fashion-mnist or use the embedded subset.", fullImages);
        Tensor images, labels;
        string origin;
        if (haveFull && source != DataSource.Embedded)
        {
            images = Idx.Read(fullImages);
            labels = Idx.Read(fullLabels);
            origin = FullDirectory;
        }
        else
        {
            images = ReadEmbedded(imagesName);
            labels = ReadEmbedded(labelsName);
            origin = "embedded subset";
        }
        if (images.Rank != 3 || labels.Rank != 1 || images.Size(0) != labels.Size(0))
            throw new InvalidDataException($"Fashion-MNIST {prefix}: images {images.Shape} and labels {labels.Shape} do not match.");
        return new Dataset(Normalize(images), labels.To(DType.I64), origin);
    }

    private static Tensor ReadEmbedded(string name)
    {
        var asm = typeof(FashionMnist).Assembly;
        var resource = $"Scratch.Cli.FashionMnist.{name}";
        using var s = asm.GetManifestResourceStream(resource)
            ?? throw new InvalidDataException($"Fashion-MNIST: embedded resource '{resource}' is missing from {asm.GetName().Name}.");
        return Idx.Read(s, resource);
    }

    private static Tensor Normalize(Tensor u8)
    {
        var src = u8.ToArray<byte>();
        var dst = new float[src.Length];
        for (var i = 0; i < src.Length; i++) dst[i] = (src[i] / 255f - Mean) / Std;
        return Tensor.From(dst, new Shape(u8.Size(0), 1, u8.Size(1), u8.Size(2)));
    }
}
