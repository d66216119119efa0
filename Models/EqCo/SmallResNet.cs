using Scratch.Models.Common.Backbones;
using Scratch.NN;

namespace Scratch.Models.EqCo;

/// <summary>A CIFAR-style residual encoder for small grey images: a 3×3 stride-1 stem (conv → BN → ReLU, no
/// max-pool), then stages of <see cref="BasicBlock"/>s with widths w, 2w, 4w, … (the first stage at stride 1, the
/// others at stride 2), then global average pooling. Input [N, C, H, W] (any H, W ≥ 1; 32×32 in this project),
/// output features [N, <see cref="FeatureDim"/>]. Keys: <c>stem.0.weight</c>, <c>stem.1.*</c>,
/// <c>layer1.0.conv1.weight</c>, ….</summary>
public sealed class SmallResNet : Module<Tensor, Tensor>
{
    private readonly Sequential _stem;
    private readonly List<Sequential> _stages = [];

    /// <summary>Creates the encoder.</summary>
    /// <param name="width">Channels of the stem and of the first stage (w ≥ 1).</param>
    /// <param name="blocks">Blocks per stage; its length is the number of stages (default [1, 1, 1]: ResNet-8).</param>
    /// <param name="inChannels">Input channels (1 for grey).</param>
    /// <param name="zeroInitResidual">Initialise the last BN γ of each block to 0 (as SiMo's config does).</param>
    /// <param name="generator">Source of the initial weights.</param>
    public SmallResNet(int width = 16, int[]? blocks = null, int inChannels = 1, bool zeroInitResidual = true,
        Generator? generator = null)
    {
        blocks ??= [1, 1, 1];
        if (width < 1) throw new ArgumentOutOfRangeException(nameof(width), width, $"SmallResNet: width must be >= 1, got {width}.");
        if (inChannels < 1) throw new ArgumentOutOfRangeException(nameof(inChannels), inChannels, $"SmallResNet: inChannels must be >= 1, got {inChannels}.");
        if (blocks.Length == 0 || blocks.Any(b => b < 1))
            throw new ArgumentException($"SmallResNet: blocks must be a non-empty list of counts >= 1, got [{string.Join(", ", blocks)}].", nameof(blocks));
        Width = width;
        Blocks = [.. blocks];
        var stem = new Conv2d(inChannels, width, 3, padding: 1, bias: false, generator: generator);
        Init.KaimingNormal_(stem.Weight, mode: "fan_out", nonlinearity: "relu", g: generator);
        _stem = Add("stem", new Sequential(stem, new BatchNorm2d(width), new ReLU()));
        var cin = width;
        for (var s = 0; s < blocks.Length; s++)
        {
            var cout = width << s;
            var stage = new Sequential();
            for (var b = 0; b < blocks[s]; b++)
                stage.Append(new BasicBlock(b == 0 ? cin : cout, cout, b == 0 && s > 0 ? 2 : 1, ResNetNorm.BatchNorm, generator));
            _stages.Add(Add($"layer{s + 1}", stage));
            cin = cout;
        }
        FeatureDim = cin;
        if (zeroInitResidual)
            foreach (var (name, p) in NamedParameters())
                if (name.EndsWith(".bn2.weight", StringComparison.Ordinal)) Init.Constant_(p, 0);
    }

    /// <summary>Width of the first stage.</summary>
    public int Width { get; }

    /// <summary>Blocks per stage.</summary>
    public IReadOnlyList<int> Blocks { get; }

    /// <summary>Length of the output feature vector (width · 2^(stages − 1)).</summary>
    public int FeatureDim { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        if (input.Rank != 4) throw new ShapeMismatchException("SmallResNet", "input", "[N, C, H, W]", input.Shape.ToString());
        var y = _stem.Forward(input);
        foreach (var stage in _stages) y = stage.Forward(y);
        return F.AdaptiveAvgPool2d(y, new Size2(1, 1)).Flatten(1);
    }
}

/// <summary>SiMo's projection MLP: Linear(d→h, no bias) → BN1d → ReLU → Linear(h→out, no bias) → BN1d, with
/// Linear weights ~ N(0, 0.01) and BN γ = 1; <see cref="Forward"/> returns the raw [N, out] projection (L2-normalise
/// it with <see cref="ContrastiveNet.L2Normalize"/>).</summary>
public sealed class ProjectionHead : Module<Tensor, Tensor>
{
    private readonly Sequential _mlp;

    /// <summary>Creates the head mapping <paramref name="inFeatures"/> → <paramref name="hidden"/> →
    /// <paramref name="outFeatures"/>.</summary>
    public ProjectionHead(int inFeatures, int hidden, int outFeatures = 128, Generator? generator = null)
    {
        var l1 = new Linear(inFeatures, hidden, bias: false, generator: generator);
        var l2 = new Linear(hidden, outFeatures, bias: false, generator: generator);
        Init.Normal_(l1.Weight, 0, 0.01, generator);
        Init.Normal_(l2.Weight, 0, 0.01, generator);
        _mlp = Add("mlp", new Sequential(l1, new BatchNorm1d(hidden), new ReLU(), l2, new BatchNorm1d(outFeatures)));
        OutFeatures = outFeatures;
    }

    /// <summary>Length of the projection.</summary>
    public int OutFeatures { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => _mlp.Forward(input);
}

/// <summary>Encoder + projection head; <see cref="Forward"/> gives L2-normalised embeddings [N, dim].
/// Keys <c>encoder.*</c> and <c>head.*</c>.</summary>
public sealed class ContrastiveNet : Module<Tensor, Tensor>
{
    /// <summary>Creates a net with a <see cref="SmallResNet"/> of <paramref name="width"/> and a head of hidden
    /// width = the feature dimension and output <paramref name="dim"/>.</summary>
    public ContrastiveNet(int width, int[]? blocks = null, int dim = 128, Generator? generator = null)
    {
        Encoder = Add("encoder", new SmallResNet(width, blocks, generator: generator));
        Head = Add("head", new ProjectionHead(Encoder.FeatureDim, Encoder.FeatureDim, dim, generator));
    }

    /// <summary>The backbone (what the linear probe evaluates).</summary>
    public SmallResNet Encoder { get; }

    /// <summary>The projection MLP.</summary>
    public ProjectionHead Head { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => L2Normalize(Head.Forward(Encoder.Forward(input)));

    /// <summary>Rows divided by their Euclidean norm: y = x / max(‖x‖₂, ε) (as torch.nn.functional.normalize),
    /// differentiable.</summary>
    public static Tensor L2Normalize(Tensor x, double eps = 1e-12)
    {
        if (x.Rank != 2) throw new ShapeMismatchException("L2Normalize", "x", "[N, D]", x.Shape.ToString());
        var norm = F.Sqrt((x * x).Sum([1], keepDim: true));
        return x / F.Maximum(norm, norm.ScalarLike(eps));
    }
}
