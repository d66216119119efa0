namespace Scratch;

public partial class Tensor
{
    /// <summary>PyTorch-style indexing: <c>x[0]</c>, <c>x[1..^1, 2]</c>, <c>x[TensorIndex.Ellipsis,
    /// TensorIndex.Slice(null, null, 2)]</c>, <c>x[TensorIndex.NewAxis]</c>. Integers, slices, ellipsis and new axes
    /// give views (gradient scattered back). An int64 tensor selects along one dim (negative indices count from the
    /// end) and its shape replaces that dim; a Bool mask of rank k covers k dims, which are replaced by one dim listing
    /// the true positions. Tensor entries copy, like PyTorch's advanced indexing; at most one tensor entry is allowed,
    /// and it is applied after the integer entries (as PyTorch does for a single tensor index). <para>Setting writes
    /// <c>value</c> (broadcast to the indexed shape, converted to this dtype) into the indexed elements in place, like
    /// PyTorch's <c>x[...] = v</c>; with repeated tensor indices the last write wins. It bumps the storage version and
    /// is refused on tensors autograd needs (see <see cref="Copy_"/>).</para></summary>
    [System.Runtime.CompilerServices.IndexerName("Indexer")]
    public Tensor this[params TensorIndex[] indices]
    {
        set
        {
            CheckInPlace("IndexPut_");
            if (value.Device != Device)
                throw new DeviceMismatchException("IndexPut_", "value", Device.ToString(), value.Device.ToString());
            Tensor positions;
            using (Autograd.GradMode.Disable())
                positions = Arange(Numel, DType.I64, Device).Reshape(Shape.ToArray())[indices];
            var converted = value.DType == DType ? value.Detach() : value.Detach().To(DType);
            var v = converted.Expand(positions.Shape.ToArray());
            void PutAt(Tensor dst)
            {
                if (Device.IsHost) IndexKernels.Put(dst, positions.ToArray<long>(), v, accumulate: false);
                else IndexKernels.Put(dst, positions.Materialize(), v, accumulate: false);
            }
            if (IsContiguous)
            {
                PutAt(this);
                Storage.BumpVersion();
                return;
            }
            var staged = CopyData();
            PutAt(staged);
            WriteInPlace(staged, "IndexPut_");
        }
        get
        {
            var consumed = 0;
            var ellipses = 0;
            var tensors = 0;
            foreach (var ix in indices)
            {
                switch (ix.Kind)
                {
                    case TensorIndexKind.Int or TensorIndexKind.Slice:
                        consumed++;
                        break;
                    case TensorIndexKind.Ellipsis:
                        ellipses++;
                        break;
                    case TensorIndexKind.Tensor:
                        tensors++;
                        consumed += ix.Tensor!.DType == DType.Bool ? ix.Tensor.Rank : 1;
                        break;
                }
            }
            var expr = $"[{string.Join(", ", indices)}]";
            if (ellipses > 1)
                throw new ArgumentException(
                    $"Index: indices expected at most one Ellipsis, got {ellipses} in {expr}.", nameof(indices));
            if (tensors > 1)
                throw new ArgumentException(
                    $"Index: indices expected at most one tensor index, got {tensors} in {expr}.", nameof(indices));
            if (consumed > Rank)
                throw new ShapeMismatchException(
                    "Index", "indices", $"at most {Rank} indexed dims for shape {Shape}", $"{consumed} in {expr}");
            var x = this;
            var dim = 0;
            foreach (var ix in indices)
            {
                switch (ix.Kind)
                {
                    case TensorIndexKind.Int:
                        x = x.Select(dim, ix.Value);
                        break;
                    case TensorIndexKind.Slice:
                        x = x.Slice(dim, ix.Start, ix.End, ix.Step);
                        dim++;
                        break;
                    case TensorIndexKind.NewAxis:
                        x = x.Unsqueeze(dim);
                        dim++;
                        break;
                    case TensorIndexKind.Ellipsis:
                        dim += Rank - consumed;
                        break;
                    default:
                        (x, dim) = F.AdvancedIndex(x, dim, ix.Tensor!);
                        break;
                }
            }
            return x;
        }
    }
}

public static partial class F
{
    /// <summary>Applies an int64 index or Bool mask tensor at <paramref name="dim"/>; returns the result and the dim
    /// after the inserted ones.</summary>
    internal static (Tensor Result, int NextDim) AdvancedIndex(Tensor x, int dim, Tensor index)
    {
        if (index.DType == DType.Bool)
        {
            var k = index.Rank;
            var covered = new Shape(x.Shape.ToArray()[dim..(dim + k)]);
            if (index.Shape != covered)
            {
                throw new ShapeMismatchException("Index", "mask",
                    $"shape {covered} (dims {dim}..{dim + k - 1} of {x.Shape})", index.Shape.ToString());
            }
            var flat = k == 0 ? x.Unsqueeze(dim) : x.Flatten(dim, dim + k - 1);
            var mask = index.Reshape(-1).ToArray<bool>();
            var picks = new List<long>();
            for (var i = 0; i < mask.Length; i++)
                if (mask[i]) picks.Add(i);
            var positions = Tensor.From(picks.ToArray());
            if (positions.Device != flat.Device) positions = positions.To(flat.Device);
            return (IndexSelect(flat, dim, positions), dim + 1);
        }
        if (index.DType is not (DType.I64 or DType.I32))
            throw new DTypeMismatchException("Index", "index", "int64 or bool", index.DType.Name());
        if (x.Rank == 0) throw new ShapeMismatchException("Index", "index", "a dim to index", "a scalar input");
        if (!x.Device.IsHost)
        {
            var onDevice = IndexSelectGpu(x, dim, index.Reshape(-1), true, "Index");
            var shape = x.Shape.ToArray().ToList();
            shape.RemoveAt(dim);
            shape.InsertRange(dim, index.Shape.ToArray());
            return (onDevice.Reshape(shape.ToArray()), dim + index.Rank);
        }
        var size = x.Shape[dim];
        var v = IndexKernels.Indices(index, size, "Index", "index", dim, allowNegative: true);
        var picked = IndexSelect(x, dim, Tensor.From(v).To(x.Device));
        var dims = x.Shape.ToArray().ToList();
        dims.RemoveAt(dim);
        dims.InsertRange(dim, index.Shape.ToArray());
        return (picked.Reshape(dims.ToArray()), dim + index.Rank);
    }
}
