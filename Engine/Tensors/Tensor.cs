using Scratch.Autograd;
using Scratch.Backends;

namespace Scratch;

/// <summary>An n-dimensional array: a shape, element strides and an offset over shared <see cref="Storage"/>, plus the
/// autograd state (requires-grad flag, accumulated gradient, the node that produced it).</summary>
/// <remarks>Views (reshape of contiguous data, permute, slice, expand ...) share storage; a stride of 0 broadcasts.
/// Strides are never negative (flip copies, as in PyTorch).</remarks>
public partial class Tensor
{
    private long[] _strides;
    private bool _requiresGrad;

    internal Tensor(Storage storage, Shape shape, long[] strides, long offset)
    {
        if (strides.Length != shape.Rank)
            throw new ArgumentException($"Tensor: strides expected rank {shape.Rank}, got {strides.Length}.", nameof(strides));
        Storage = storage;
        Shape = shape;
        _strides = strides;
        Offset = offset;
    }

    internal Tensor(Storage storage, Shape shape) : this(storage, shape, shape.ContiguousStrides(), 0)
    {
    }

    /// <summary>Shares <paramref name="data"/>'s storage and view (used by NN.Parameter).</summary>
    protected Tensor(Tensor data) : this(data.Storage, data.Shape, data._strides, data.Offset)
    {
    }

    /// <summary>The shared element buffer.</summary>
    public Storage Storage { get; private set; }

    /// <summary>Dimension sizes.</summary>
    public Shape Shape { get; private set; }

    /// <summary>Element strides per dimension (0 = broadcast).</summary>
    public ReadOnlySpan<long> Strides => _strides;

    /// <summary>Index of the first element in <see cref="Storage"/>.</summary>
    public long Offset { get; private set; }

    /// <summary>Element type.</summary>
    public DType DType => Storage.DType;

    /// <summary>Device of the storage.</summary>
    public Device Device => Storage.Device;

    /// <summary>Number of dimensions.</summary>
    public int Rank => Shape.Rank;

    /// <summary>Number of elements.</summary>
    public long Numel => Shape.Numel;

    /// <summary>Size of dimension <paramref name="dim"/> (negative counts from the end).</summary>
    public int Size(int dim) => Shape[dim];

    /// <summary>Stride of dimension <paramref name="dim"/>.</summary>
    public long Stride(int dim) => _strides[Shape.NormalizeDim(dim, Rank)];

    /// <summary>True when elements are laid out row-major without gaps (size-1 dims may have any stride).</summary>
    public bool IsContiguous
    {
        get
        {
            long expected = 1;
            for (var i = Rank - 1; i >= 0; i--)
            {
                var d = Shape.Dims[i];
                if (d == 1) continue;
                if (d == 0) return true;
                if (_strides[i] != expected) return false;
                expected *= d;
            }
            return true;
        }
    }

    /// <summary>Whether gradients flow to this tensor. Settable on leaves of floating dtype only.</summary>
    public bool RequiresGrad
    {
        get => _requiresGrad;
        set
        {
            if (GradFn is not null && !value)
                throw new AutogradException($"RequiresGrad can only be cleared on leaf tensors; this one was produced by {GradFn.Name}. Use Detach().");
            if (value && !DType.IsFloating())
                throw new DTypeMismatchException("RequiresGrad", "dtype", "float32 or float64", DType.Name());
            _requiresGrad = value;
        }
    }

    /// <summary>Sets <see cref="RequiresGrad"/> and returns this tensor (fluent).</summary>
    public Tensor RequiresGrad_(bool requiresGrad = true)
    {
        RequiresGrad = requiresGrad;
        return this;
    }

    internal void RequiresGradFromGraph() => _requiresGrad = true;

    /// <summary>Accumulated gradient of a leaf after <see cref="Backward"/>.</summary>
    public Tensor? Grad { get; set; }

    /// <summary>The autograd node that produced this tensor (null for leaves and under no-grad).</summary>
    public Node? GradFn { get; internal set; }

    /// <summary>True when no op recorded this tensor (user-created tensors and parameters).</summary>
    public bool IsLeaf => GradFn is null;

    internal IBackend Backend => BackendRegistry.For(Device);

    internal long[] StridesArray => _strides;

    /// <summary>Makes this tensor refer to <paramref name="data"/>'s storage and view (PyTorch's <c>p.data = t</c>);
    /// used to move parameters between devices and dtypes while keeping their identity.</summary>
    internal void SetData(Tensor data)
    {
        if (data.DType.IsFloating() != DType.IsFloating() && RequiresGrad)
            throw new DTypeMismatchException("SetData", "data", "a floating dtype for a tensor that requires grad", data.DType.Name());
        Storage = data.Storage;
        Shape = data.Shape;
        _strides = data._strides;
        Offset = data.Offset;
    }

    /// <summary>A view sharing storage that is cut off from the graph.</summary>
    public Tensor Detach() => new(Storage, Shape, _strides, Offset);

    /// <summary>Runs reverse-mode autodiff from this tensor; see <see cref="Autograd.Backward.Run"/>.</summary>
    public void Backward(Tensor? gradient = null, bool retainGraph = false) =>
        Autograd.Backward.Run(this, gradient, retainGraph);

    /// <summary>Sets <see cref="Grad"/> to null.</summary>
    public void ZeroGrad() => Grad = null;

    /// <inheritdoc/>
    public override string ToString() => TensorFormat.Format(this);
}
