using System.Numerics;
using Scratch.Autograd;

namespace Scratch.Optim;

/// <summary>Base of the optimizers: parameter groups with their own hyper-parameters, <see cref="Step"/>,
/// <see cref="ZeroGrad"/> and state save/restore compatible in layout with PyTorch's.</summary>
/// <remarks>Updates run under no-grad directly on the parameters' host arrays (contiguous float32 or float64); a
/// parameter without a gradient is skipped and gets no state, as in PyTorch.</remarks>
public abstract class Optimizer
{
    private readonly ParamGroup[] _groups;
    private readonly Dictionary<int, ParamState> _state = [];

    /// <summary>Creates the optimizer over <paramref name="groups"/>, filling unset hyper-parameters with
    /// <paramref name="defaults"/>.</summary>
    protected Optimizer(IEnumerable<ParamGroup> groups, Action<ParamGroup> defaults, string name)
    {
        ArgumentNullException.ThrowIfNull(groups);
        _groups = groups.ToArray();
        Name = name;
        if (_groups.Length == 0)
            throw new ArgumentException($"{name}: groups expected at least one parameter group, got none.", nameof(groups));
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        foreach (var g in _groups)
        {
            defaults(g);
            g.InitialLr = g.Lr ?? 0;
            foreach (var p in g.Parameters)
            {
                if (!p.DType.IsFloating())
                    throw new DTypeMismatchException(name, "parameters", "float32 or float64", p.DType.Name());
                if (!p.IsLeaf)
                    throw new ArgumentException($"{name}: parameters expected leaf tensors, got one produced by {p.GradFn!.Name}.", nameof(groups));
                if (Overlaps(p))
                    throw new ArgumentException($"{name}: parameters expected tensors whose elements have distinct memory, got an expanded (stride-0) tensor of shape {p.Shape}; materialise it with Contiguous().", nameof(groups));
                if (!seen.Add(p))
                    throw new ArgumentException($"{name}: parameters expected each tensor once, got a tensor of shape {p.Shape} twice.", nameof(groups));
            }
        }
    }

    /// <summary>The optimizer name used in error messages.</summary>
    protected string Name { get; }

    /// <summary>The parameter groups in order.</summary>
    public IReadOnlyList<ParamGroup> ParamGroups => _groups;

    /// <summary>Sets the learning rate of every group (reads the first group's).</summary>
    public double Lr
    {
        get => _groups[0].Lr ?? 0;
        set
        {
            foreach (var g in _groups) g.Lr = value;
        }
    }

    /// <summary>Clears every parameter's gradient (PyTorch's <c>zero_grad(set_to_none=True)</c>).</summary>
    public void ZeroGrad()
    {
        foreach (var g in _groups)
            foreach (var p in g.Parameters) p.Grad = null;
    }

    /// <summary>Applies one update to every parameter that has a gradient.</summary>
    public void Step()
    {
        using var _ = GradMode.Disable();
        var index = 0;
        foreach (var g in _groups)
        {
            foreach (var p in g.Parameters)
            {
                var i = index++;
                if (p.Grad is not { } grad) continue;
                if (grad.Shape != p.Shape)
                    throw new ShapeMismatchException($"{Name}.Step", "grad", p.Shape.ToString(), grad.Shape.ToString());
                if (!_state.TryGetValue(i, out var st)) _state[i] = st = new ParamState();
                st.Step++;
                var target = p.IsContiguous ? p : p.Detach().Contiguous();
                var gc = (grad.DType == p.DType ? grad : grad.To(p.DType)).To(p.Device).Materialize();
                if (p.DType == DType.F32) Update<float>(g, target, gc, st);
                else Update<double>(g, target, gc, st);
                if (!ReferenceEquals(target, p)) p.Copy_(target);
                p.Storage.BumpVersion();
            }
        }
    }

    /// <summary>Updates one contiguous parameter in place given its contiguous gradient and state (whose
    /// <see cref="ParamState.Step"/> already counts this step).</summary>
    private protected abstract void Update<T>(ParamGroup group, Tensor param, Tensor grad, ParamState state)
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>The named state buffer of <paramref name="param"/>'s shape, created zeroed when absent.</summary>
    private protected static Tensor Buffer(ParamState st, string key, Tensor param, out bool created)
    {
        created = !st.Buffers.TryGetValue(key, out var b);
        if (created) st.Buffers[key] = b = Tensor.Zeros(param.Shape, param.DType, param.Device);
        return b!;
    }

