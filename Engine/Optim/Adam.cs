using System.Numerics;

namespace Scratch.Optim;

/// <summary>Adam (Kingma &amp; Ba) with optional L2 weight decay and AMSGrad — <c>torch.optim.Adam</c>'s rule.</summary>
/// <remarks>Per element at step t (counted per parameter from 1), g the gradient, p the parameter:
/// <code>
/// g = g + weightDecay·p                                   (when weightDecay ≠ 0)
/// m = β₁·m + (1 − β₁)·g ;  v = β₂·v + (1 − β₂)·g²
/// v̂ = max(v̂, v) (AMSGrad) or v
/// p = p − lr/(1 − β₁ᵗ) · m / (√v̂ / √(1 − β₂ᵗ) + ε)
/// </code>
/// State per parameter: <c>exp_avg</c>, <c>exp_avg_sq</c> and, with AMSGrad, <c>max_exp_avg_sq</c>.</remarks>
public class Adam : Optimizer
{
    private readonly bool _decoupled;

    /// <summary>One group over <paramref name="parameters"/>.</summary>
    public Adam(IEnumerable<Tensor> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
        double eps = 1e-8, double weightDecay = 0, bool amsgrad = false)
        : this([new ParamGroup(parameters)], lr, beta1, beta2, eps, weightDecay, amsgrad)
    {
    }

    /// <summary>Several groups; unset group hyper-parameters take these defaults.</summary>
    public Adam(IEnumerable<ParamGroup> groups, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
        double eps = 1e-8, double weightDecay = 0, bool amsgrad = false)
        : this(groups, lr, beta1, beta2, eps, weightDecay, amsgrad, false, "Adam")
    {
    }

    private protected Adam(IEnumerable<ParamGroup> groups, double lr, double beta1, double beta2, double eps,
        double weightDecay, bool amsgrad, bool decoupled, string name)
        : base(groups, g =>
        {
            g.Lr ??= lr;
            g.Beta1 ??= beta1;
            g.Beta2 ??= beta2;
            g.Eps ??= eps;
            g.WeightDecay ??= weightDecay;
            g.Amsgrad ??= amsgrad;
        }, name)
    {
        _decoupled = decoupled;
        foreach (var g in ParamGroups)
        {
            RequireNonNegative(g.Lr, "lr");
            RequireNonNegative(g.Eps, "eps");
            RequireNonNegative(g.WeightDecay, "weightDecay");
            if (g.Beta1 is not (>= 0 and < 1))
                throw new ArgumentOutOfRangeException(nameof(beta1), g.Beta1, $"{name}: beta1 expected a value in [0, 1), got {g.Beta1}.");
            if (g.Beta2 is not (>= 0 and < 1))
                throw new ArgumentOutOfRangeException(nameof(beta2), g.Beta2, $"{name}: beta2 expected a value in [0, 1), got {g.Beta2}.");
        }
    }

    private protected override void Update<T>(ParamGroup group, Tensor param, Tensor grad, ParamState state)
    {
        var lr = group.Lr!.Value;
        var b1d = group.Beta1!.Value;
        var b2d = group.Beta2!.Value;
        var wdd = group.WeightDecay!.Value;
        var amsgrad = group.Amsgrad!.Value;
        var m = Buffer(state, "exp_avg", param, out _);
        var v = Buffer(state, "exp_avg_sq", param, out _);
        var vmax = amsgrad ? Buffer(state, "max_exp_avg_sq", param, out _) : null;
        var step = (double)state.Step;
        var stepSize = T.CreateChecked(lr / (1 - Math.Pow(b1d, step)));
        var bc2Sqrt = T.CreateChecked(Math.Sqrt(1 - Math.Pow(b2d, step)));
        var b1 = T.CreateChecked(b1d);
        var b2 = T.CreateChecked(b2d);
        var omb1 = T.CreateChecked(1 - b1d);
        var omb2 = T.CreateChecked(1 - b2d);
        var eps = T.CreateChecked(group.Eps!.Value);
        var wd = T.CreateChecked(wdd);
        var decay = T.CreateChecked(1 - lr * wdd);
        var useWd = wdd != 0;
        var decoupled = _decoupled;
        if (!param.Device.IsHost)
        {
            var args = new Backends.Gpu.AdamArgs
            {
                StepSize = lr / (1 - Math.Pow(b1d, step)), Bc2Sqrt = Math.Sqrt(1 - Math.Pow(b2d, step)), Beta1 = b1d,
                Beta2 = b2d, Eps = group.Eps!.Value, WeightDecay = wdd, Decay = 1 - lr * wdd,
                Amsgrad = amsgrad ? 1 : 0, Decoupled = decoupled ? 1 : 0,
            };
            Backends.Gpu.GpuRuntime.BackendFor(param.Device).AdamStep<T>(param, grad, m, v, vmax, args);
            return;
        }
        ForChunks<T>(param, grad, m, v, vmax, (p, gr, mm, vv, vx) =>
        {
            for (var i = 0; i < p.Length; i++)
            {
                var g = gr[i];
                if (useWd)
                {
                    if (decoupled) p[i] *= decay;
                    else g += wd * p[i];
                }
                mm[i] = mm[i] * b1 + omb1 * g;
                vv[i] = vv[i] * b2 + omb2 * g * g;
                var s = vv[i];
                if (amsgrad)
                {
                    s = T.Max(vx[i], s);
                    vx[i] = s;
                }
                var denom = T.Sqrt(s) / bc2Sqrt + eps;
                p[i] += -stepSize * (mm[i] / denom);
            }
        });
    }
}
