namespace Scratch.NN;

/// <summary>The input of <see cref="MultiScaleRoIAlign"/>: named feature maps, one [Kᵢ, 4] xyxy box tensor per image
/// in image coordinates, and each image's (height, width) before the backbone.</summary>
public sealed record PyramidRois(IReadOnlyDictionary<string, Tensor> Features, IReadOnlyList<Tensor> Boxes,
    IReadOnlyList<(int Height, int Width)> ImageShapes);

/// <summary>Multi-scale RoIAlign pooling for FPN detectors (torchvision 0.14's <c>ops.MultiScaleRoIAlign</c>):
/// picks the maps named <see cref="FeatureNames"/> (in that order, finest first) and calls
/// <see cref="F.MultiScaleRoIAlign(IReadOnlyList{Tensor}, IReadOnlyList{Tensor}, IReadOnlyList{ValueTuple{int, int}}, ValueTuple{int, int}, int, int, int)"/>.
/// No parameters.</summary>
public sealed class MultiScaleRoIAlign : Module<PyramidRois, Tensor>
{
    /// <summary>Creates the pooler.</summary>
    /// <param name="featureNames">Names of the pyramid maps to pool from, finest first (non-empty, distinct).</param>
    /// <param name="outputSize">(ph, pw) ≥ 1.</param>
    /// <param name="samplingRatio">RoIAlign samples per bin and axis; ≤ 0 for adaptive.</param>
    /// <param name="canonicalScale">s₀ of the FPN level heuristic (224).</param>
    /// <param name="canonicalLevel">k₀ of the FPN level heuristic (4).</param>
    /// <exception cref="ArgumentException">No or repeated feature names.</exception>
    /// <exception cref="ArgumentOutOfRangeException">outputSize not positive or canonicalScale ≤ 0.</exception>
    public MultiScaleRoIAlign(IReadOnlyList<string> featureNames, (int Height, int Width) outputSize,
        int samplingRatio, int canonicalScale = 224, int canonicalLevel = 4)
    {
        if (featureNames.Count == 0 || featureNames.Distinct().Count() != featureNames.Count)
            throw new ArgumentException(
                $"MultiScaleRoIAlign: featureNames expected distinct names, got [{string.Join(", ", featureNames)}].",
                nameof(featureNames));
        if (outputSize.Height < 1 || outputSize.Width < 1)
            throw new ArgumentOutOfRangeException(nameof(outputSize), outputSize,
                $"MultiScaleRoIAlign: outputSize expected positive (height, width), got {outputSize}.");
        if (canonicalScale <= 0)
            throw new ArgumentOutOfRangeException(nameof(canonicalScale), canonicalScale,
                $"MultiScaleRoIAlign: canonicalScale expected positive, got {canonicalScale}.");
        FeatureNames = [.. featureNames];
        OutputSize = outputSize;
        SamplingRatio = samplingRatio;
        CanonicalScale = canonicalScale;
        CanonicalLevel = canonicalLevel;
    }

    /// <summary>Creates the pooler with a square output size.</summary>
    public MultiScaleRoIAlign(IReadOnlyList<string> featureNames, int outputSize, int samplingRatio,
        int canonicalScale = 224, int canonicalLevel = 4)
        : this(featureNames, (outputSize, outputSize), samplingRatio, canonicalScale, canonicalLevel)
    {
    }

    /// <summary>Names of the pooled maps, finest first.</summary>
    public IReadOnlyList<string> FeatureNames { get; }

    /// <summary>(ph, pw).</summary>
    public (int Height, int Width) OutputSize { get; }

    /// <summary>RoIAlign sampling ratio.</summary>
    public int SamplingRatio { get; }

    /// <summary>s₀ of the level heuristic.</summary>
    public int CanonicalScale { get; }

    /// <summary>k₀ of the level heuristic.</summary>
    public int CanonicalLevel { get; }

    /// <summary>Pools every box: [ΣKᵢ, C, ph, pw], rows in box order.</summary>
    /// <exception cref="KeyNotFoundException">A name in <see cref="FeatureNames"/> is missing from the input.
    /// </exception>
    public override Tensor Forward(PyramidRois input)
    {
        var maps = FeatureNames.Select(n => input.Features.TryGetValue(n, out var t)
            ? t
            : throw new KeyNotFoundException(
                $"MultiScaleRoIAlign: input.Features expected a map named '{n}', got [{string.Join(", ", input.Features.Keys)}].")).ToArray();
        return F.MultiScaleRoIAlign(maps, input.Boxes, input.ImageShapes, OutputSize, SamplingRatio, CanonicalScale,
            CanonicalLevel);
    }
}
