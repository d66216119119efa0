namespace Scratch;

public partial class Tensor
{
    /// <summary>Inserts a size-1 dim at <paramref name="dim"/> (in [−rank−1, rank]).</summary>
    public Tensor Unsqueeze(int dim)
    {
        var d = Shape.NormalizeDim(dim, Rank + 1, "dim", "Unsqueeze");
        var dims = Shape.ToArray().ToList();
        dims.Insert(d, 1);
        return Reshape(dims.ToArray());
    }

    /// <summary>Removes size-1 dims (all, or only <paramref name="dim"/> when given and of size 1).</summary>
    public Tensor Squeeze(int? dim = null)
    {
        var dims = new List<int>();
        int? only = dim is { } x ? Shape.NormalizeDim(x, Rank, "dim", "Squeeze") : null;
        for (var i = 0; i < Rank; i++)
        {
            var drop = Shape[i] == 1 && (only is null || only == i);
            if (!drop) dims.Add(Shape[i]);
        }
        return Reshape(dims.ToArray());
    }
}
