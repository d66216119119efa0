namespace Scratch.Models.Common.Detection;

/// <summary>What a detector is built from: the number of foreground classes, the backbone name
/// (<c>resnet18</c>, <c>resnet34</c>, <c>resnet50</c>, <c>resnet101</c>, …), input channels and the seed of the
/// initialisation. The optional fields override the detector's own (paper) defaults where it has such a setting;
/// null keeps the default.</summary>
/// <param name="NumClasses">Foreground classes.</param>
/// <param name="Backbone">Backbone name.</param>
/// <param name="InChannels">Image channels.</param>
/// <param name="Seed">Initialisation seed.</param>
/// <param name="FpnChannels">FPN and head width (FCOS: 256).</param>
/// <param name="NumConvs">Convs per head tower (FCOS: 4).</param>
/// <param name="BackboneNorm">Backbone normalisation (FCOS: FrozenBatchNorm, right only for pretrained weights;
/// training from scratch needs BatchNorm).</param>
/// <param name="FreezeAt">Backbone stages frozen (FCOS: 2; 0 trains every stage, as training from scratch needs).</param>
public sealed record DetectorSpec(int NumClasses, string Backbone = "resnet18", int InChannels = 3, ulong Seed = 0,
    int? FpnChannels = null, int? NumConvs = null, Scratch.Models.Common.Backbones.ResNetNorm? BackboneNorm = null,
    int? FreezeAt = null);

/// <summary>Detectors by name (<c>fcos</c>, <c>borderdet</c>, …), as the command line names them.</summary>
public static class DetectorZoo
{
    private static readonly Dictionary<string, Func<DetectorSpec, Detector>> Factories = new(StringComparer.OrdinalIgnoreCase)
    {
        ["fcos"] = spec => new Scratch.Models.Fcos.FcosDetector(spec),
        ["borderdet"] = spec => new Scratch.Models.BorderDet.BorderDetDetector(spec),
    };

    /// <summary>The registered names, sorted.</summary>
    public static IReadOnlyList<string> Names
    {
        get { lock (Factories) return [.. Factories.Keys.Order(StringComparer.Ordinal)]; }
    }

    /// <summary>Adds (or replaces) the factory called <paramref name="name"/> — for detectors defined outside this
    /// assembly, such as small test models.</summary>
    public static void Register(string name, Func<DetectorSpec, Detector> factory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(factory);
        lock (Factories) Factories[name] = factory;
    }

    /// <summary>Builds the detector called <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">No detector has that name (the message lists the known ones).</exception>
    public static Detector Create(string name, DetectorSpec spec)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(spec);
        Func<DetectorSpec, Detector>? make;
        lock (Factories) Factories.TryGetValue(name, out make);
        return make is not null ? make(spec)
            : throw new ArgumentException($"DetectorZoo: unknown detector '{name}'; expected one of: {string.Join(", ", Names)}.", nameof(name));
    }
}
