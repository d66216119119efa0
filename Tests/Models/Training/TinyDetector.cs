using Scratch.Data;
using Scratch.Data.FashionDet;
using Scratch.Models.Common.Detection;
using Scratch.NN;

namespace Scratch.Tests.Models.Training;

/// <summary>A minimal detector with a real gradient path: conv 3×3 (stride 2) → group norm → global average pool →
/// 4 box logits (sigmoid × padded size = x1, y1, x2, y2) and C class logits. Trained to predict each image's first
/// ground-truth box and label; detects one box per image.</summary>
internal sealed class TinyDetector : Detector
{
    public const string Name = "tiny-test";

    private readonly Conv2d _conv;
    private readonly GroupNorm _norm;
    private readonly Conv2d _head;
    private readonly int _classes;

    public TinyDetector(DetectorSpec spec)
    {
        var g = new Generator(spec.Seed);
        _classes = spec.NumClasses;
        _conv = Add("conv", new Conv2d(spec.InChannels, 8, 3, stride: 2, padding: 1, generator: g));
        _norm = Add("norm", new GroupNorm(2, 8));
        _head = Add("head", new Conv2d(8, 4 + spec.NumClasses, 1, generator: g));
    }

    private static readonly Lazy<bool> Registered = new(() =>
    {
        DetectorZoo.Register(Name, spec => new TinyDetector(spec));
        return true;
    });

    /// <summary>Registers the detector once per process (later calls do not write to the zoo again).</summary>
    public static void Register() => _ = Registered.Value;

    public override int NumClasses => _classes;

    private (Tensor Box, Tensor Logits) Forward(DetectionBatch batch)
    {
        var dev = batch.Images.Device;
        var mean = Tensor.From(PixelMean, new Shape(1, 3, 1, 1), dev);
        var std = Tensor.From(PixelStd, new Shape(1, 3, 1, 1), dev);
        var x = (batch.Images - mean) / std;
        var f = _head.Forward(F.Relu(_norm.Forward(_conv.Forward(x)))).Mean([2, 3]);
        var (hp, wp) = (batch.Images.Shape.Dims[2], batch.Images.Shape.Dims[3]);
        var scale = Tensor.From(new float[] { wp, hp, wp, hp }, new Shape(1, 4), dev);
        return (F.Sigmoid(f.Narrow(1, 0, 4)) * scale, f.Narrow(1, 4, _classes));
    }

    public override IReadOnlyDictionary<string, Tensor> Losses(DetectionBatch batch)
    {
        var (box, logits) = Forward(batch);
        var targets = new float[batch.Count * 4];
        var labels = new long[batch.Count];
        for (var i = 0; i < batch.Count; i++)
        {
            var b = batch.Boxes[i].ToArray<float>();
            var l = batch.Labels[i].ToArray<long>();
            if (l.Length == 0) continue;
            Array.Copy(b, 0, targets, 4 * i, 4);
            labels[i] = l[0];
        }
        var size = (float)batch.Images.Shape.Dims[3];
        return new Dictionary<string, Tensor>
        {
            ["loss_box_reg"] = F.L1Loss(box, Tensor.From(targets, new Shape(batch.Count, 4), box.Device)) / size,
            ["loss_cls"] = F.CrossEntropy(logits, Tensor.From(labels, new Shape(batch.Count), logits.Device)),
        };
    }

    public override IReadOnlyList<Detections> Detect(DetectionBatch batch)
    {
        var (box, logits) = Forward(batch);
        var b = box.ToArray<float>();
        var p = F.Softmax(logits, 1).ToArray<float>();
        var result = new List<Detections>();
        for (var i = 0; i < batch.Count; i++)
        {
            var (h, w) = batch.ImageSizes[i];
            var best = 0;
            for (var c = 1; c < _classes; c++) if (p[i * _classes + c] > p[i * _classes + best]) best = c;
            float Clip(float v, int hi) => Math.Clamp(v, 0, hi);
            var (x1, y1, x2, y2) = (Clip(b[4 * i], w), Clip(b[4 * i + 1], h), Clip(b[4 * i + 2], w), Clip(b[4 * i + 3], h));
            result.Add(new Detections(Tensor.From(new[] { Math.Min(x1, x2), Math.Min(y1, y2), Math.Max(x1, x2), Math.Max(y1, y2) }, new Shape(1, 4)),
                Tensor.From(new[] { p[i * _classes + best] }, new Shape(1)), Tensor.From(new[] { (long)best }, new Shape(1))));
        }
        return result;
    }
}

/// <summary>A small FashionDet set on disk (ring-shaped synthetic items, 64×64 images): 8 train, 4 val.</summary>
public sealed class TinyFashionDet : IDisposable
{
    public TinyFashionDet()
    {
        Root = Path.Combine(Path.GetTempPath(), $"scratch-train-{Guid.NewGuid():N}");
        var items = new byte[10 * 784];
        for (var l = 0; l < 10; l++)
            for (var r = 0; r < 28; r++)
                for (var c = 0; c < 28; c++)
                {
                    var d = Math.Sqrt((r - 13.5) * (r - 13.5) + (c - 13.5) * (c - 13.5));
                    if (d <= Math.Min(13, 4 + l) && d >= 3) items[l * 784 + r * 28 + c] = 200;
                }
        var gen = new FashionDetGenerator(items, [.. Enumerable.Range(0, 10)], new FashionDetOptions { Size = 64, MinItems = 1, MaxItems = 3, MinScale = 0.75, MaxScale = 1.5 });
        FashionDetWriter.Write(gen, Root, "train", 8, 1, maxParallelism: 1);
        FashionDetWriter.Write(gen, Root, "val", 4, 2, maxParallelism: 1);
        TinyDetector.Register();
    }

    public string Root { get; }

    public string NewRunDir() => Path.Combine(Root, "runs", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); }
        catch (IOException) { }
    }
}
