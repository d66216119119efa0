namespace Scratch.NN;

/// <summary>An indexed list of child modules (keys "0", "1", ...); it has no forward of its own.</summary>
public sealed class ModuleList<TModule> : Module where TModule : Module
{
    private readonly List<TModule> _items = [];

    /// <summary>Creates the list from <paramref name="items"/>.</summary>
    public ModuleList(params TModule[] items)
    {
        foreach (var m in items) Append(m);
    }

    /// <summary>Number of modules.</summary>
    public int Count => _items.Count;

    /// <summary>Module <paramref name="index"/>.</summary>
    public TModule this[int index] => _items[index];

    /// <summary>Appends under the next index.</summary>
    public ModuleList<TModule> Append(TModule item)
    {
        Add(_items.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), item);
        _items.Add(item);
        return this;
    }

    /// <summary>The modules in order.</summary>
    public IEnumerable<TModule> Items => _items;
}
