using Scratch.Autograd;

namespace Scratch;

public partial class Tensor
{
    /// <summary>A view with dims reordered: result dim i is input dim <paramref name="dims"/>[i].</summary>
    public Tensor Permute(params int[] dims)
    {
        if (dims.Length != Rank)
            throw new ShapeMismatchException("Permute", "dims", $"{Rank} dims", $"{dims.Length} ([{string.Join(", ", dims)}])");
        var seen = new bool[Rank];
        var newShape = new int[Rank];
        var newStrides = new long[Rank];
        var inverse = new int[Rank];
        for (var i = 0; i < Rank; i++)
        {
            var d = Shape.NormalizeDim(dims[i], Rank, "dims", "Permute");
            if (seen[d]) throw new ShapeMismatchException("Permute", "dims", "a permutation", $"[{string.Join(", ", dims)}]");
            seen[d] = true;
            newShape[i] = Shape[d];
            newStrides[i] = StridesArray[d];
            inverse[d] = i;
        }
        var view = new Tensor(Storage, new Shape(newShape), newStrides, Offset);
        return Graph.Record(view, "Permute", [this], g => [g.Permute(inverse)]);
    }

    /// <summary>A view with dims <paramref name="dim0"/> and <paramref name="dim1"/> swapped.</summary>
    public Tensor Transpose(int dim0, int dim1)
    {
        var a = Shape.NormalizeDim(dim0, Rank, "dim0", "Transpose");
        var b = Shape.NormalizeDim(dim1, Rank, "dim1", "Transpose");
        var p = Enumerable.Range(0, Rank).ToArray();
        (p[a], p[b]) = (p[b], p[a]);
        return Rank == 0 ? this : Permute(p);
    }

    /// <summary>Transpose of a matrix (rank ≤ 2), as PyTorch's <c>.T</c> for 2-D.</summary>
    public Tensor T => Rank < 2 ? this : Rank == 2 ? Transpose(0, 1)
        : throw new ShapeMismatchException("T", "input", "rank <= 2 (use Permute/Transpose/MT)", $"rank {Rank}");

    /// <summary>Swaps the last two dims (batched matrix transpose).</summary>
    public Tensor MT => Transpose(-2, -1);
}
