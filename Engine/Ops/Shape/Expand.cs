using Scratch.Autograd;

namespace Scratch;

public partial class Tensor
{
    /// <summary>A broadcast view of this tensor at <paramref name="shape"/> (stride 0 on expanded dims; −1 keeps a
    /// size). New leading dims may be added.</summary>
    public Tensor Expand(params int[] shape)
    {
        if (shape.Length < Rank)
            throw new ShapeMismatchException("Expand", "shape", $"at least {Rank} dims", $"[{string.Join(", ", shape)}]");
        var lead = shape.Length - Rank;
        var dims = new int[shape.Length];
        var strides = new long[shape.Length];
        for (var i = 0; i < shape.Length; i++)
        {
            var want = shape[i];
            if (i < lead)
            {
                if (want < 0) throw new ShapeMismatchException("Expand", "shape", "non-negative new leading sizes", $"[{string.Join(", ", shape)}]");
                dims[i] = want;
                strides[i] = 0;
                continue;
            }
            var have = Shape[i - lead];
            if (want == -1 || want == have)
            {
                dims[i] = have;
                strides[i] = StridesArray[i - lead];
            }
            else if (have == 1)
            {
                dims[i] = want;
                strides[i] = 0;
            }
            else
            {
                throw new ShapeMismatchException("Expand", "shape", $"a shape {Shape} can broadcast to", $"[{string.Join(", ", shape)}]");
            }
        }
        var input = this;
        var view = new Tensor(Storage, new Shape(dims), strides, Offset);
        return Graph.Record(view, "Expand", [input], g => [g.SumToShape(input.Shape)]);
    }

    /// <summary>Expands to <paramref name="shape"/> (alias of <see cref="Expand"/>).</summary>
    public Tensor BroadcastTo(Shape shape) => Expand(shape.ToArray());

    /// <summary>Sums over broadcast dims so the result has <paramref name="shape"/>: the adjoint of broadcasting.</summary>
    public Tensor SumToShape(Shape shape)
    {
        if (Shape == shape) return this;
        var lead = Rank - shape.Rank;
        if (lead < 0) throw new ShapeMismatchException("SumToShape", "shape", $"rank <= {Rank}", shape.ToString());
        var dims = new List<int>();
        for (var i = 0; i < Rank; i++)
        {
            if (i < lead || (shape[i - lead] == 1 && Shape[i] != 1)) dims.Add(i);
            else if (shape[i - lead] != Shape[i])
                throw new ShapeMismatchException("SumToShape", "shape", $"a shape {Shape} broadcasts from", shape.ToString());
        }
        var summed = dims.Count == 0 ? this : Sum(dims.ToArray(), keepDim: true);
        return summed.Reshape(shape.ToArray());
    }
}
