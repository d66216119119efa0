using Scratch.Autograd;
using Scratch.Optim;
using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.Optim;

/// <summary>The host kernels against the same update rules written with tensor ops (PyTorch's formulation),
/// over random shapes, views, gradients and hyper-parameters.</summary>
public class OptimizerPropertyTests
{
    private const int Steps = 3;

    private static Tensor[] Grads(Shape shape, ulong seed) =>
        Enumerable.Range(0, Steps).Select(i => Values.Uniform(shape, seed + 100 + (ulong)i, DType.F64, -2, 2)).ToArray();

    private static double Hyper(ulong seed, int k, double lo, double hi) => lo + (hi - lo) * new Generator(seed * 31 + (ulong)k).NextDouble();

    /// <summary>For an expanded view whose elements share memory, asserts the optimizer refuses it.</summary>
    private static bool RejectsOverlap(ViewCase c, Func<Tensor, Optimizer> make)
    {
        var p = c.Make().RequiresGrad_();
        var overlaps = Enumerable.Range(0, p.Rank).Any(i => p.Stride(i) == 0 && p.Size(i) > 1);
        if (!overlaps) return false;
        var e = Assert.Throws<ArgumentException>(() => make(p));
        Assert.Contains("parameters", e.Message, StringComparison.Ordinal);
        return true;
    }

    private static Tensor Sqrt(Tensor x) => F.Exp(F.Log(x) * 0.5);

    [TensorProperty]
    public void Sgd_matches_tensor_formulation(ViewCase c)
    {
        var lr = Hyper(c.Seed, 0, 0.001, 0.5);
        var momentum = Hyper(c.Seed, 1, 0, 0.99);
        var wd = Hyper(c.Seed, 2, 0, 0.1);
        var nesterov = c.Seed % 2 == 0;
        var dampening = nesterov ? 0 : Hyper(c.Seed, 3, 0, 0.5);
        if (RejectsOverlap(c, p => new Sgd([p], 0.1))) return;
        var p = c.Make().RequiresGrad_();
        var expected = p.Contiguous().CopyData();
        var grads = Grads(p.Shape, c.Seed);
        var opt = new Sgd([p], lr, momentum, dampening, wd, nesterov);
        Tensor? buf = null;
        using (GradMode.Disable())
        {
            foreach (var g in grads)
            {
                p.Grad = g;
                opt.Step();
                var d = g + wd * expected;
                buf = buf is null ? d.Clone() : buf * momentum + (1 - dampening) * d;
                d = nesterov ? d + momentum * buf : buf;
                expected = expected - lr * d;
            }
        }
        Verify.Close(expected, p, 1e-12, 1e-10);
    }

    [TensorProperty]
    public void Adam_and_AdamW_match_tensor_formulation(ViewCase c)
    {
        var lr = Hyper(c.Seed, 0, 0.001, 0.3);
        var b1 = Hyper(c.Seed, 1, 0, 0.95);
        var b2 = Hyper(c.Seed, 2, 0.5, 0.999);
        var eps = Hyper(c.Seed, 3, 1e-8, 1e-3);
        var wd = Hyper(c.Seed, 4, 0, 0.2);
        var amsgrad = c.Seed % 2 == 0;
        var decoupled = c.Seed % 3 == 0;
        if (RejectsOverlap(c, p => new Adam([p]))) return;
        var p = c.Make().RequiresGrad_();
        var expected = p.Contiguous().CopyData();
        Optimizer opt = decoupled
            ? new AdamW([p], lr, b1, b2, eps, wd, amsgrad)
            : new Adam([p], lr, b1, b2, eps, wd, amsgrad);
        var m = Tensor.ZerosLike(expected);
        var v = Tensor.ZerosLike(expected);
        var vmax = Tensor.ZerosLike(expected);
        var t = 0;
        using (GradMode.Disable())
        {
            foreach (var g0 in Grads(p.Shape, c.Seed))
            {
                p.Grad = g0;
                opt.Step();
                t++;
                var g = g0;
                if (decoupled) expected = expected * (1 - lr * wd);
                else g = g + wd * expected;
                m = m * b1 + (1 - b1) * g;
                v = v * b2 + (1 - b2) * g * g;
                if (amsgrad)
                {
                    var a = vmax.ToDoubleArray();
                    var b = v.ToDoubleArray();
                    vmax = Tensor.FromDoubles(a.Zip(b, Math.Max).ToArray(), v.Shape, DType.F64);
                }
                var denom = Sqrt(amsgrad ? vmax : v) / Math.Sqrt(1 - Math.Pow(b2, t)) + eps;
                expected = expected - lr / (1 - Math.Pow(b1, t)) * (m / denom);
            }
        }
        Verify.Close(expected, p, 1e-10, 1e-8);
    }

    [TensorProperty]
    public void Clip_grad_norm_bounds_the_norm_and_keeps_the_direction(ShapeCase c)
    {
        var a = Tensor.Zeros(c.Shape, DType.F64).RequiresGrad_();
        var b = Tensor.Zeros(new Shape(3), DType.F32, Device.Reference).RequiresGrad_();
        a.Grad = c.Make();
        b.Grad = Values.Uniform(new Shape(3), c.Seed + 1, DType.F32, -5, 5, Device.Reference);
        var before = a.Grad.ToDoubleArray().Concat(b.Grad.ToDoubleArray()).ToArray();
        var norm2 = Math.Sqrt(before.Sum(x => x * x));
        var maxNorm = 1 + (c.Seed % 7);
        var total = F.ClipGradNorm([a, b], maxNorm);
        Verify.Close([norm2], [total], 1e-5, 1e-6);
        var after = a.Grad.ToDoubleArray().Concat(b.Grad.ToDoubleArray()).ToArray();
        var scale = Math.Min(1, maxNorm / (norm2 + 1e-6));
        Verify.Close(before.Select(x => x * scale).ToArray(), after, 1e-5, 1e-5);
    }
}
