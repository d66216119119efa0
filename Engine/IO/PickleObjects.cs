using System.Collections;

namespace Scratch.IO;

/// <summary>Thrown when a pickle names a global outside the allowlist of <see cref="TorchLoad"/> (for example
/// <c>os.system</c>); nothing in the pickle is ever executed.</summary>
public sealed class UnsafePickleException(string message) : Exception(message)
{
}

/// <summary>A Python tuple from a checkpoint: immutable, compared and hashed by value (usable as a dict key).</summary>
public sealed class PickleTuple(object?[] items) : IReadOnlyList<object?>, IEquatable<PickleTuple>
{
    private readonly object?[] _items = items;

    /// <summary>Number of items.</summary>
    public int Count => _items.Length;

    /// <summary>Item <paramref name="index"/>.</summary>
    public object? this[int index] => _items[index];

    /// <inheritdoc/>
    public IEnumerator<object?> GetEnumerator() => ((IEnumerable<object?>)_items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <inheritdoc/>
    public bool Equals(PickleTuple? other) =>
        other is not null && other.Count == Count && _items.Zip(other._items).All(p => PickleKey.Same(p.First, p.Second, 0));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is PickleTuple t && Equals(t);

    /// <inheritdoc/>
    public override int GetHashCode() => PickleKey.Hash(this, 0);

    /// <summary>The value hash, computed once (tuples are immutable; a large tuple used as a key many times is
    /// hashed once).</summary>
    internal int? CachedHash { get; set; }

    /// <inheritdoc/>
    public override string ToString() => PickleKey.Show(this);
}

/// <summary>A Python dict or OrderedDict from a checkpoint: insertion-ordered, keys compared by value (str, int,
/// float, bool, None, bytes or tuples of those).</summary>
public sealed class PickleDict : IEnumerable<KeyValuePair<object?, object?>>
{
    private readonly List<object?> _keys = [];
    private readonly Dictionary<object, object?> _values = new(PickleKey.Comparer);

    /// <summary>Number of entries.</summary>
    public int Count => _keys.Count;

    /// <summary>Keys in insertion order.</summary>
    public IReadOnlyList<object?> Keys => _keys;

    /// <summary>Instance attributes set by the pickle's BUILD (e.g. the <c>_metadata</c> of a state dict), or empty.</summary>
    public Dictionary<string, object?> Attributes { get; } = new(StringComparer.Ordinal);

    /// <summary>The value under <paramref name="key"/>; setting an existing key keeps its position.</summary>
    public object? this[object? key]
    {
        get => _values.TryGetValue(Box(key), out var v) ? v : throw new KeyNotFoundException($"PickleDict: no key {PickleKey.Show(key)}.");
        set
        {
            if (!_values.ContainsKey(Box(key))) _keys.Add(key);
            _values[Box(key)] = value;
        }
    }

    /// <summary>Whether <paramref name="key"/> is present.</summary>
    public bool ContainsKey(object? key) => _values.ContainsKey(Box(key));

    /// <summary>Looks up <paramref name="key"/>.</summary>
    public bool TryGetValue(object? key, out object? value) => _values.TryGetValue(Box(key), out value);

    /// <inheritdoc/>
    public IEnumerator<KeyValuePair<object?, object?>> GetEnumerator() =>
        _keys.Select(k => new KeyValuePair<object?, object?>(k, _values[Box(k)])).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private static object Box(object? key) => key ?? PickleKey.NoneKey;
}

/// <summary>Value equality and hashing for dict keys, with a depth limit (deeply nested tuples are rejected).</summary>
internal static class PickleKey
{
    private const int MaxDepth = 64;

    public static readonly object NoneKey = new();

    public static readonly IEqualityComparer<object> Comparer = new KeyComparer();

    public static bool Same(object? a, object? b, int depth)
    {
        if (depth > MaxDepth) throw new ArgumentException("dict key nested too deeply");
        if (ReferenceEquals(a, b)) return true;
        return (a, b) switch
        {
            (null, null) => true,
            (PickleTuple x, PickleTuple y) => x.Count == y.Count && Enumerable.Range(0, x.Count).All(i => Same(x[i], y[i], depth + 1)),
            (byte[] x, byte[] y) => x.AsSpan().SequenceEqual(y),
            (null, _) or (_, null) => false,
            _ => a.Equals(b),
        };
    }

    public static int Hash(object? key, int depth)
    {
        if (depth > MaxDepth) throw new ArgumentException("dict key nested too deeply");
        switch (key)
        {
            case null: return 0;
            case var o when ReferenceEquals(o, NoneKey): return 0;
            case PickleTuple t:
                if (t.CachedHash is { } cached) return cached;
                var h = new HashCode();
                foreach (var item in t) h.Add(Hash(item, depth + 1));
                t.CachedHash = h.ToHashCode();
                return t.CachedHash.Value;
            case byte[] b:
                var hb = new HashCode();
                hb.AddBytes(b);
                return hb.ToHashCode();
            case string or long or double or bool or System.Numerics.BigInteger: return key.GetHashCode();
            default: throw new ArgumentException($"unhashable dict key {Show(key)}");
        }
    }

    /// <summary>A short Python-like rendering for messages (bounded in depth and length).</summary>
    public static string Show(object? v) => Show(v, 0);

    private static string Show(object? v, int depth) => v switch
    {
        null => "None",
        string s => s.Length > 64 ? $"'{s[..64]}...'" : $"'{s}'",
        bool b => b ? "True" : "False",
        long or double or System.Numerics.BigInteger => System.Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture)!,
        PickleTuple t when depth >= 3 => "(...)",
        PickleTuple t => "(" + string.Join(", ", t.Take(8).Select(x => Show(x, depth + 1))) + (t.Count > 8 ? ", ..." : "") + (t.Count == 1 ? ",)" : ")"),
        Tensor t => $"tensor{t.Shape}",
        PickleDict d => $"dict({d.Count})",
        List<object?> l => $"list({l.Count})",
        byte[] b => $"bytes({b.Length})",
        _ => v.GetType().Name,
    };

    private sealed class KeyComparer : IEqualityComparer<object>
    {
        public new bool Equals(object? x, object? y) => Same(x, y, 0);

        public int GetHashCode(object obj) => Hash(obj, 0);
    }
}
