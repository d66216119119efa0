using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Scratch.Autograd;
using Scratch.Data;
using Scratch.Data.Coco;
using Scratch.Eval;
using Scratch.Models.Common.Detection;
using Scratch.NN;

namespace Scratch.Models.Common.Training;

/// <summary>The outcome of <see cref="DetectionEvaluator.Evaluate"/>: the COCO evaluation, the detections it scored
/// (COCO results records in original image pixels) and the wall-clock seconds of inference.</summary>
public sealed record DetectionEvaluation(CocoEvalResult Coco, IReadOnlyList<CocoDetection> Detections, double Seconds);

/// <summary>Runs <see cref="Detector.Detect"/> over a COCO split and scores it with <see cref="CocoEval"/> (bbox).
/// </summary>
public static class DetectionEvaluator
{
    /// <summary>Detections file name written by <see cref="Evaluate"/>.</summary>
    public const string DetectionsFile = "detections.json";

    /// <summary>Metrics file name written by <see cref="Evaluate"/>.</summary>
    public const string MetricsFile = "metrics.json";

    /// <summary>Detects on every image of <paramref name="data"/> (in eval mode, without gradients, in batches of
    /// <paramref name="batchSize"/>; images resized to shorter edge <paramref name="imageSize"/> when given) and
    /// returns COCO results records: boxes mapped back to original pixels as <c>[x, y, w, h]</c>, category ids from
    /// the data's categories. <paramref name="progress"/> gets (images done, total).</summary>
    public static IReadOnlyList<CocoDetection> Predict(Detector model, CocoImageFolder data, int batchSize = 4,
        int? imageSize = null, Action<int, int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var results = new List<CocoDetection>();
        var wasTraining = model.Training;
        model.Eval();
        try
        {
            using var _ = GradMode.Disable();
            for (var start = 0; start < data.Count; start += batchSize)
            {
                var n = Math.Min(batchSize, data.Count - start);
                // Each batch's buffers are recycled by the next instead of piling up until the collector runs.
                using var memory = MemoryScope.Begin();
                var originals = Enumerable.Range(start, n).Select(data.Load).ToArray();
                var batch = DetectionBatch.Collate([.. originals.Select(s => Resize(s, imageSize))], device: DeviceOf(model));
                var dets = model.Detect(batch);
                if (dets.Count != n)
                    throw new InvalidOperationException($"DetectionEvaluator: {model.GetType().Name}.Detect returned {dets.Count} results for a batch of {n} images.");
                for (var k = 0; k < n; k++)
                {
                    var (h, w) = batch.ImageSizes[k];
                    var (sx, sy) = ((double)originals[k].Width / w, (double)originals[k].Height / h);
                    var imageId = (long)originals[k].Tag!;
                    var boxes = dets[k].Boxes.ToDoubleArray();
                    var scores = dets[k].Scores.ToDoubleArray();
                    var labels = dets[k].Labels.ToDoubleArray();
                    for (var d = 0; d < scores.Length; d++)
                    {
                        var (x1, y1, x2, y2) = (boxes[4 * d] * sx, boxes[4 * d + 1] * sy, boxes[4 * d + 2] * sx, boxes[4 * d + 3] * sy);
                        results.Add(new CocoDetection(imageId, data.Dataset.CategoryIdOf((int)labels[d]),
                            [x1, y1, Math.Max(0, x2 - x1), Math.Max(0, y2 - y1)], scores[d]));
                    }
                }
                progress?.Invoke(start + n, data.Count);
            }
        }
        finally
        {
            model.Train(wasTraining);
        }
        return results;
    }

    /// <summary>The device of <paramref name="model"/>'s first parameter (where batches for it are collated), or
    /// <see cref="Device.Cpu"/> for a model without parameters.</summary>
    public static Device DeviceOf(Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.Parameters().FirstOrDefault()?.Device ?? Device.Cpu;
    }

    /// <summary>Detects on one RGB image (<c>[3, H, W]</c> floats in [0, 1]), resized to shorter edge
    /// <paramref name="imageSize"/> when given; the detections come back in the image's own pixels.</summary>
    public static Detections DetectImage(Detector model, float[] rgb, int height, int width, int? imageSize = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var sample = Resize(new DetectionSample(rgb, 3, height, width, [], []), imageSize);
        var wasTraining = model.Training;
        model.Eval();
        try
        {
            using var _ = GradMode.Disable();
            var det = model.Detect(DetectionBatch.Collate([sample], device: DeviceOf(model)))[0];
            det = new Detections(det.Boxes.To(Device.Cpu), det.Scores.To(Device.Cpu), det.Labels.To(Device.Cpu));
            if (sample.Height == height && sample.Width == width) return det;
            var scale = Tensor.From(new[] { (float)width / sample.Width, (float)height / sample.Height, (float)width / sample.Width, (float)height / sample.Height }, new Shape(1, 4));
            return det with { Boxes = det.Boxes.To(DType.F32) * scale };
        }
        finally
        {
            model.Train(wasTraining);
        }
    }

    /// <summary><see cref="Predict"/>, then <see cref="CocoEval.Evaluate"/> against the data's annotations; with
    /// <paramref name="outputDirectory"/> writes <c>detections.json</c> (COCO results) and <c>metrics.json</c> (the 12
    /// stats under the keys of <c>scratch coco-eval --json</c>).</summary>
    public static DetectionEvaluation Evaluate(Detector model, CocoImageFolder data, string? outputDirectory = null,
        int batchSize = 4, int? imageSize = null, Action<int, int>? progress = null)
    {
        var clock = Stopwatch.StartNew();
        var detections = Predict(model, data, batchSize, imageSize, progress);
        var seconds = clock.Elapsed.TotalSeconds;
        var result = CocoEval.Evaluate(data.Dataset, detections, CocoIouType.Bbox);
        if (outputDirectory is not null)
        {
            Directory.CreateDirectory(outputDirectory);
            CocoDetections.Write(Path.Combine(outputDirectory, DetectionsFile), detections);
            WriteAtomically(Path.Combine(outputDirectory, MetricsFile), StatsJson(result.Stats) + "\n");
        }
        return new DetectionEvaluation(result, detections, seconds);
    }

    /// <summary>The 12 COCO stats as one JSON object <c>{"AP": …, …, "ARl": …}</c> (<see cref="CocoStats.Names"/>),
    /// plus any <paramref name="extra"/> numbers after them.</summary>
    public static string StatsJson(CocoStats stats, params (string Key, double Value)[] extra)
    {
        ArgumentNullException.ThrowIfNull(stats);
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            var values = stats.ToArray();
            for (var i = 0; i < values.Length; i++) w.WriteNumber(CocoStats.Names[i], values[i]);
            foreach (var (k, v) in extra) w.WriteNumber(k, v);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    private static DetectionSample Resize(DetectionSample s, int? imageSize)
    {
        if (imageSize is not { } size) return s;
        var (h, w) = ResizeShortestEdge.Size(s.Height, s.Width, size, DetectionTrainer.MaxSizeFor(size));
        return h == s.Height && w == s.Width ? s : DetectionGeometry.Resize(s, h, w);
    }

    private static void WriteAtomically(string path, string text)
    {
        var tmp = path + ".tmp";
        File.WriteAllText(tmp, text, new UTF8Encoding(false));
        File.Move(tmp, path, overwrite: true);
    }
}
