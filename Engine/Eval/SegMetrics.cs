namespace Scratch.Eval;

/// <summary>Semantic-segmentation metrics accumulated over batches: a K × K confusion matrix (rows = ground truth,
/// columns = prediction) over the pixels whose ground truth is not the ignore label, and from it per-class IoU,
/// mean IoU, pixel accuracy and per-class accuracy.</summary>
/// <remarks>
/// <para>IoU_c = TP_c / (TP_c + FP_c + FN_c) = M[c,c] / (Σ_j M[c,j] + Σ_i M[i,c] − M[c,c]).</para>
/// <para>A class absent from both the ground truth and the predictions (union 0) has IoU NaN and is excluded from
/// <see cref="MeanIoU"/> (a NaN-mean), as mmsegmentation's <c>mean_iou</c> does (<c>np.nanmean</c> over
/// <c>intersect / union</c>); torchvision's reference ConfusionMatrix computes the same per-class 0/0 = NaN.
/// A class that appears only in predictions has IoU 0 and counts. <see cref="MeanIoU"/> is NaN when no class
/// has a non-empty union.</para>
/// <para>Pixels whose ground truth equals <see cref="IgnoreIndex"/> are skipped whatever the prediction. Any other
/// ground-truth or predicted label outside [0, K) throws.</para>
/// </remarks>
public sealed class SegMetrics
{
    private readonly long[] _m;

    /// <summary>An empty accumulator for <paramref name="numClasses"/> classes; ground truth equal to
    /// <paramref name="ignoreIndex"/> is skipped.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numClasses"/> &lt; 1 or an ignore index inside
    /// [0, numClasses).</exception>
    public SegMetrics(int numClasses, int ignoreIndex = 255)
    {
        if (numClasses < 1 || numClasses > 65536)
            throw new ArgumentOutOfRangeException(nameof(numClasses), numClasses, $"SegMetrics: numClasses must be in [1, 65536], got {numClasses}.");
        if (ignoreIndex >= 0 && ignoreIndex < numClasses)
            throw new ArgumentOutOfRangeException(nameof(ignoreIndex), ignoreIndex, $"SegMetrics: ignoreIndex must be outside [0, {numClasses}), got {ignoreIndex}.");
        NumClasses = numClasses;
        IgnoreIndex = ignoreIndex;
        _m = new long[numClasses * numClasses];
    }

    /// <summary>Number of classes K.</summary>
    public int NumClasses { get; }

    /// <summary>The ground-truth label that is not scored.</summary>
    public int IgnoreIndex { get; }

    /// <summary>Count of ground truth <paramref name="gt"/> predicted as <paramref name="pred"/>.</summary>
    public long this[int gt, int pred] => _m[gt * NumClasses + pred];

    /// <summary>Number of scored (non-ignored) pixels so far.</summary>
    public long Total => _m.Sum();

    /// <summary>Adds label maps of equal length (any layout, as long as both use the same one).</summary>
    /// <exception cref="ArgumentException">Lengths differ, or a label is outside [0, K) and not the ignore label
    /// (predictions may not be the ignore label); the message names the argument, the position and the value.</exception>
    public void Update(ReadOnlySpan<long> prediction, ReadOnlySpan<long> target)
    {
        if (prediction.Length != target.Length)
            throw new ArgumentException($"SegMetrics.Update: prediction has {prediction.Length} labels but target has {target.Length}.", nameof(prediction));
        var k = NumClasses;
        for (var i = 0; i < target.Length; i++)
        {
            var t = target[i];
            if (t == IgnoreIndex) continue;
            if ((ulong)t >= (ulong)k)
                throw new ArgumentOutOfRangeException(nameof(target), t, $"SegMetrics.Update: target label at {i} must be in [0, {k}) or {IgnoreIndex}, got {t}.");
            var p = prediction[i];
            if ((ulong)p >= (ulong)k)
                throw new ArgumentOutOfRangeException(nameof(prediction), p, $"SegMetrics.Update: predicted label at {i} must be in [0, {k}), got {p}.");
            _m[t * k + p]++;
        }
    }

    /// <summary>Adds integer label tensors of the same shape (I64, I32 or U8; e.g. argmax of the logits and the
    /// target map).</summary>
    /// <exception cref="ShapeMismatchException">The shapes differ.</exception>
    /// <exception cref="DTypeMismatchException">A tensor is not of an integer dtype.</exception>
    public void Update(Tensor prediction, Tensor target)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(target);
        if (prediction.Shape != target.Shape)
            throw new ShapeMismatchException("SegMetrics.Update", "target", prediction.Shape.ToString(), target.Shape.ToString());
        Update(Labels(prediction, "prediction"), Labels(target, "target"));
    }

    private static long[] Labels(Tensor t, string name) => t.DType switch
    {
        DType.I64 => t.ToArray<long>(),
        DType.I32 => Array.ConvertAll(t.ToArray<int>(), v => (long)v),
        DType.U8 => Array.ConvertAll(t.ToArray<byte>(), v => (long)v),
        _ => throw new DTypeMismatchException("SegMetrics.Update", name, "I64, I32 or U8", t.DType.Name()),
    };

    /// <summary>Clears the counts.</summary>
    public void Reset() => Array.Clear(_m);

    /// <summary>Per-class IoU (NaN for a class absent from both ground truth and predictions).</summary>
    public double[] IoU()
    {
        var k = NumClasses;
        var r = new double[k];
        for (var c = 0; c < k; c++)
        {
            long row = 0, col = 0;
            for (var j = 0; j < k; j++) { row += _m[c * k + j]; col += _m[j * k + c]; }
            var inter = _m[c * k + c];
            var union = row + col - inter;
            r[c] = union == 0 ? double.NaN : (double)inter / union;
        }
        return r;
    }

    /// <summary>Mean of <see cref="IoU"/> over the classes whose IoU is not NaN (NaN if there are none).</summary>
    public double MeanIoU => NanMean(IoU());

    /// <summary>Fraction of scored pixels predicted correctly (NaN before any scored pixel).</summary>
    public double PixelAccuracy
    {
        get
        {
            long diag = 0;
            for (var c = 0; c < NumClasses; c++) diag += _m[c * NumClasses + c];
            var total = Total;
            return total == 0 ? double.NaN : (double)diag / total;
        }
    }

    /// <summary>Per-class recall TP_c / (ground-truth pixels of c); NaN for a class absent from the ground truth.</summary>
    public double[] ClassAccuracy()
    {
        var k = NumClasses;
        var r = new double[k];
        for (var c = 0; c < k; c++)
        {
            long row = 0;
            for (var j = 0; j < k; j++) row += _m[c * k + j];
            r[c] = row == 0 ? double.NaN : (double)_m[c * k + c] / row;
        }
        return r;
    }

    /// <summary>Mean of <see cref="ClassAccuracy"/> over classes present in the ground truth (mmseg's mAcc).</summary>
    public double MeanClassAccuracy => NanMean(ClassAccuracy());

    private static double NanMean(double[] xs)
    {
        double s = 0;
        var n = 0;
        foreach (var x in xs)
            if (!double.IsNaN(x)) { s += x; n++; }
        return n == 0 ? double.NaN : s / n;
    }
}
