using System.Numerics;
using System.Numerics.Tensors;
using Scratch.NN;
using Scratch.Ops;

namespace Scratch.Cli.Quickstart;

/// <summary>The quickstart classifier: an MLP 784 → 256 → 128 → 10 with ReLU, on flattened [N, 1, 28, 28] images,
/// returning logits [N, 10]. Keys <c>fc1.*</c>, <c>fc2.*</c>, <c>fc3.*</c>.</summary>
/// <remarks>Built from the layers that exist today; ReLU and the loss are private here until the engine has them.
/// </remarks>
internal sealed class QuickstartModel : Module<Tensor, Tensor>
{
    /// <summary>Creates the model with weights drawn from <paramref name="generator"/>.</summary>
    public QuickstartModel(Generator generator)
    {
        Fc1 = Add("fc1", new Linear(28 * 28, 256, generator: generator));
        Fc2 = Add("fc2", new Linear(256, 128, generator: generator));
        Fc3 = Add("fc3", new Linear(128, 10, generator: generator));
    }

    private Linear Fc1 { get; }

    private Linear Fc2 { get; }

    private Linear Fc3 { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        var x = input.Reshape(input.Size(0), -1);
        x = F.Map(Fc1.Forward(x), new ReluOp());
        x = F.Map(Fc2.Forward(x), new ReluOp());
        return Fc3.Forward(x);
    }

    /// <summary>Mean softmax cross-entropy of <paramref name="logits"/> [N, C] against class indices
    /// <paramref name="labels"/> [N]: mean over rows of log Σ exp(z) − z[label], with z = logits − rowmax (the
    /// max is a constant, so it does not change the gradient).</summary>
    public static Tensor CrossEntropy(Tensor logits, long[] labels)
    {
        var n = logits.Size(0);
        var c = logits.Size(1);
        var host = logits.Detach().ToArray<float>();
        var max = new float[n];
        var onehot = new float[n * c];
        for (var i = 0; i < n; i++)
        {
            max[i] = TensorPrimitives.Max(host.AsSpan(i * c, c));
            onehot[i * c + (int)labels[i]] = 1;
        }
        var z = logits - Tensor.From(max, new Shape(n, 1));
        var lse = F.Log(F.Exp(z).Sum(1, keepDim: true));
        var picked = (z * Tensor.From(onehot, new Shape(n, c))).Sum(1, keepDim: true);
        return (lse - picked).Sum() / n;
    }

    /// <summary>y = max(x, 0); dy/dx = 1 for x &gt; 0, else 0.</summary>
    private readonly struct ReluOp : IUnaryOp
    {
        public string Name => "Relu";

        public T Forward<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => x > T.Zero ? x : T.Zero;

        public T Backward<T>(T x, T y, T dy) where T : unmanaged, IFloatingPointIeee754<T> => x > T.Zero ? dy : T.Zero;

        public bool ForwardSpan<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
        {
            TensorPrimitives.Max(x, T.Zero, y);
            return true;
        }
    }
}
