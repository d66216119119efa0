using Scratch.Autograd;

namespace Scratch.NN;

/// <summary>Base of every layer and model: explicitly registered parameters, buffers and children with PyTorch's
/// dotted state-dict keys, train/eval mode and device moves.</summary>
/// <remarks>Registration is explicit (<see cref="Param"/>, <see cref="Buffer"/>, <see cref="Add{TModule}"/>), in
/// order; keys are <c>child.grandchild.name</c>, so PyTorch checkpoints map without renaming tables.</remarks>
public abstract class Module
{
    private readonly List<(string Name, Parameter? Value)> _params = [];
    private readonly List<(string Name, Tensor? Value, bool Persistent)> _buffers = [];
    private readonly List<(string Name, Module Value)> _children = [];

    /// <summary>True in training mode (the default); affects dropout and batch norm.</summary>
    public bool Training { get; private set; } = true;

    /// <summary>Registers a child module under <paramref name="name"/> and returns it.</summary>
    protected TModule Add<TModule>(string name, TModule child) where TModule : Module
    {
        CheckName(name);
        _children.Add((name, child));
        return child;
    }

    /// <summary>Registers <paramref name="init"/> as a trainable parameter and returns it.</summary>
    protected Parameter Param(string name, Tensor init)
    {
        CheckName(name);
        var p = init as Parameter ?? new Parameter(init);
        _params.Add((name, p));
        return p;
    }

    /// <summary>Registers an optional (absent) parameter slot, e.g. a disabled bias; it has no state-dict key.</summary>
    protected void NoParam(string name)
    {
        CheckName(name);
        _params.Add((name, null));
    }

    /// <summary>Registers a buffer (state that is not trained, e.g. running statistics) and returns it.</summary>
    protected Tensor Buffer(string name, Tensor init, bool persistent = true)
    {
        CheckName(name);
        _buffers.Add((name, init, persistent));
        return init;
    }

    /// <summary>Replaces the tensor of a registered buffer (running statistics are updated this way).</summary>
    protected void SetBuffer(string name, Tensor value)
    {
        var i = _buffers.FindIndex(b => b.Name == name);
        if (i < 0) throw new ArgumentException($"{GetType().Name}: no buffer named '{name}'.", nameof(name));
        _buffers[i] = (name, value, _buffers[i].Persistent);
    }

    /// <summary>The current tensor of a registered buffer.</summary>
    protected Tensor GetBuffer(string name) =>
        _buffers.Find(b => b.Name == name).Value ?? throw new ArgumentException($"{GetType().Name}: no buffer named '{name}'.", nameof(name));

    /// <summary>Direct children in registration order.</summary>
    public IEnumerable<(string Name, Module Module)> NamedChildren() => _children.Select(c => (c.Name, c.Value));

    /// <summary>All modules in the tree with dotted names ("" for this one), depth first.</summary>
    public IEnumerable<(string Name, Module Module)> NamedModules(string prefix = "")
    {
        yield return (prefix, this);
        foreach (var (name, child) in _children)
            foreach (var m in child.NamedModules(Join(prefix, name)))
                yield return m;
    }

    /// <summary>All parameters with dotted PyTorch-style keys (e.g. <c>layer1.0.conv1.weight</c>).</summary>
    public IEnumerable<(string Name, Parameter Value)> NamedParameters(string prefix = "")
    {
        foreach (var (name, p) in _params)
            if (p is not null) yield return (Join(prefix, name), p);
        foreach (var (name, child) in _children)
            foreach (var p in child.NamedParameters(Join(prefix, name)))
                yield return p;
    }

    /// <summary>Parameters and persistent buffers in PyTorch's state-dict order: for each module, depth first, its own
    /// parameters then its own buffers (<c>_save_to_state_dict</c> order).</summary>
    public IEnumerable<(string Name, Tensor Value)> NamedState(string prefix = "")
    {
        foreach (var (name, p) in _params)
            if (p is not null) yield return (Join(prefix, name), p);
        foreach (var (name, b, persistent) in _buffers)
            if (b is not null && persistent) yield return (Join(prefix, name), b);
        foreach (var (name, child) in _children)
            foreach (var s in child.NamedState(Join(prefix, name)))
                yield return s;
    }

    /// <summary>All parameters in key order.</summary>
    public IEnumerable<Parameter> Parameters() => NamedParameters().Select(p => p.Value);

    /// <summary>All buffers with dotted keys (persistent ones only when <paramref name="persistentOnly"/>).</summary>
    public IEnumerable<(string Name, Tensor Value)> NamedBuffers(string prefix = "", bool persistentOnly = false)
    {
        foreach (var (name, b, persistent) in _buffers)
            if (b is not null && (persistent || !persistentOnly)) yield return (Join(prefix, name), b);
        foreach (var (name, child) in _children)
            foreach (var b in child.NamedBuffers(Join(prefix, name), persistentOnly))
                yield return b;
    }

    /// <summary>Sets training mode on this module and every descendant; returns this.</summary>
    public Module Train(bool on = true)
    {
        foreach (var (_, m) in NamedModules()) m.Training = on;
        return this;
    }

    /// <summary>Sets evaluation mode (<c>Train(false)</c>); returns this.</summary>
    public Module Eval() => Train(false);

    /// <summary>Clears the gradients of every parameter.</summary>
    public void ZeroGrad()
    {
        foreach (var p in Parameters()) p.Grad = null;
    }

    /// <summary>Moves every parameter and buffer to <paramref name="device"/> in place; returns this.</summary>
    public Module To(Device device) => Convert(t => t.To(device));

    /// <summary>Converts every floating parameter and buffer to <paramref name="dtype"/>; returns this.</summary>
    public Module To(DType dtype) => Convert(t => t.DType.IsFloating() ? t.To(dtype) : t);

    private Module Convert(Func<Tensor, Tensor> f)
    {
        using var _ = GradMode.Disable();
        foreach (var (_, m) in NamedModules())
        {
            foreach (var (_, p) in m._params)
                if (p is not null) p.SetData(f(p.Detach()));
            foreach (var (_, b, _) in m._buffers)
                b?.SetData(f(b.Detach()));
        }
        return this;
    }

    /// <summary>Looks up a parameter by its local name.</summary>
    protected Parameter? LocalParameter(string name) => _params.Find(p => p.Name == name).Value;

    private void CheckName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('.'))
            throw new ArgumentException($"{GetType().Name}: a registered name must be non-empty without '.', got '{name}'.", nameof(name));
        if (_params.Any(p => p.Name == name) || _buffers.Any(b => b.Name == name) || _children.Any(c => c.Name == name))
            throw new ArgumentException($"{GetType().Name}: '{name}' is already registered.", nameof(name));
    }

    private static string Join(string prefix, string name) => prefix.Length == 0 ? name : prefix + "." + name;
}

/// <summary>A module with a typed forward pass.</summary>
public abstract class Module<TIn, TOut> : Module
{
    /// <summary>The forward computation.</summary>
    public abstract TOut Forward(TIn input);

    /// <summary>Calls <see cref="Forward"/>.</summary>
    public TOut Call(TIn input) => Forward(input);
}
