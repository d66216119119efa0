namespace Scratch.Optim;

/// <summary>AdamW (Loshchilov &amp; Hutter): Adam with decoupled weight decay — <c>torch.optim.AdamW</c>'s rule:
/// first p = p·(1 − lr·weightDecay), then the Adam update without L2 in the gradient. Default weight decay 0.01.
/// </summary>
public sealed class AdamW : Adam
{
    /// <summary>One group over <paramref name="parameters"/>.</summary>
    public AdamW(IEnumerable<Tensor> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
        double eps = 1e-8, double weightDecay = 1e-2, bool amsgrad = false)
        : this([new ParamGroup(parameters)], lr, beta1, beta2, eps, weightDecay, amsgrad)
    {
    }

    /// <summary>Several groups; unset group hyper-parameters take these defaults.</summary>
    public AdamW(IEnumerable<ParamGroup> groups, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
        double eps = 1e-8, double weightDecay = 1e-2, bool amsgrad = false)
        : base(groups, lr, beta1, beta2, eps, weightDecay, amsgrad, true, "AdamW")
    {
    }
}
