using System.Collections;

namespace Scratch.NN;

/// <summary>An insertion-ordered map from dotted keys (<c>layer1.0.conv1.weight</c>) to tensors: a model's
/// parameters and persistent buffers, as PyTorch's <c>state_dict()</c>.</summary>
public sealed class StateDict : IEnumerable<KeyValuePair<string, Tensor>>
{
    private readonly List<string> _keys = [];
    private readonly Dictionary<string, Tensor> _values = new(StringComparer.Ordinal);

    /// <summary>Number of entries.</summary>
    public int Count => _keys.Count;

    /// <summary>Keys in insertion order.</summary>
    public IReadOnlyList<string> Keys => _keys;

    /// <summary>The tensor under <paramref name="key"/>; setting an existing key keeps its position.</summary>
    public Tensor this[string key]
    {
        get => _values.TryGetValue(key, out var t) ? t : throw new KeyNotFoundException($"StateDict: no key '{key}'.");
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            if (!_values.ContainsKey(key)) _keys.Add(key);
            _values[key] = value;
        }
    }

    /// <summary>Adds a new entry (throws when the key exists).</summary>
    public void Add(string key, Tensor value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!_values.TryAdd(key, value)) throw new ArgumentException($"StateDict: key '{key}' already present.", nameof(key));
        _keys.Add(key);
    }

    /// <summary>Removes an entry; returns whether it existed.</summary>
    public bool Remove(string key)
    {
        if (!_values.Remove(key)) return false;
        _keys.Remove(key);
        return true;
    }

    /// <summary>Whether <paramref name="key"/> is present.</summary>
    public bool ContainsKey(string key) => _values.ContainsKey(key);

    /// <summary>Looks up <paramref name="key"/>.</summary>
    public bool TryGetValue(string key, out Tensor value)
    {
        var found = _values.TryGetValue(key, out var t);
        value = t!;
        return found;
    }

    /// <inheritdoc/>
    public IEnumerator<KeyValuePair<string, Tensor>> GetEnumerator() =>
        _keys.Select(k => new KeyValuePair<string, Tensor>(k, _values[k])).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
