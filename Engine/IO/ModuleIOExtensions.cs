using Scratch.NN;

namespace Scratch.IO;

/// <summary>File save and load for <see cref="Module"/> weights: safetensors both ways, PyTorch checkpoints on load.</summary>
public static class ModuleIOExtensions
{
    /// <summary>Writes the module's state dict (parameters then persistent buffers) to a safetensors file.</summary>
    public static void SaveSafetensors(this Module module, string path, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        Safetensors.Write(path, module.StateDict(), metadata);
    }

    /// <summary>Loads a safetensors file into the module (see <see cref="StateDictExtensions.LoadStateDict"/> for
    /// <paramref name="strict"/>; values are converted to each parameter's dtype).</summary>
    public static LoadResult LoadSafetensors(this Module module, string path, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(module);
        return module.LoadStateDict(Safetensors.Read(path).StateDict, strict);
    }

    /// <summary>Loads a PyTorch <c>.pth</c>/<c>.pt</c> checkpoint into the module: a bare state dict or one under
    /// <c>"state_dict"</c> / <c>"model"</c> (see <see cref="TorchCheckpoint.ToStateDict"/>).</summary>
    public static LoadResult LoadTorch(this Module module, string path, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(module);
        return module.LoadStateDict(TorchLoad.ReadStateDict(path), strict);
    }
}
