using Scratch.Backends;

namespace Scratch.Autograd;

/// <summary>The outcome of <see cref="Gradcheck.Check"/>.</summary>
/// <param name="Passed">True when every analytic gradient element matched the finite difference.</param>
/// <param name="MaxAbsError">Largest |analytic − numeric| over all checked elements.</param>
/// <param name="Report">A readable summary naming the first failing input and element.</param>
public sealed record GradcheckResult(bool Passed, double MaxAbsError, string Report);

/// <summary>Float64 finite-difference gradient checker, usable on any user function.</summary>
/// <remarks>For inputs x and a function y = f(x), it draws a random weight w of y's shape and compares the analytic
/// gradient of L = Σ w·f(x) (one backward pass) with the central difference (L(x+ε) − L(x−ε)) / 2ε taken per input
/// element. Inputs that require grad must be float64 and must not overlap themselves (no expanded views: apply
/// such views inside the function).</remarks>
public static class Gradcheck
{
    /// <summary>Checks the gradients of <paramref name="f"/> at <paramref name="inputs"/>.</summary>
    public static GradcheckResult Check(Func<Tensor[], Tensor> f, Tensor[] inputs, double eps = 1e-6,
        double atol = 1e-5, double rtol = 1e-3, ulong seed = 0)
    {
        foreach (var x in inputs)
        {
            if (x.RequiresGrad && x.DType != DType.F64)
                throw new DTypeMismatchException("Gradcheck", "inputs", "float64 for inputs that require grad", x.DType.Name());
            if (x.RequiresGrad && !x.IsLeaf)
                throw new ArgumentException("Gradcheck: inputs must be leaf tensors.", nameof(inputs));
        }
        foreach (var x in inputs) x.Grad = null;
        var output = f(inputs);
        if (output.DType != DType.F64)
            throw new DTypeMismatchException("Gradcheck", "f", "a float64 output", output.DType.Name());
        var w = Tensor.Randn(output.Shape, new Generator(seed), DType.F64, output.Device);
        if (output.RequiresGrad) (output * w).Sum().Backward();

        var maxErr = 0.0;
        for (var i = 0; i < inputs.Length; i++)
        {
            var x = inputs[i];
            if (!x.RequiresGrad) continue;
            var analytic = x.Grad?.ToArray<double>() ?? new double[x.Numel];
            var data = x.HostArray<double>();
            var offsets = Strided.Offsets(x);
            if (offsets.Distinct().Count() != offsets.Length)
                throw new ArgumentException($"Gradcheck: input {i} overlaps itself (an expanded view); apply the view inside f.", nameof(inputs));
            for (var j = 0; j < offsets.Length; j++)
            {
                var o = offsets[j];
                var saved = data[o];
                data[o] = saved + eps;
                var plus = Loss(f, inputs, w);
                data[o] = saved - eps;
                var minus = Loss(f, inputs, w);
                data[o] = saved;
                var numeric = (plus - minus) / (2 * eps);
                var err = Math.Abs(analytic[j] - numeric);
                if (double.IsNaN(err)) err = double.PositiveInfinity;
                maxErr = Math.Max(maxErr, err);
                if (err > atol + rtol * Math.Abs(numeric))
                {
                    return new GradcheckResult(false, maxErr,
                        $"input {i} {x.Shape}, element {j}: analytic {analytic[j]:G9} vs numeric {numeric:G9} (|diff| {err:G3})");
                }
            }
        }
        return new GradcheckResult(true, maxErr, $"ok, max |diff| {maxErr:G3}");
    }

    private static double Loss(Func<Tensor[], Tensor> f, Tensor[] inputs, Tensor w)
    {
        using var _ = GradMode.Disable();
        return (f(inputs) * w).Sum().Item();
    }
}
