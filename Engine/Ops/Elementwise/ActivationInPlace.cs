using Scratch.Ops;

namespace Scratch;

public partial class Tensor
{
    /// <summary>Clamps this tensor to [min, max] in place (see <see cref="F.Clamp"/>); floating dtypes. Not allowed
    /// on tensors that require grad while grad mode is on.</summary>
    public Tensor Clamp_(double? min = null, double? max = null) =>
        WriteInPlace(F.Map(Detach(), ClampOp.Create(min, max, "Clamp_")), "Clamp_");

    /// <summary>max(x, 0) in place; floating dtypes. Not allowed on tensors that require grad while grad mode is on.
    /// </summary>
    public Tensor Relu_() => WriteInPlace(F.Map(Detach(), new ReluOp()), "Relu_");
}
