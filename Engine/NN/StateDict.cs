using System.Collections;
using Scratch.Autograd;

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

/// <summary>What <see cref="StateDictExtensions.LoadStateDict"/> found: model keys absent from the dict, dict keys
/// the model does not have, and keys present in both with different shapes (those are not loaded).</summary>
public sealed record LoadResult(IReadOnlyList<string> MissingKeys, IReadOnlyList<string> UnexpectedKeys,
    IReadOnlyList<string> ShapeMismatchedKeys)
{
    /// <summary>True when all three lists are empty.</summary>
    public bool IsExact => MissingKeys.Count == 0 && UnexpectedKeys.Count == 0 && ShapeMismatchedKeys.Count == 0;
}

/// <summary>Thrown by a strict <see cref="StateDictExtensions.LoadStateDict"/> that found missing, unexpected or
/// shape-mismatched keys; the message lists all three.</summary>
public sealed class StateDictMismatchException(LoadResult result, string message) : ArgumentException(message)
{
    /// <summary>The three key lists.</summary>
    public LoadResult Result { get; } = result;
}

/// <summary>State-dict save and load for <see cref="Module"/>.</summary>
public static class StateDictExtensions
{
    /// <summary>The module's parameters then persistent buffers under dotted keys, as detached views sharing storage
    /// with the model (clone them to snapshot).</summary>
    public static StateDict StateDict(this Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        var sd = new StateDict();
        foreach (var (name, p) in module.NamedParameters()) sd.Add(name, p.Detach());
        foreach (var (name, b) in module.NamedBuffers(persistentOnly: true)) sd.Add(name, b.Detach());
        return sd;
    }

    /// <summary>Copies the entries of <paramref name="stateDict"/> into the module's parameters and persistent
    /// buffers in place (no-grad; converted to each target's dtype and device).</summary>
    /// <remarks>Strict: any missing, unexpected or shape-mismatched key throws one
    /// <see cref="StateDictMismatchException"/> listing all three, and nothing is loaded. Non-strict: every key
    /// that matches in name and shape is loaded and the lists are returned.</remarks>
    public static LoadResult LoadStateDict(this Module module, StateDict stateDict, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(stateDict);
        var own = module.StateDict();
        var missing = own.Keys.Where(k => !stateDict.ContainsKey(k)).ToArray();
        var unexpected = stateDict.Keys.Where(k => !own.ContainsKey(k)).ToArray();
        var mismatched = own.Keys.Where(k => stateDict.ContainsKey(k) && stateDict[k].Shape != own[k].Shape).ToArray();
        var result = new LoadResult(missing, unexpected, mismatched);
        if (strict && !result.IsExact)
        {
            var shapes = mismatched.Select(k => $"{k} (model {own[k].Shape}, state dict {stateDict[k].Shape})");
            throw new StateDictMismatchException(result,
                $"LoadStateDict({module.GetType().Name}): stateDict does not match the model. " +
                $"Missing keys: [{string.Join(", ", missing)}]. Unexpected keys: [{string.Join(", ", unexpected)}]. " +
                $"Shape-mismatched keys: [{string.Join(", ", shapes)}].");
        }
        using var _ = GradMode.Disable();
        foreach (var key in own.Keys)
        {
            if (!stateDict.TryGetValue(key, out var src) || src.Shape != own[key].Shape) continue;
            var dst = own[key];
            dst.Copy_(src.Detach().To(dst.Device));
        }
        return result;
    }
}
