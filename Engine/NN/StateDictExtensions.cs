using Scratch.Autograd;

namespace Scratch.NN;

/// <summary>State-dict save and load for <see cref="Module"/>.</summary>
public static class StateDictExtensions
{
    /// <summary>The module's parameters and persistent buffers under dotted keys in PyTorch's order (see
    /// <see cref="Module.NamedState"/>), as detached views sharing storage with the model (clone them to snapshot).
    /// </summary>
    public static StateDict StateDict(this Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        var sd = new StateDict();
        foreach (var (name, t) in module.NamedState()) sd.Add(name, t.Detach());
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
