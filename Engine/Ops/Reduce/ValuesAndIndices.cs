namespace Scratch;

/// <summary>The result of an indexed reduction such as <see cref="F.Max(Tensor, int, bool)"/>: the selected
/// values and their int64 positions along the reduced dim (PyTorch's <c>(values, indices)</c>).</summary>
/// <param name="Values">The selected elements (differentiable).</param>
/// <param name="Indices">Their int64 indices along the reduced dim.</param>
public readonly record struct ValuesAndIndices(Tensor Values, Tensor Indices);
