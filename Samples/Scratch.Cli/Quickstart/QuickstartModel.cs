using Scratch.NN;

namespace Scratch.Cli.Quickstart;

/// <summary>The quickstart classifier, a small CNN for [N, 1, 28, 28] images returning logits [N, 10]:
/// two blocks of 3×3 conv → batch norm → ReLU → 2×2 max-pool (16 and 32 channels), then a linear layer on the
/// flattened 32×7×7 features. Keys follow PyTorch (<c>features.0.weight</c>, <c>features.1.running_mean</c>,
/// <c>classifier.weight</c> ...).</summary>
internal sealed class QuickstartModel : Module<Tensor, Tensor>
{
    /// <summary>Creates the model with weights drawn from <paramref name="generator"/>.</summary>
    public QuickstartModel(Generator generator)
    {
        Features = Add("features", new Sequential(
            new Conv2d(1, 16, 3, padding: 1, bias: false, generator: generator),
            new BatchNorm2d(16),
            new ReLU(),
            new MaxPool2d(2),
            new Conv2d(16, 32, 3, padding: 1, bias: false, generator: generator),
            new BatchNorm2d(32),
            new ReLU(),
            new MaxPool2d(2),
            new Flatten()));
        Classifier = Add("classifier", new Linear(32 * 7 * 7, 10, generator: generator));
    }

    private Sequential Features { get; }

    private Linear Classifier { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Classifier.Forward(Features.Forward(input));

    /// <summary>Mean softmax cross-entropy of <paramref name="logits"/> [N, 10] against class indices.</summary>
    public static Tensor CrossEntropy(Tensor logits, long[] labels) => F.CrossEntropy(logits, Tensor.From(labels));
}
