namespace Scratch.Optim;

/// <summary>A list of parameters that share hyper-parameters (PyTorch's <c>param_groups</c> entry), e.g. one group
/// with weight decay for weights and one without for norm and bias parameters.</summary>
/// <remarks>Every hyper-parameter is optional: null means "use the optimizer's default", and the optimizer fills the
/// defaults in when it is constructed, so after construction each value the optimizer uses is set. Values can be
/// changed between steps (<see cref="Lr"/> is what schedules set).</remarks>
public sealed class ParamGroup
{
    /// <summary>Creates a group over <paramref name="parameters"/> (floating leaf tensors, usually
    /// <see cref="NN.Parameter"/>s).</summary>
    public ParamGroup(IEnumerable<Tensor> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Parameters = parameters.ToArray();
    }

    /// <summary>The usual split for weight decay: parameters of rank ≥ 2 (linear and conv weights) in a group with
    /// <paramref name="weightDecay"/>, rank 0–1 parameters (biases, norm scales and shifts) in a group with none.
    /// Order within each group is kept; either group may be empty.</summary>
    public static ParamGroup[] SplitWeightDecay(IEnumerable<Tensor> parameters, double weightDecay)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var all = parameters.ToArray();
        return
        [
            new ParamGroup(all.Where(p => p.Rank >= 2)) { WeightDecay = weightDecay },
            new ParamGroup(all.Where(p => p.Rank < 2)) { WeightDecay = 0 },
        ];
    }

    /// <summary>The parameters updated by this group, in order.</summary>
    public IReadOnlyList<Tensor> Parameters { get; }

    /// <summary>Learning rate.</summary>
    public double? Lr { get; set; }

    /// <summary>Weight decay (L2 added to the gradient for SGD/Adam; decoupled for AdamW).</summary>
    public double? WeightDecay { get; set; }

    /// <summary>SGD momentum factor.</summary>
    public double? Momentum { get; set; }

    /// <summary>SGD dampening of the gradient in the momentum buffer.</summary>
    public double? Dampening { get; set; }

    /// <summary>SGD Nesterov momentum.</summary>
    public bool? Nesterov { get; set; }

    /// <summary>Adam β₁ (first-moment decay).</summary>
    public double? Beta1 { get; set; }

    /// <summary>Adam β₂ (second-moment decay).</summary>
    public double? Beta2 { get; set; }

    /// <summary>Adam ε added to the denominator.</summary>
    public double? Eps { get; set; }

    /// <summary>Adam AMSGrad variant (uses the running maximum of the second moment).</summary>
    public bool? Amsgrad { get; set; }

    /// <summary>The learning rate the group was created with (schedules may scale from it).</summary>
    public double InitialLr { get; internal set; }

    /// <summary>A copy of the hyper-parameters (not the parameters) for optimizer state dicts.</summary>
    internal GroupHyperParameters Hyper() =>
        new(Lr, WeightDecay, Momentum, Dampening, Nesterov, Beta1, Beta2, Eps, Amsgrad, InitialLr);

    internal void SetHyper(GroupHyperParameters h)
    {
        (Lr, WeightDecay, Momentum, Dampening, Nesterov) = (h.Lr, h.WeightDecay, h.Momentum, h.Dampening, h.Nesterov);
        (Beta1, Beta2, Eps, Amsgrad, InitialLr) = (h.Beta1, h.Beta2, h.Eps, h.Amsgrad, h.InitialLr);
    }
}