    /// <summary>The per-element update over aligned chunks of the parameter, its gradient and up to three state
    /// buffers (empty spans for absent ones).</summary>
    private protected delegate void ChunkBody<T>(Span<T> param, ReadOnlySpan<T> grad, Span<T> buf0, Span<T> buf1, Span<T> buf2);

    /// <summary>Runs <paramref name="body"/> over the contiguous host arrays in chunks, in parallel for large
    /// parameters (elements are independent, so the result does not depend on the split).</summary>
    private protected static void ForChunks<T>(Tensor param, Tensor grad, Tensor? buf0, Tensor? buf1, Tensor? buf2,
        ChunkBody<T> body) where T : unmanaged
    {
        var p = param.HostArray<T>();
        var g = grad.HostArray<T>();
        var (po, go) = ((int)param.Offset, (int)grad.Offset);
        var b0 = buf0?.HostArray<T>() ?? [];
        var b1 = buf1?.HostArray<T>() ?? [];
        var b2 = buf2?.HostArray<T>() ?? [];
        Backends.HostParallel.Chunks(param.Numel, true, (lo, hi) =>
        {
            var (l, n) = ((int)lo, (int)(hi - lo));
            body(p.AsSpan(po + l, n), g.AsSpan(go + l, n),
                b0.Length == 0 ? [] : b0.AsSpan(l, n),
                b1.Length == 0 ? [] : b1.AsSpan(l, n),
                b2.Length == 0 ? [] : b2.AsSpan(l, n));
        });
    }

    /// <summary>A snapshot of the state (deep copies of every buffer) and hyper-parameters.</summary>
    public OptimizerState StateDict()
    {
        var state = new SortedDictionary<int, ParamStateEntry>();
        foreach (var (i, st) in _state)
            state[i] = new ParamStateEntry(st.Step, st.Buffers.ToDictionary(kv => kv.Key, kv => kv.Value.CopyData()));
        return new OptimizerState(
            new Dictionary<int, ParamStateEntry>(state),
            _groups.Select(g => g.Hyper()).ToArray(),
            _groups.Select(g => g.Parameters.Count).ToArray());
    }

    /// <summary>Restores a snapshot from <see cref="StateDict"/> of an optimizer of the same kind over parameters of
    /// the same group sizes and shapes (buffers are copied and converted to each parameter's dtype/device).</summary>
    public void LoadStateDict(OptimizerState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var sizes = _groups.Select(g => g.Parameters.Count).ToArray();
        if (!sizes.SequenceEqual(state.GroupSizes) || state.Groups.Count != _groups.Length)
            throw new ArgumentException($"{Name}.LoadStateDict: state expected groups of sizes [{string.Join(", ", sizes)}], got [{string.Join(", ", state.GroupSizes)}].", nameof(state));
        var all = _groups.SelectMany(g => g.Parameters).ToArray();
        var loaded = new Dictionary<int, ParamState>();
        foreach (var (i, entry) in state.State)
        {
            if (i < 0 || i >= all.Length)
                throw new ArgumentException($"{Name}.LoadStateDict: state expected parameter indices in [0, {all.Length}), got {i}.", nameof(state));
            var st = new ParamState { Step = entry.Step };
            foreach (var (key, buf) in entry.Buffers)
            {
                if (buf.Shape != all[i].Shape)
                    throw new ShapeMismatchException($"{Name}.LoadStateDict", $"state[{i}].{key}", all[i].Shape.ToString(), buf.Shape.ToString());
                using var _ = GradMode.Disable();
                st.Buffers[key] = buf.Detach().To(all[i].DType).To(all[i].Device).CopyData();
            }
            loaded[i] = st;
        }
        _state.Clear();
        foreach (var (i, st) in loaded) _state[i] = st;
        for (var gi = 0; gi < _groups.Length; gi++) _groups[gi].SetHyper(state.Groups[gi]);
    }

    private static bool Overlaps(Tensor p)
    {
        for (var i = 0; i < p.Rank; i++)
            if (p.Strides[i] == 0 && p.Shape.Dims[i] > 1) return true;
        return false;
    }

    /// <summary>Throws unless <paramref name="value"/> is finite and ≥ 0.</summary>
    private protected void RequireNonNegative(double? value, string arg)
    {
        if (value is not { } v || !double.IsFinite(v) || v < 0)
            throw new ArgumentOutOfRangeException(arg, value, $"{Name}: {arg} expected a finite value >= 0, got {value?.ToString() ?? "null"}.");
    }

    /// <summary>Mutable per-parameter state.</summary>
    private protected sealed class ParamState
    {
        public long Step;
        public readonly Dictionary<string, Tensor> Buffers = [];
    }
}
