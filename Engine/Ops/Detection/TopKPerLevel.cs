namespace Scratch;

public static partial class F
{
    /// <summary>Pre-NMS top-k per pyramid level, as torchvision's RPN <c>_get_top_n_idx</c> and the FCOS/RetinaNet
    /// inference heads: the last dimension of <paramref name="scores"/> is the concatenation of the levels
    /// (<paramref name="levelSizes"/> entries each, finest first); from each level the min(k, Aₗ) highest scores are
    /// kept, and their positions in the concatenation are returned level after level.</summary>
    /// <remarks>Within a level the indices are by descending score, ties to the lower index (stable), NaN ranking
    /// above every number (as <see cref="TopK"/>). Rows of a batched [N, A] input are independent. Not
    /// differentiable (indices); gather the kept scores or boxes with <see cref="Gather"/> or
    /// <see cref="IndexSelect"/>. Empty levels and k = 0 contribute nothing.</remarks>
    /// <param name="scores">[A] or [N, A] scores (floating), A = Σ levelSizes.</param>
    /// <param name="levelSizes">Entries per level, each ≥ 0.</param>
    /// <param name="k">Per-level limit, ≥ 0 (torchvision RPN: pre_nms_top_n, 1000 at test time; FCOS: 1000).</param>
    /// <returns>[Σ min(k, Aₗ)] or [N, Σ min(k, Aₗ)] int64 indices into the last dimension, on scores' device.
    /// </returns>
    /// <exception cref="ShapeMismatchException">scores is not 1-D or 2-D, or its last dimension is not Σ levelSizes.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException">k or a level size is negative.</exception>
    public static Tensor TopKPerLevel(Tensor scores, IReadOnlyList<int> levelSizes, int k)
    {
        const string op = "TopKPerLevel";
        RequireFloating(scores, op, nameof(scores));
        if (k < 0) throw new ArgumentOutOfRangeException(nameof(k), k, $"{op}: k expected >= 0, got {k}.");
        for (var l = 0; l < levelSizes.Count; l++)
            if (levelSizes[l] < 0)
                throw new ArgumentOutOfRangeException(nameof(levelSizes), levelSizes[l],
                    $"{op}: levelSizes[{l}] expected >= 0, got {levelSizes[l]}.");
        var total = levelSizes.Sum();
        if (scores.Rank is not (1 or 2) || scores.Shape[scores.Rank - 1] != total)
            throw new ShapeMismatchException(op, nameof(scores), $"[{total}] or [N, {total}] (Σ levelSizes entries)",
                scores.Shape.ToString());
        var s = scores.Detach();
        var parts = new List<Tensor>();
        var offset = 0;
        foreach (var size in levelSizes)
        {
            var take = Math.Min(k, size);
            if (take > 0)
            {
                var idx = TopK(s.Narrow(s.Rank - 1, offset, size), take).Indices;
                parts.Add(offset == 0 ? idx : Add(idx, Tensor.Scalar(offset, DType.I64, idx.Device)));
            }
            offset += size;
        }
        if (parts.Count == 0)
            return Tensor.Empty(scores.Rank == 1 ? new Shape(0) : new Shape(scores.Shape[0], 0), DType.I64,
                scores.Device);
        return parts.Count == 1 ? parts[0] : Cat(parts, scores.Rank - 1);
    }
}
