using System.Numerics;

namespace Scratch.Optim;

/// <summary>Stochastic gradient descent with momentum, dampening, Nesterov and L2 weight decay — exactly
/// <c>torch.optim.SGD</c>'s rule.</summary>
/// <remarks>Per element, with g the gradient and p the parameter:
/// <code>
/// d = g + weightDecay·p                      (when weightDecay ≠ 0)
/// b = d on the first step, else momentum·b + (1 − dampening)·d   (when momentum ≠ 0)
/// d = d + momentum·b (Nesterov) or d = b
/// p = p − lr·d
/// </code>
/// State per parameter: <c>momentum_buffer</c> (only when momentum ≠ 0).</remarks>
public sealed class Sgd : Optimizer
{
    /// <summary>One group over <paramref name="parameters"/>.</summary>
    public Sgd(IEnumerable<Tensor> parameters, double lr, double momentum = 0, double dampening = 0,
        double weightDecay = 0, bool nesterov = false)
        : this([new ParamGroup(parameters)], lr, momentum, dampening, weightDecay, nesterov)
    {
    }

    /// <summary>Several groups; unset group hyper-parameters take these defaults.</summary>
    public Sgd(IEnumerable<ParamGroup> groups, double lr, double momentum = 0, double dampening = 0,
        double weightDecay = 0, bool nesterov = false)
        : base(groups, g =>
        {
            g.Lr ??= lr;
            g.Momentum ??= momentum;
            g.Dampening ??= dampening;
            g.WeightDecay ??= weightDecay;
            g.Nesterov ??= nesterov;
        }, "Sgd")
    {
        foreach (var g in ParamGroups)
        {
            RequireNonNegative(g.Lr, "lr");
            RequireNonNegative(g.Momentum, "momentum");
            RequireNonNegative(g.WeightDecay, "weightDecay");
            if (g.Nesterov == true && (g.Momentum <= 0 || g.Dampening != 0))
                throw new ArgumentException($"Sgd: nesterov expected momentum > 0 and dampening = 0, got momentum {g.Momentum} and dampening {g.Dampening}.", nameof(nesterov));
        }
    }

    private protected override void Update<T>(ParamGroup group, Tensor param, Tensor grad, ParamState state)
    {
        var lr = T.CreateChecked(group.Lr!.Value);
        var wd = T.CreateChecked(group.WeightDecay!.Value);
        var mom = T.CreateChecked(group.Momentum!.Value);
        var damp = T.One - T.CreateChecked(group.Dampening!.Value);
        var nesterov = group.Nesterov!.Value;
        var useWd = wd != T.Zero;
        if (!param.Device.IsHost)
        {
            var created = false;
            var b = mom == T.Zero ? null : Buffer(state, "momentum_buffer", param, out created);
            var args = new Backends.Gpu.SgdArgs
            {
                Lr = group.Lr.Value, WeightDecay = group.WeightDecay.Value, Momentum = group.Momentum.Value,
                Dampening = group.Dampening.Value, First = created ? 1 : 0, Nesterov = nesterov ? 1 : 0,
            };
            Backends.Gpu.GpuRuntime.BackendFor(param.Device).SgdStep<T>(param, grad, b, args);
            return;
        }
        if (mom == T.Zero)
        {
            ForChunks<T>(param, grad, null, null, null, (p, gr, _, _, _) =>
            {
                for (var i = 0; i < p.Length; i++)
                {
                    var d = useWd ? gr[i] + wd * p[i] : gr[i];
                    p[i] -= lr * d;
                }
            });
            return;
        }
        var buffer = Buffer(state, "momentum_buffer", param, out var first);
        ForChunks<T>(param, grad, buffer, null, null, (p, gr, b, _, _) =>
        {
            var i = 0;
            if (Vector.IsHardwareAccelerated && !nesterov)
            {
                // The scalar rule below, a vector at a time: the same operations (no fused multiply-add), so the
                // same bits.
                Vector<T> vwd = new(wd), vmom = new(mom), vdamp = new(damp), vlr = new(lr);
                for (; i <= p.Length - Vector<T>.Count; i += Vector<T>.Count)
                {
                    var vp = new Vector<T>(p[i..]);
                    var vg = new Vector<T>(gr[i..]);
                    var d = useWd ? vg + vwd * vp : vg;
                    var vb = first ? d : vmom * new Vector<T>(b[i..]) + vdamp * d;
                    vb.CopyTo(b[i..]);
                    (vp - vlr * vb).CopyTo(p[i..]);
                }
            }
            for (; i < p.Length; i++)
            {
                var d = useWd ? gr[i] + wd * p[i] : gr[i];
                b[i] = first ? d : mom * b[i] + damp * d;
                d = nesterov ? d + mom * b[i] : b[i];
                p[i] -= lr * d;
            }
        });
    }
}
