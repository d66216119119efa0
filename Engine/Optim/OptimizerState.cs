namespace Scratch.Optim;

/// <summary>The hyper-parameters of one <see cref="ParamGroup"/> as saved in an <see cref="OptimizerState"/>.</summary>
public sealed record GroupHyperParameters(
    double? Lr, double? WeightDecay, double? Momentum, double? Dampening, bool? Nesterov,
    double? Beta1, double? Beta2, double? Eps, bool? Amsgrad, double InitialLr);

/// <summary>The saved state of one parameter: its step count and named buffers (e.g. <c>momentum_buffer</c>,
/// <c>exp_avg</c>, <c>exp_avg_sq</c>, <c>max_exp_avg_sq</c>).</summary>
public sealed record ParamStateEntry(long Step, IReadOnlyDictionary<string, Tensor> Buffers);

/// <summary>A snapshot of an optimizer, as PyTorch's <c>optimizer.state_dict()</c>: per-parameter state keyed by the
/// parameter's index over all groups in order, and each group's hyper-parameters with its parameter count.</summary>
/// <remarks>Buffers are deep copies, so the snapshot is unaffected by later steps.</remarks>
public sealed record OptimizerState(
    IReadOnlyDictionary<int, ParamStateEntry> State,
    IReadOnlyList<GroupHyperParameters> Groups,
    IReadOnlyList<int> GroupSizes);
