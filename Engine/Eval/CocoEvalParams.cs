namespace Scratch.Eval;

/// <summary>Which overlap COCO evaluation matches on.</summary>
public enum CocoIouType
{
    /// <summary>Box IoU of <c>[x, y, w, h]</c> boxes.</summary>
    Bbox,
    /// <summary>Mask IoU of RLE / polygon segmentations.</summary>
    Segm,
}

/// <summary>Parameters of <see cref="CocoEval"/>; the defaults are pycocotools' detection defaults.</summary>
/// <remarks>The thresholds are built as numpy's <c>linspace</c> builds them (<c>start + i·step</c>, last = stop),
/// bit for bit, because recall thresholds are compared exactly with recalls k/n.</remarks>
public sealed record CocoEvalParams
{
    /// <summary>IoU thresholds T: 0.50:0.05:0.95.</summary>
    public double[] IouThresholds { get; init; } = Linspace(0.5, 0.95, 10);

    /// <summary>Recall thresholds R: 0:0.01:1 (101 points).</summary>
    public double[] RecallThresholds { get; init; } = Linspace(0, 1, 101);

    /// <summary>Max detections per image and category M, ascending: 1, 10, 100.</summary>
    public int[] MaxDets { get; init; } = [1, 10, 100];

    /// <summary>Area ranges A (inclusive bounds, in pixels²): all [0, 1e10], small [0, 32²], medium [32², 96²],
    /// large [96², 1e10].</summary>
    public (double Lo, double Hi)[] AreaRanges { get; init; } = [(0, 1e10), (0, 32 * 32), (32 * 32, 96 * 96), (96 * 96, 1e10)];

    /// <summary>Labels of <see cref="AreaRanges"/>.</summary>
    public string[] AreaLabels { get; init; } = ["all", "small", "medium", "large"];

    /// <summary><paramref name="num"/> evenly spaced values from <paramref name="start"/> to <paramref name="stop"/>
    /// inclusive, computed exactly as numpy.linspace does for float64.</summary>
    public static double[] Linspace(double start, double stop, int num)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(num, 2);
        var step = (stop - start) / (num - 1);
        var y = new double[num];
        for (var i = 0; i < num; i++) y[i] = i * step + start;
        y[^1] = stop;
        return y;
    }
}

/// <summary>The 12 COCO detection summary numbers (fractions in [0, 1], or −1 where no ground truth qualifies),
/// in pycocotools' <c>stats</c> order.</summary>
public sealed record CocoStats(double AP, double AP50, double AP75, double APs, double APm, double APl,
    double AR1, double AR10, double AR100, double ARs, double ARm, double ARl)
{
    /// <summary>The names of the stats in order (also the keys of the CLI's JSON output).</summary>
    public static readonly string[] Names = ["AP", "AP50", "AP75", "APs", "APm", "APl", "AR1", "AR10", "AR100", "ARs", "ARm", "ARl"];

    /// <summary>The 12 values in pycocotools' order.</summary>
    public double[] ToArray() => [AP, AP50, AP75, APs, APm, APl, AR1, AR10, AR100, ARs, ARm, ARl];
}
